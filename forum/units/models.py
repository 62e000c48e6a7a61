"""What the city's expert units are asked to look at: threads and drafts tagged for a unit
(its queue, where an expert claims an item), and a unit's official answer in a thread."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import ExpertUnit, User
from forum.discussion.models import Post, Thread
from forum.drafts.models import Draft
from forum.extensions import UTCDateTime, db, utcnow


class UnitTag(db.Model):
    """A thread or a draft tagged for a unit: one item of the unit's queue. An untagged item
    keeps its row (removed_at), so the queue's stream can still name it."""

    __table_args__ = (
        CheckConstraint("(thread_id IS NULL) != (draft_id IS NULL)", name="thread_or_draft"),
        Index(
            "uq_unit_tag_thread",
            "unit_id",
            "thread_id",
            unique=True,
            sqlite_where=text("thread_id IS NOT NULL AND removed_at IS NULL"),
            postgresql_where=text("thread_id IS NOT NULL AND removed_at IS NULL"),
        ),
        Index(
            "uq_unit_tag_draft",
            "unit_id",
            "draft_id",
            unique=True,
            sqlite_where=text("draft_id IS NOT NULL AND removed_at IS NULL"),
            postgresql_where=text("draft_id IS NOT NULL AND removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("expert_unit.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"), index=True)
    tagged_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The expert of the unit who took the item on, if one did.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    unit: Mapped[ExpertUnit] = relationship()
    thread: Mapped[Thread | None] = relationship()
    draft: Mapped[Draft | None] = relationship()
    tagged_by: Mapped[User] = relationship(foreign_keys=[tagged_by_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class OfficialAnswer(db.Model):
    """A unit's expert reply marked as the unit's answer in a thread: shown at its top."""

    __table_args__ = (UniqueConstraint("thread_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("expert_unit.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[ExpertUnit] = relationship()
    post: Mapped[Post] = relationship()
    marked_by: Mapped[User] = relationship()
