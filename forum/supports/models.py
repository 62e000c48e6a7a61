"""Residents' supports of a draft: BO's support list, collected digitally."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.drafts.models import Draft
from forum.extensions import UTCDateTime, db, utcnow

# Supporters living in the district that a district proposal needs before it is filed.
DISTRICT_SUPPORTS_NEEDED = 15


class Support(db.Model):
    # One support per person and draft: the database holds it, also under parallel requests.
    __table_args__ = (UniqueConstraint("draft_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Whether it counts toward the district's 15: the supporter lived in the draft's district
    # when they signed (always True for a city-wide draft).
    counts: Mapped[bool] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draft: Mapped[Draft] = relationship()
    user: Mapped[User] = relationship()
