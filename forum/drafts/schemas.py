"""Shapes of proposal drafts, as anyone may see them (drafts are public), and what clients
send to save one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.accounts.schemas import Person, User, person_view, user_view
from forum.budget.services import allocation
from forum.drafts import rules
from forum.drafts.models import CONTENT_FIELDS
from forum.drafts.models import Draft as DraftModel
from forum.notifications.schemas import PlaceRef, ThreadRef
from forum.policy import can
from forum.schemas import (
    MAX_ID,
    Count,
    ErrorDetail,
    Id,
    Input,
    Pagination,
    Query,
    QueryInt,
    Shape,
)
from forum.supports.services import tally

Status = Literal["draft", "in_review", "revised", "ready", "withdrawn"]
Kind = Literal["district", "city"]


class CostItem(Shape):
    item: str
    amount: int = Field(ge=1, description="Whole złoty.")


class CategoryRef(Shape):
    id: Id
    code: str
    name: str


class UnitRef(Shape):
    id: Id
    code: str
    name: str


class Author(Shape):
    user: User
    role: Literal["author", "coauthor"]
    accepted: bool = Field(description="False: invited, not yet accepted.")


class Missing(Shape):
    field: str
    message: str


class SupportTally(Shape):
    counted: Count = Field(description="Supporters who count toward BO's list.")
    others: Count = Field(description="Supporters from other districts: shown, not counted.")
    needed: Count = Field(description="How many must count (15 for a district proposal).")


class DraftSummary(Shape):
    """What lists and live events carry; the page fetches the whole draft."""

    id: Id
    title: str
    status: Status
    version: int = Field(ge=1, description="The current revision's number.")
    kind: Kind
    area: PlaceRef
    source_thread_id: Id | None
    updated_at: datetime


class Draft(DraftSummary):
    edition: int = Field(description="The budget edition's year.")
    short_description: str
    category: CategoryRef | None
    locations: list[str]
    description: str
    justification: str
    beneficiaries: str
    cost_items: list[CostItem]
    cost_total: int
    allocation: int | None = Field(description="The area's cost cap in the edition, if set.")
    deliverable_in_year: bool | None
    units: list[UnitRef]
    authors: list[Author]
    source_thread: ThreadRef | None = Field(description="None if the viewer may not read it.")
    source_post_ids: list[Id]
    missing: list[Missing] = Field(description="What BO requires and the draft lacks yet.")
    supports: SupportTally
    created_at: datetime


def draft_summary_view(draft: DraftModel, viewer=None) -> DraftSummary:
    return DraftSummary(
        id=draft.id,
        title=draft.title,
        status=draft.status,
        version=draft.version,
        kind=draft.kind,
        area=PlaceRef(id=draft.area.id, name=draft.area.label),
        source_thread_id=draft.source_thread_id,
        updated_at=draft.updated_at,
    )


def draft_view(draft: DraftModel, viewer) -> Draft:
    thread = draft.source_thread
    counts = tally(draft)
    return Draft(
        **draft_summary_view(draft).model_dump(),
        edition=draft.edition.year,
        short_description=draft.short_description,
        category=(
            CategoryRef(id=draft.category.id, code=draft.category.code, name=draft.category.name)
            if draft.category is not None
            else None
        ),
        locations=draft.locations,
        description=draft.description,
        justification=draft.justification,
        beneficiaries=draft.beneficiaries,
        cost_items=[CostItem(**item) for item in draft.cost_items],
        cost_total=draft.cost_total,
        allocation=allocation(draft.edition_id, draft.area),
        deliverable_in_year=draft.deliverable_in_year,
        units=[
            UnitRef(id=tag.unit.id, code=tag.unit.code, name=tag.unit.name)
            for tag in draft.unit_tags
        ],
        authors=[
            Author(user=user_view(a.user), role=a.role, accepted=a.accepted_at is not None)
            for a in draft.authors
        ],
        source_thread=(
            ThreadRef(id=thread.id, title=thread.title)
            if thread is not None and can(viewer, "thread.read", thread)
            else None
        ),
        source_post_ids=[source.post_id for source in draft.source_posts],
        missing=[Missing(field=f, message=m) for f, m in rules.missing(draft).items()],
        supports=SupportTally(counted=counts.counted, others=counts.others, needed=counts.needed),
        created_at=draft.created_at,
    )


# --- the draft page's API: reading one draft, starting, promoting, saving --------------------


class DraftAnswer(Shape):
    draft: Draft
    can_edit: bool = Field(description="Whether the viewer may save a new revision now.")


class PromotionRequested(Shape):
    notified: Count = Field(
        description="How many ambassadors (or coordinators) were told now; 0 if all had it."
    )


class CostItemInput(Input):
    item: str = Field(max_length=rules.COST_ITEM_MAX)
    amount: int = Field(ge=1, le=rules.AMOUNT_MAX, description="Whole złoty.")


class DraftFields(Input):
    """The BO fields a client sends; those left out keep their value."""

    kind: Kind | None = None
    title: str | None = None
    short_description: str | None = None
    category_id: Id | None = Field(None, description="null: no category yet.")
    area_id: Id | None = None
    locations: list[str] | None = Field(None, description="One place per item.")
    description: str | None = None
    justification: str | None = None
    beneficiaries: str | None = None
    cost_items: list[CostItemInput] | None = None
    deliverable_in_year: bool | None = Field(None, description="null: not answered yet.")

    def changes(self) -> dict:
        """The fields the client sent, as a save takes them (null where it means nothing is
        refused by the save, with its message)."""
        return self.model_dump(include=self.model_fields_set & set(CONTENT_FIELDS))


class NewDraft(DraftFields):
    area_id: Id = Field(description="The district, osiedle or the city (a city-wide draft).")
    title: str = Field(description="Any length while a draft; BO allows 60 characters.")


class DraftEdit(DraftFields):
    version: int = Field(ge=1, description="The revision the changes are based on.")
    note: str = Field("", max_length=300, description="What changed, in a few words.")


class Promotion(Input):
    source_post_ids: list[Id] = Field(
        default_factory=list, description="Posts of the thread the draft cites."
    )
    title: str | None = Field(None, description="The thread's title if left out.")


class PromotionRequest(Input):
    """Nothing to say: an empty object."""


class DraftContent(Shape):
    """A draft's fields as a revision records them (ids for the category and the area)."""

    kind: Kind
    title: str
    short_description: str
    category_id: Id | None
    area_id: Id
    locations: list[str]
    description: str
    justification: str
    beneficiaries: str
    cost_items: list[CostItem]
    deliverable_in_year: bool | None


# --- history and co-authors (forum/drafts/revisions.py, forum/drafts/coauthors.py) ----------

ContentField = Literal[CONTENT_FIELDS]


class RevisionSummary(Shape):
    number: int = Field(ge=1)
    author: User
    note: str = Field(description="Why it was saved, beside an edit (may be empty).")
    created_at: datetime


class RevisionPage(Shape):
    draft: DraftSummary
    revisions: list[RevisionSummary] = Field(description="Newest first.")
    meta: Pagination


class VersionConflictTexts(Shape):
    current_version: int = Field(ge=1)
    current: DraftContent = Field(description="The draft as it is now.")
    yours: DraftContent = Field(description="The draft as your save would have left it.")


class VersionConflictDetail(ErrorDetail):
    code: Literal["version_conflict"]
    conflict: VersionConflictTexts


class VersionConflictAnswer(Shape):
    """A save based on an older revision: nothing was saved; both texts come back."""

    error: VersionConflictDetail


class RevisionAnswer(Shape):
    draft: DraftSummary
    revision: RevisionSummary
    content: DraftContent = Field(description="The draft's fields as this revision recorded them.")


class DiffSegment(Shape):
    op: Literal["equal", "insert", "delete"]
    text: str


class FieldDiff(Shape):
    field: ContentField
    label: str = Field(description="The field's name, for people.")
    changed: bool
    segments: list[DiffSegment] = Field(
        description="Reading order: `equal` and `delete` give the old text, `equal` and `insert` "
        "the new. Categories and areas by name, costs item by item, as people read them."
    )
    html: str = Field(
        description="The same diff as HTML: <del> and <ins> around what changed, all else escaped."
    )


class Comparison(Shape):
    draft: DraftSummary
    old: RevisionSummary
    new: RevisionSummary
    fields: list[FieldDiff] = Field(description="Every field, in the BO form's order.")


class CompareQuery(Query):
    old: QueryInt | None = Field(
        None, ge=1, le=MAX_ID, description="A revision number; by default the one before `new`."
    )
    new: QueryInt | None = Field(
        None, ge=1, le=MAX_ID, description="A revision number; by default the current one."
    )


class AuthorPlace(Author):
    """An author, a co-author, or an invitation not yet answered."""

    invited_by: Person | None = Field(description="Who invited them; None for the first author.")
    invited_at: datetime
    accepted_at: datetime | None
    can_remove: bool = Field(description="You may remove them (or withdraw the invitation).")


class AuthorsAnswer(Shape):
    draft: DraftSummary
    authors: list[AuthorPlace] = Field(description="The first author first, then as invited.")
    can_invite: bool
    can_leave: bool = Field(description="You are a co-author and may leave.")
    invited: bool = Field(description="You are invited and have not answered yet.")


class NewCoauthor(Input):
    email: str = Field(max_length=320, description="The e-mail address of their account.")


class InvitationAnswer(Input):
    answer: Literal["accept", "decline"]


def revision_summary_view(revision) -> RevisionSummary:
    return RevisionSummary(
        number=revision.number,
        author=user_view(revision.author),
        note=revision.note,
        created_at=revision.created_at,
    )


def field_diff_view(diff) -> FieldDiff:
    return FieldDiff(
        field=diff.field,
        label=diff.label,
        changed=diff.changed,
        segments=[DiffSegment(op=s.op, text=s.text) for s in diff.segments],
        html=str(diff.html),
    )


def authors_view(draft: DraftModel, viewer) -> AuthorsAnswer:
    mine = next(
        (a for a in draft.authors if viewer.is_authenticated and a.user_id == viewer.id), None
    )
    return AuthorsAnswer(
        draft=draft_summary_view(draft),
        authors=[
            AuthorPlace(
                user=user_view(a.user),
                role=a.role,
                accepted=a.accepted_at is not None,
                invited_by=person_view(a.invited_by) if a.invited_by is not None else None,
                invited_at=a.invited_at,
                accepted_at=a.accepted_at,
                can_remove=can(viewer, "coauthor.remove", a),
            )
            for a in draft.authors
        ],
        can_invite=can(viewer, "draft.invite", draft),
        can_leave=mine is not None and can(viewer, "coauthor.leave", mine),
        invited=mine is not None and mine.is_pending,
    )
