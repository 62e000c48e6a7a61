"""Expert units' reviews of a draft's revision, and the changes a review proposes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import ExpertUnit, User
from forum.drafts.models import Draft
from forum.extensions import UTCDateTime, db, utcnow

OPINIONS = ("positive", "needs_changes", "negative")
# The review's checklist: each answered yes (True), no (False) or not assessed (None).
CHECKLIST = ("site_city_owned", "within_cost_cap", "deliverable_in_year", "within_competence")


class Review(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("expert_unit.id"), index=True)
    # The revision (DraftRevision.number) the expert reviewed.
    revision_number: Mapped[int] = mapped_column()
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opinion: Mapped[str] = mapped_column(String(16))
    site_city_owned: Mapped[bool | None] = mapped_column()
    within_cost_cap: Mapped[bool | None] = mapped_column()
    deliverable_in_year: Mapped[bool | None] = mapped_column()
    within_competence: Mapped[bool | None] = mapped_column()
    cost_remarks: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draft: Mapped[Draft] = relationship()
    unit: Mapped[ExpertUnit] = relationship()
    author: Mapped[User] = relationship()
    changes: Mapped[list[ProposedChange]] = relationship(
        back_populates="review", order_by="ProposedChange.id", cascade="all, delete-orphan"
    )


class ProposedChange(db.Model):
    """A new value for one named field of the draft, proposed in a review; the authors accept it
    (a new revision) or decline it with a reason. Kept either way."""

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))  # one of drafts.models.CONTENT_FIELDS
    value: Mapped[object] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, accepted, declined
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(String(1000), default="")
    # The revision that applied it, when accepted.
    revision_number: Mapped[int | None] = mapped_column()

    review: Mapped[Review] = relationship(back_populates="changes")
    draft: Mapped[Draft] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "open"
