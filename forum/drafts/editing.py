"""What the draft pages and the API ask of drafts: the list, starting one's own draft, and an
author's save. Services never commit; the caller owns the transaction."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from forum import text
from forum.accounts.models import User
from forum.areas.models import Area
from forum.drafts.models import STATUSES, Draft, DraftRevision
from forum.drafts.rules import clean_content, cost_cap_error
from forum.drafts.services import load_draft, save, start_draft
from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.policy import ensure
from forum.units.models import UnitTag

# The areas a proposal may be for: the city (city-wide), a district, an osiedle.
PROPOSAL_AREAS = ("city", "district", "subarea")
NOTE_MAX = 300  # DraftRevision.note


def load_draft_page(draft_id: int, viewer) -> Draft:
    """The draft with all its page shows, in a fixed number of queries however many units,
    authors or cited posts it has."""
    draft = load_draft(draft_id, viewer)
    db.session.scalars(
        select(Draft)
        .where(Draft.id == draft.id)
        .options(
            selectinload(Draft.unit_tags).joinedload(UnitTag.unit),
            selectinload(Draft.source_posts),
        )
    ).one()
    return draft


def list_drafts(status: str | None = None, page: int = 1, per_page: int = 20):
    """A page of drafts (all of them, or those of one status), last changed first."""
    query = select(Draft).options(joinedload(Draft.area)).order_by(Draft.updated_at.desc())
    if status is not None:
        if status not in STATUSES:
            raise NotFound(_("There is no such status."))
        query = query.where(Draft.status == status)
    query = query.order_by(Draft.id.desc())
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def proposal_areas() -> list[Area]:
    """The areas a draft may be for, in the tree's order: the city, then each district followed
    by its osiedla; archived ones left out."""
    areas = list(
        db.session.scalars(
            select(Area)
            .where(Area.kind.in_(PROPOSAL_AREAS), Area.archived_at.is_(None))
            .order_by(Area.position, Area.id)
        )
    )
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    ordered: list[Area] = []

    def walk(area: Area) -> None:
        ordered.append(area)
        for child in children.get(area.id, []):
            walk(child)

    for area in areas:
        if area.kind == "city":
            walk(area)
    return ordered


def start_own_draft(actor: User, area_id: int | None, content: dict) -> Draft:
    """A resident's draft of their own (BO's individual path), named and placed from the start;
    `content` may hold any other fields already."""
    ensure(actor, "draft.create", None)
    errors: dict[str, str] = {}
    area = db.session.get(Area, area_id) if area_id is not None else None
    if area is None or area.kind not in PROPOSAL_AREAS or area.is_archived:
        errors["area_id"] = _("Choose the district, osiedle or the whole city.")
    content = {field: value for field, value in content.items() if field != "area_id"}
    cleaned, problems = clean_content({"title": "", **content})
    errors.update(problems)
    if "title" not in errors and not cleaned["title"]:
        errors["title"] = _("Give the proposal a title.")
    if errors:
        raise ValidationError(_("Some fields need attention."), errors)
    draft = start_draft(actor, area=area, content=cleaned, note=_("Started the draft."))
    if (over := cost_cap_error(draft)) is not None:
        raise ValidationError(over, {"cost_items": over}, code="over_cost_cap")
    return draft


def base_content(draft: Draft, version: int) -> dict:
    """The content the writer started from: the revision their form or client was based on
    (the current content if there is no such revision)."""
    if version == draft.version:
        return draft.content()
    revision = db.session.scalar(
        select(DraftRevision).where(
            DraftRevision.draft_id == draft.id, DraftRevision.number == version
        )
    )
    return dict(revision.content) if revision is not None else draft.content()


def edit_draft(
    actor: User, draft_id: int, changes: dict, version: int, note: str = ""
) -> DraftRevision | None:
    """An author's save of the fields they changed since `version`; None if they changed
    nothing. A save based on an older revision is a VersionConflict (nothing saved)."""
    draft = load_draft(draft_id, actor)
    ensure(actor, "draft.edit", draft)
    cleaned, errors = clean_content(changes)
    if errors:
        raise ValidationError(_("Some fields need attention."), errors)
    base = base_content(draft, version)
    changed = {field: value for field, value in cleaned.items() if base.get(field) != value}
    note, problem = text.clean(note or "")
    if problem or len(note) > NOTE_MAX:
        raise ValidationError(
            _("Some fields need attention."),
            {"note": problem or _("At most %(num)d characters.", num=NOTE_MAX)},
        )
    if not changed:
        return None
    return save(draft, actor, changed, version, note)
