"""Threads, their posts (a tree through parent_id) and the edit history of posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.areas.models import Room
from forum.extensions import UTCDateTime, db, utcnow


class Thread(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")
    pinned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Replies that are not deleted; the opening post is not counted.
    reply_count: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    room: Mapped[Room] = relationship()
    author: Mapped[User] = relationship()
    # The proposal draft the thread became, and the expert units it is tagged for.
    draft: Mapped[Draft | None] = relationship(  # noqa: F821  (forum.drafts.models)
        "Draft", back_populates="source_thread", uselist=False
    )
    unit_tags: Mapped[list[UnitTag]] = relationship(  # noqa: F821  (forum.units.models)
        "UnitTag",
        primaryjoin="and_(UnitTag.thread_id == Thread.id, UnitTag.removed_at.is_(None))",
        viewonly=True,
        order_by="UnitTag.id",
    )

    @property
    def is_locked(self) -> bool:
        return self.status == "locked"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Post(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # None for the opening post; every reply hangs under the opening post or another reply.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    depth: Mapped[int] = mapped_column(default=0)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A moderator hid it: readers see the reason, its author and the area's moderators the words.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post", order_by="PostRevision.id", cascade="all, delete-orphan"
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_opening(self) -> bool:
        return self.parent_id is None


class PostRevision(db.Model):
    """An earlier version of a post, kept when the post is edited."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # When this version was written (the post's creation or an earlier edit).
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship(back_populates="revisions")
