"""Shapes of reviews and the changes they propose (public, as drafts are)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from forum.accounts.schemas import User, user_view
from forum.drafts.schemas import DraftSummary, Status, UnitRef
from forum.moderation.reasons import Reason
from forum.reviews.models import ProposedChange as ProposedChangeModel
from forum.reviews.models import Review as ReviewModel
from forum.schemas import Id, Input, Shape

MESSAGE_MAX = 1000  # a status move's message (DraftStatusChange.message)

Opinion = Literal["positive", "needs_changes", "negative"]
# What a review may hold (the services refuse more).
BODY_MAX, COST_REMARKS_MAX = 10_000, 5_000


class Checklist(Shape):
    """Each point: true (yes), false (no) or null (not assessed)."""

    site_city_owned: bool | None
    within_cost_cap: bool | None
    deliverable_in_year: bool | None
    within_competence: bool | None


class ProposedChange(Shape):
    id: Id
    review_id: Id
    field: str = Field(description="A draft field, as in the draft's shape.")
    value: object = Field(description="The proposed value, of the field's type.")
    status: Literal["open", "accepted", "declined"]
    decided_by: User | None
    decided_at: datetime | None
    decline_reason: str
    revision_number: int | None = Field(description="The revision that applied it, if accepted.")


class Review(Shape):
    id: Id
    draft_id: Id
    unit: UnitRef
    revision_number: int = Field(ge=1, description="The revision reviewed.")
    author: User
    opinion: Opinion
    checklist: Checklist
    cost_remarks: str
    body: str
    changes: list[ProposedChange]
    created_at: datetime


def change_view(change: ProposedChangeModel) -> ProposedChange:
    return ProposedChange(
        id=change.id,
        review_id=change.review_id,
        field=change.field,
        value=change.value,
        status=change.status,
        decided_by=user_view(change.decided_by) if change.decided_by is not None else None,
        decided_at=change.decided_at,
        decline_reason=change.decline_reason,
        revision_number=change.revision_number,
    )


def review_view(review: ReviewModel, viewer=None) -> Review:
    return Review(
        id=review.id,
        draft_id=review.draft_id,
        unit=UnitRef(id=review.unit.id, code=review.unit.code, name=review.unit.name),
        revision_number=review.revision_number,
        author=user_view(review.author),
        opinion=review.opinion,
        checklist=Checklist(
            site_city_owned=review.site_city_owned,
            within_cost_cap=review.within_cost_cap,
            deliverable_in_year=review.deliverable_in_year,
            within_competence=review.within_competence,
        ),
        cost_remarks=review.cost_remarks,
        body=review.body,
        changes=[change_view(change) for change in review.changes],
        created_at=review.created_at,
    )


# --- what clients send, and what the API answers ------------------------------------------


class NewReview(Input):
    unit_id: Id | None = Field(
        None, description="The unit reviewing; needed only if the expert is of several."
    )
    opinion: Opinion
    checklist: dict[str, bool | None] = Field(
        default_factory=dict,
        description="site_city_owned, within_cost_cap, deliverable_in_year, within_competence: "
        "each true (yes), false (no), or null or left out (not assessed).",
    )
    cost_remarks: str = Field("", description=f"At most {COST_REMARKS_MAX} characters.")
    body: str = Field(description=f"The review itself: 1 to {BODY_MAX} characters.")
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Proposed changes: a draft field (as in the draft's shape) → its new value, "
        "of the field's type and different from the draft's. Errors name `changes.<field>`.",
    )


class DeclineChange(Input):
    reason: Reason


class AcceptChange(Input):
    """Nothing to say: an empty object."""


class ReviewAnswer(Shape):
    review: Review


class ReviewList(Shape):
    reviews: list[Review] = Field(description="Oldest first.")


class ChangeDecided(Shape):
    change: ProposedChange
    review: Review
    draft: DraftSummary = Field(description="The draft now (an accepted change: a new revision).")


# --- status moves ---------------------------------------------------------------------------


class StatusChange(Shape):
    """One move of a draft's status (the first: created, from null)."""

    from_status: Status | None
    to_status: Status
    actor: User
    message: str
    created_at: datetime


class MoveOption(Shape):
    """A move the viewer may make, and what stands in its way now, if anything."""

    to: Status
    possible: bool
    problem: str | None = Field(description="Why it cannot be made yet (null: it can).")
    missing: dict[str, str] = Field(description="Fields BO requires and the draft lacks.")


class DraftStatus(Shape):
    status: Status
    moves: list[MoveOption] = Field(description="For the viewer; empty for guests.")
    history: list[StatusChange] = Field(description="Oldest first.")


class StatusMove(Input):
    to: Status
    message: str = Field("", description=f"Why, for the authors and units (at most {MESSAGE_MAX}).")


class StatusMoved(Shape):
    draft: DraftSummary
    change: StatusChange


def status_change_view(change) -> StatusChange:
    return StatusChange(
        from_status=change.from_status,
        to_status=change.to_status,
        actor=user_view(change.actor),
        message=change.message,
        created_at=change.created_at,
    )


def move_option_view(move) -> MoveOption:
    problem = move.problem
    return MoveOption(
        to=move.to,
        possible=problem is None,
        problem=problem.message if problem is not None else None,
        missing=problem.fields if problem is not None else {},
    )
