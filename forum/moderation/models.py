"""The public moderation log, and mutes of a person in a room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from forum.accounts.models import User
from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread
from forum.extensions import UTCDateTime, db, utcnow


class ModerationEntry(db.Model):
    """One moderation action: who did what, to what, why and when. Rows are never changed.

    Public, per room and per area; the words of a hidden post are never part of it.
    """

    __table_args__ = (Index("ix_moderation_entry_room_created", "room_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(32))  # see moderation.services.ACTIONS
    # Where it happened: the room and its area (site-wide actions have neither).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    # The person acted upon (muted, suspended), if any.
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    # What else the entry needs to be read: the room a thread moved from, when a mute ends.
    detail: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
    area: Mapped[Area | None] = relationship()
    room: Mapped[Room | None] = relationship()
    thread: Mapped[Thread | None] = relationship()
    post: Mapped[Post | None] = relationship()


class Mute(db.Model):
    """A person may not write in a room until a time (or until a moderator lifts it)."""

    __table_args__ = (Index("ix_mute_user_room", "user_id", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    muted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    room: Mapped[Room] = relationship()
    muted_by: Mapped[User] = relationship(foreign_keys=[muted_by_id])

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None and self.until > utcnow()


@event.listens_for(Session, "before_flush")
def _log_is_append_only(session: Session, flush_context, instances) -> None:
    """The log is a record: a change or deletion of an entry is a bug, refused at the flush."""
    for entry in (*session.dirty, *session.deleted):
        if isinstance(entry, ModerationEntry) and (
            entry in session.deleted or session.is_modified(entry)
        ):
            raise RuntimeError("the moderation log is append-only")
