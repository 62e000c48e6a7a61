"""The city-wide workshop series of a budget edition: three stages, each a workshop meeting
in one of the city track's rooms: (1) residents' needs, (2) ideas that answer them, (3) drafts
made of the ideas through the promotion path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.budget.models import BudgetEdition
from forum.discussion.models import Thread
from forum.extensions import UTCDateTime, db, utcnow
from forum.meetings.models import Meeting

# The stages in order; a stage's number is its place here plus one.
STAGES = ("needs", "ideas", "proposals")
# What a thread of stage 1 and of stage 2 is.
ITEM_KINDS = ("need", "idea")


class WorkshopSeries(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("budget_edition.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[BudgetEdition] = relationship()
    created_by: Mapped[User] = relationship()
    stages: Mapped[list[WorkshopStage]] = relationship(
        back_populates="series", order_by="WorkshopStage.number", cascade="all, delete-orphan"
    )


class WorkshopStage(db.Model):
    __table_args__ = (UniqueConstraint("series_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("workshop_series.id"))
    number: Mapped[int] = mapped_column()  # 1, 2, 3
    kind: Mapped[str] = mapped_column(String(16))  # one of STAGES
    # The stage's workshop: a meeting in one of the city track's rooms.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)

    series: Mapped[WorkshopSeries] = relationship(back_populates="stages")
    meeting: Mapped[Meeting] = relationship()


class WorkshopItem(db.Model):
    """A thread marked as a need (stage 1) or an idea (stage 2) of a series."""

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("workshop_stage.id"), index=True)
    # A thread is an item of at most one series' stage.
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # one of ITEM_KINDS
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stage: Mapped[WorkshopStage] = relationship()
    thread: Mapped[Thread] = relationship()
    marked_by: Mapped[User] = relationship()
    # For an idea: the needs it answers.
    answers: Mapped[list[IdeaNeed]] = relationship(
        foreign_keys="IdeaNeed.idea_id",
        back_populates="idea",
        order_by="IdeaNeed.id",
        cascade="all, delete-orphan",
    )


class IdeaNeed(db.Model):
    """An idea answers a need."""

    __table_args__ = (UniqueConstraint("idea_id", "need_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("workshop_item.id"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("workshop_item.id"), index=True)

    idea: Mapped[WorkshopItem] = relationship(foreign_keys=[idea_id], back_populates="answers")
    need: Mapped[WorkshopItem] = relationship(foreign_keys=[need_id])
