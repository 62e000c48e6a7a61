"""Notifications: something happened that concerns one person (a reply to their post, …)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.discussion.models import Post, Thread
from forum.extensions import UTCDateTime, db, utcnow


class Notification(db.Model):
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # who is told
    kind: Mapped[str] = mapped_column(String(32))  # see notifications.services.KINDS
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    thread: Mapped[Thread | None] = relationship()
    post: Mapped[Post | None] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
