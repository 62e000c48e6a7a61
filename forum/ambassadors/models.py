"""A resident's application to become an ambassador of an area."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.areas.models import Area
from forum.extensions import UTCDateTime, db, utcnow


class AmbassadorApplication(db.Model):
    __table_args__ = (
        # One pending application per person and area.
        Index(
            "uq_ambassador_application_pending",
            "user_id",
            "area_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_ambassador_application_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    motivation: Mapped[str] = mapped_column(Text)
    # How the city team and residents can reach the applicant (phone, e-mail, hours on duty).
    contact: Mapped[str] = mapped_column(String(200))
    # pending, approved, rejected, or withdrawn by the applicant
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_message: Mapped[str] = mapped_column(String(1000), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    area: Mapped[Area] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
