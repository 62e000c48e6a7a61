"""Shapes of a draft's supports as the API answers them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from forum.drafts.schemas import SupportTally
from forum.notifications.schemas import PlaceRef
from forum.schemas import Input, Shape
from forum.supports.models import Support as SupportModel
from forum.supports.services import SupportBox


class NewSupport(Input):
    """Nothing to say: an empty object."""


class OwnSupport(Shape):
    counts: bool = Field(description="Whether it counts toward BO's list of supporters.")
    created_at: datetime


class Supports(Shape):
    """A draft's supports as one viewer sees them."""

    draft_id: int
    supports: SupportTally
    district: PlaceRef = Field(
        description="Whose residents count: the draft's district (the city: everyone)."
    )
    mine: OwnSupport | None = Field(description="The viewer's support, if they gave one.")
    can_support: bool = Field(description="The viewer may support it now.")
    would_count: bool = Field(description="The viewer's support would count toward the list.")


def own_support_view(row: SupportModel) -> OwnSupport:
    return OwnSupport(counts=row.counts, created_at=row.created_at)


def supports_view(box: SupportBox) -> Supports:
    return Supports(
        draft_id=box.draft.id,
        supports=SupportTally(
            counted=box.tally.counted, others=box.tally.others, needed=box.tally.needed
        ),
        district=PlaceRef(id=box.district.id, name=box.district.label),
        mine=own_support_view(box.mine) if box.mine is not None else None,
        can_support=box.may_support,
        would_count=box.would_count,
    )
