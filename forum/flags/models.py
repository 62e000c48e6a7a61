"""A resident's flag on a post, open until a moderator resolves it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.discussion.models import Post
from forum.extensions import UTCDateTime, db, utcnow


class Flag(db.Model):
    __table_args__ = (
        # One open flag per person and post; after it is resolved they may flag again.
        Index(
            "uq_flag_open_per_flagger",
            "post_id",
            "flagger_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_flag_open", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    flagger_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(32))  # see flags.services.REASONS
    text: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))  # "dismissed" or "hidden"
    resolution_note: Mapped[str] = mapped_column(String(500), default="")

    post: Mapped[Post] = relationship()
    flagger: Mapped[User] = relationship(foreign_keys=[flagger_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
