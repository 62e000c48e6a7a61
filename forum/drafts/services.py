"""Drafts: starting one, saving revisions (with the version check), and telling everyone who
follows a draft that it changed. Services never commit; the caller owns the transaction."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import User, with_grants
from forum.areas.models import Area
from forum.budget.services import current_edition
from forum.drafts.models import (
    Draft,
    DraftAuthor,
    DraftRevision,
    DraftSourcePost,
    DraftStatusChange,
)
from forum.drafts.rules import clean_content, cost_cap_error, missing
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.policy import ensure
from forum.realtime import events
from forum.realtime.streams import draft_stream, publish, thread_stream, unit_stream


class VersionConflict(Conflict):
    """A save based on a revision that is no longer the current one: nothing was saved. The
    answer carries both texts, so the writer can merge their words into the current ones."""

    def __init__(self, draft: Draft, yours: dict):
        super().__init__(
            _(
                "Someone saved this draft while you were editing it (now revision %(number)d). "
                "Nothing of yours was saved: compare both texts and save again.",
                number=draft.version,
            ),
            code="version_conflict",
        )
        self.current_version = draft.version
        self.current = draft.content()
        self.yours = yours

    def to_dict(self) -> dict:
        answer = super().to_dict()
        answer["error"]["conflict"] = {
            "current_version": self.current_version,
            "current": self.current,
            "yours": self.yours,
        }
        return answer


def load_draft(draft_id: int, viewer=None) -> Draft:
    """The draft with what its page shows, or NotFound."""
    draft = db.session.scalar(
        select(Draft)
        .where(Draft.id == draft_id)
        .options(
            selectinload(Draft.authors).joinedload(DraftAuthor.user).options(with_grants()),
            joinedload(Draft.area),
            joinedload(Draft.category),
            joinedload(Draft.edition),
            joinedload(Draft.source_thread),
        )
    )
    if draft is None:
        raise NotFound(_("There is no such draft."))
    if viewer is not None:
        ensure(viewer, "draft.read", draft)
    return draft


def start_draft(
    actor: User,
    *,
    area: Area,
    content: dict | None = None,
    note: str = "",
    thread=None,
    source_post_ids: tuple[int, ...] = (),
    author: User | None = None,
) -> Draft:
    """A new draft in the current edition, and its revision 1, made by `actor`; its first
    author is `author` (a promoted thread's author), or else the actor.

    `content` is validated like any save; from a thread, the draft links back to it and to the
    posts it draws on. Callers ask the policy first ("draft.create" or "thread.promote").
    """
    edition = current_edition()
    if edition is None:
        raise Conflict(_("No budget edition is open for proposals."), code="no_edition")
    kind = "city" if area.kind == "city" else "district"
    cleaned, errors = clean_content({"kind": kind, "area_id": area.id, **(content or {})})
    if errors:
        raise ValidationError(_("Some fields need attention."), errors)
    now = utcnow()
    draft = Draft(
        edition_id=edition.id,
        created_by_id=actor.id,
        source_thread=thread,
        created_at=now,
        updated_at=now,
        version=1,
        **cleaned,
    )
    first = author or actor
    draft.authors.append(
        DraftAuthor(user_id=first.id, role="author", invited_at=now, accepted_at=now)
    )
    db.session.add(draft)
    db.session.flush()
    for post_id in sorted(set(source_post_ids)):
        db.session.add(DraftSourcePost(draft_id=draft.id, post_id=post_id))
    db.session.add(
        DraftRevision(
            draft_id=draft.id, number=1, author_id=actor.id, content=draft.content(), note=note
        )
    )
    db.session.add(DraftStatusChange(draft_id=draft.id, to_status="draft", actor_id=actor.id))
    draft_updated(draft)
    return draft


def save(draft: Draft, actor: User, changes: dict, version: int, note: str = "") -> DraftRevision:
    """An author's save: refused as a VersionConflict unless based on the current revision."""
    ensure(actor, "draft.edit", draft)
    if version != draft.version:
        raise VersionConflict(draft, {**draft.content(), **changes})
    return new_revision(draft, actor, changes, note)


def new_revision(draft: Draft, actor: User, changes: dict, note: str = "") -> DraftRevision:
    """Apply validated changes as the draft's next revision (a save, an accepted change).

    The version bump is a compare-and-set on the row, so of two saves of one revision that
    race past the check above, one wins and the other is a VersionConflict.
    """
    cleaned, errors = clean_content(changes)
    if errors:
        raise ValidationError(_("Some fields need attention."), errors)
    before = draft.version
    for field, value in cleaned.items():
        setattr(draft, field, value)
    if "area_id" in cleaned:
        draft.area = db.session.get(Area, cleaned["area_id"])
    if "cost_items" in cleaned or "area_id" in cleaned:
        if (over := cost_cap_error(draft)) is not None:
            raise ValidationError(over, {"cost_items": over}, code="over_cost_cap")
    # BO's rules hold from the moment a draft leaves `draft` status: a save may not undo them.
    if draft.status != "draft" and (problems := missing(draft)):
        raise ValidationError(
            _("Once sent for review, a draft keeps every field BO requires."),
            problems,
            code="draft_incomplete",
        )
    bumped = db.session.execute(
        Draft.__table__.update()
        .where(Draft.__table__.c.id == draft.id, Draft.__table__.c.version == before)
        .values(version=before + 1)
    ).rowcount
    if bumped != 1:
        db.session.refresh(draft)
        raise VersionConflict(draft, {**draft.content(), **cleaned})
    draft.version = before + 1
    draft.updated_at = utcnow()
    revision = DraftRevision(
        draft_id=draft.id,
        number=draft.version,
        author_id=actor.id,
        content=draft.content(),
        note=note,
    )
    db.session.add(revision)
    draft_updated(draft)
    return revision


def draft_updated(draft: Draft) -> None:
    """Publish `draft_updated` where the draft is followed: its page, the thread it came from
    (the banner), and the queues of the units it is tagged for."""
    db.session.flush()
    publish(events.DRAFT_UPDATED, draft_stream(draft.id), draft)
    if draft.source_thread_id is not None:
        publish(events.DRAFT_UPDATED, thread_stream(draft.source_thread_id), draft)
    for tag in draft.unit_tags:
        publish(events.DRAFT_UPDATED, unit_stream(tag.unit_id), draft)


def people_of(draft: Draft) -> list[int]:
    """Whom news of the draft concerns: its authors and accepted co-authors."""
    return [a.user_id for a in draft.authors if a.accepted_at is not None]
