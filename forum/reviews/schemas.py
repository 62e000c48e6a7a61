"""Shapes of reviews and the changes they propose (public, as drafts are)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.accounts.schemas import User, user_view
from forum.drafts.schemas import UnitRef
from forum.reviews.models import ProposedChange as ProposedChangeModel
from forum.reviews.models import Review as ReviewModel
from forum.schemas import Id, Shape

Opinion = Literal["positive", "needs_changes", "negative"]


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
