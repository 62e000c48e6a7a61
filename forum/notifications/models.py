"""Notifications: something happened that concerns one person (a reply to their post, …)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from forum.accounts.models import ExpertUnit, User
from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread
from forum.drafts.models import Draft
from forum.extensions import UTCDateTime, db, utcnow
from forum.meetings.models import Meeting


class Notification(db.Model):
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # who is told
    kind: Mapped[str] = mapped_column(String(32))  # see notifications.services.KINDS
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    # For notifications about an area or a room (an application decided, a mute).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    # For notifications about a proposal draft, and the expert unit that acted (a review).
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("expert_unit.id"))
    # For notifications about a meeting (a reminder, minutes published, an invitation).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    # Words from the person who acted (an admin's message, a moderator's reason), if any.
    message: Mapped[str] = mapped_column(String(1000), default="")
    # When what it announces ends (a mute), if it ends.
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    thread: Mapped[Thread | None] = relationship()
    post: Mapped[Post | None] = relationship()
    area: Mapped[Area | None] = relationship()
    room: Mapped[Room | None] = relationship()
    draft: Mapped[Draft | None] = relationship()
    unit: Mapped[ExpertUnit | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def with_subjects():
    """Loader options for what a notification is about, as its view shows it."""
    return (
        joinedload(Notification.actor),
        joinedload(Notification.post),
        joinedload(Notification.thread).joinedload(Thread.room).joinedload(Room.area),
        joinedload(Notification.area),
        joinedload(Notification.room).joinedload(Room.area),
        joinedload(Notification.draft),
        joinedload(Notification.unit),
        joinedload(Notification.meeting),
    )
