"""Drafts for the city team: finding them by status, area, unit and edition (the API's list),
the CSV export of drafts with their reviews, and what the printable BO form shows."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import ExpertUnit
from forum.areas.models import Area
from forum.budget.models import BudgetEdition
from forum.drafts.models import Draft, DraftAuthor
from forum.drafts.schemas import DraftSummary, Status
from forum.errors import ValidationError
from forum.extensions import db
from forum.policy import ensure
from forum.reviews.models import CHECKLIST, Review
from forum.schemas import Pagination, Query, QueryInt, Shape
from forum.supports.models import Support
from forum.units.models import UnitTag

BATCH = 25  # drafts per query while writing the CSV: the export never loads them all at once
# Lines per piece of the streamed CSV. After each piece, and each batch of drafts, the export
# lets the server's one loop serve others (time.sleep(0) yields to the eventlet hub): a big
# export never holds it more than a batch's loading or a piece's writing (a few ms each).
ROWS_PER_CHUNK = 100


class DraftQuery(Query):
    status: Status | None = None
    area: QueryInt | None = Field(
        None, ge=1, description="An area's id: its drafts and those of the areas within it."
    )
    unit: QueryInt | None = Field(
        None, ge=1, description="An expert unit's id: drafts tagged for it."
    )
    edition: QueryInt | None = Field(None, ge=2000, le=2100, description="A budget edition's year.")


class DraftListQuery(DraftQuery):
    page: QueryInt = Field(1, ge=1, le=1_000_000_000, description="A page past the last is empty.")
    per_page: QueryInt = Field(20, ge=1, le=100)


class DraftPage(Shape):
    drafts: list[DraftSummary]
    meta: Pagination


def _check(query: DraftQuery) -> None:
    """Unknown areas, units or editions are named as such, not answered with an empty list."""
    problems = {}
    if query.area is not None and db.session.get(Area, query.area) is None:
        problems["area"] = _("There is no such area.")
    if query.unit is not None and db.session.get(ExpertUnit, query.unit) is None:
        problems["unit"] = _("There is no such unit.")
    if query.edition is not None and not db.session.scalar(
        select(BudgetEdition.id).where(BudgetEdition.year == query.edition)
    ):
        problems["edition"] = _("There is no budget edition of that year.")
    if problems:
        raise ValidationError(_("Some fields need correcting."), problems)


def find_drafts(query: DraftQuery) -> Select:
    """The drafts the filters select, the most recently changed first."""
    _check(query)
    found = select(Draft)
    if query.status is not None:
        found = found.where(Draft.status == query.status)
    if query.area is not None:
        within = select(Area.id).where(Area.path.contains(f"/{query.area}/"))
        found = found.where(Draft.area_id.in_(within))
    if query.unit is not None:
        found = found.where(
            exists().where(
                UnitTag.draft_id == Draft.id,
                UnitTag.unit_id == query.unit,
                UnitTag.removed_at.is_(None),
            )
        )
    if query.edition is not None:
        found = found.join(BudgetEdition, BudgetEdition.id == Draft.edition_id).where(
            BudgetEdition.year == query.edition
        )
    return found.order_by(Draft.updated_at.desc(), Draft.id.desc())


def drafts_page(query: DraftListQuery):
    """A page of the drafts the filters select (drafts are public)."""
    found = find_drafts(query).options(joinedload(Draft.area))
    return db.paginate(found, page=query.page, per_page=query.per_page, error_out=False)


# --- the CSV export ------------------------------------------------------------------------

DRAFT_COLUMNS = (
    "draft_id",
    "edition",
    "status",
    "kind",
    "title",
    "area",
    "category",
    "short_description",
    "locations",
    "cost_total",
    "deliverable_in_year",
    "units",
    "authors",
    "supports_counted",
    "supports_others",
    "revision",
    "updated_at",
)
REVIEW_COLUMNS = (
    "review_id",
    "review_unit",
    "review_revision",
    "review_opinion",
    *(f"review_{item}" for item in CHECKLIST),
    "review_cost_remarks",
    "review_text",
    "review_author",
    "review_created_at",
    "review_proposed_changes",
)
COLUMNS = DRAFT_COLUMNS + REVIEW_COLUMNS


def _cell(value) -> str | int:
    """A value as a spreadsheet should read it: yes/no/empty for booleans, and text that a
    spreadsheet would run as a formula made inert (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _draft_cells(draft: Draft, supports: dict[tuple[int, bool], int]) -> list:
    return [
        draft.id,
        draft.edition.year,
        draft.status,
        draft.kind,
        draft.title,
        draft.area.label,
        draft.category.name if draft.category is not None else None,
        draft.short_description,
        "; ".join(draft.locations),
        draft.cost_total,
        draft.deliverable_in_year,
        " ".join(tag.unit.code for tag in draft.unit_tags),
        "; ".join(a.user.display_name for a in draft.authors if a.accepted_at is not None),
        supports.get((draft.id, True), 0),
        supports.get((draft.id, False), 0),
        draft.version,
        draft.updated_at.isoformat(),
    ]


def _review_cells(review: Review) -> list:
    changes = "; ".join(f"{change.field}: {change.status}" for change in review.changes)
    return [
        review.id,
        review.unit.code,
        review.revision_number,
        review.opinion,
        *(getattr(review, item) for item in CHECKLIST),
        review.cost_remarks,
        review.body,
        review.author.display_name,
        review.created_at.isoformat(),
        changes,
    ]


def _batch(ids: list[int]) -> Iterator[list]:
    drafts = db.session.scalars(
        select(Draft)
        .where(Draft.id.in_(ids))
        .options(
            joinedload(Draft.area),
            joinedload(Draft.category),
            joinedload(Draft.edition),
            selectinload(Draft.authors).joinedload(DraftAuthor.user),
            selectinload(Draft.unit_tags).joinedload(UnitTag.unit),
        )
    ).all()
    by_id = {draft.id: draft for draft in drafts}
    reviews: dict[int, list[Review]] = {}
    for review in db.session.scalars(
        select(Review)
        .where(Review.draft_id.in_(ids))
        .options(joinedload(Review.unit), joinedload(Review.author), selectinload(Review.changes))
        .order_by(Review.created_at, Review.id)
    ):
        reviews.setdefault(review.draft_id, []).append(review)
    supports = {
        (draft_id, counts): number
        for draft_id, counts, number in db.session.execute(
            select(Support.draft_id, Support.counts, func.count(Support.id))
            .where(Support.draft_id.in_(ids))
            .group_by(Support.draft_id, Support.counts)
        )
    }
    for draft_id in ids:
        draft = by_id[draft_id]
        cells = _draft_cells(draft, supports)
        for review in reviews.get(draft_id, []) or [None]:
            yield cells + (_review_cells(review) if review else [None] * len(REVIEW_COLUMNS))


def export_csv(viewer, query: DraftQuery) -> Iterator[str]:
    """The selected drafts with their reviews as CSV: one line per review (a draft without
    reviews, one line), written in batches. UTF-8 with a byte order mark, which spreadsheets
    need to read the Polish letters."""
    ensure(viewer, "drafts.export", None)
    ids = list(db.session.scalars(find_drafts(query).with_only_columns(Draft.id)))

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(COLUMNS)

        def piece() -> str:
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        written = 0
        for start in range(0, len(ids), BATCH):
            time.sleep(0)  # before loading a batch
            for row in _batch(ids[start : start + BATCH]):
                writer.writerow([_cell(value) for value in row])
                written += 1
                if written % ROWS_PER_CHUNK == 0:
                    yield piece()
                    time.sleep(0)
        yield piece()

    return lines()
