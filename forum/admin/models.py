"""The audit log of the admin area: every change an admin (or the operator's CLI) made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.extensions import UTCDateTime, db, utcnow


class AuditEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None: the operator, on the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(40))  # see admin.audit.ACTIONS
    # What was changed, as "area:12", "room:3", "user:7", "unit:2", "application:5".
    target: Mapped[str] = mapped_column(String(40))
    # What changed, readable: "name: Stare Miasto → I Stare Miasto", "role: ambassador of XIII".
    detail: Mapped[str] = mapped_column(String(1000), default="")

    actor: Mapped[User | None] = relationship()
