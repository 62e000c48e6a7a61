"""Online meetings held in a room: their agenda, the people signed up and present, quick
questions to the invited experts, and the minutes. The video call itself is elsewhere (a link);
the written discussion is the meeting's own thread in the room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import ExpertUnit, User
from forum.areas.models import Room
from forum.discussion.models import Thread
from forum.drafts.models import Draft
from forum.extensions import UTCDateTime, db, utcnow

STATUSES = ("upcoming", "live", "ended", "cancelled")


class Meeting(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    # Who scheduled it and runs it: moves the agenda, answers questions, writes the minutes.
    host_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Stored in UTC; shown and entered in Europe/Warsaw (forum/meetings/times.py).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The external video call (the forum hosts no video), if any.
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # At most this many sign-ups; None: no limit. signup_count is kept beside it so that the
    # limit holds under racing sign-ups with one conditional UPDATE.
    capacity: Mapped[int | None] = mapped_column()
    signup_count: Mapped[int] = mapped_column(default=0)
    # The written discussion: a thread of the room, made with the meeting.
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), unique=True)
    # The agenda item the host is on now (None before the first move).
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", use_alter=True, name="fk_meeting_current_item_id")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once, by whoever sends the reminders first (several workers may try).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_source: Mapped[str] = mapped_column(Text, default="")
    minutes_html: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    room: Mapped[Room] = relationship()
    host: Mapped[User] = relationship()
    thread: Mapped[Thread] = relationship()
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        foreign_keys="AgendaItem.meeting_id",
    )
    current_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[current_item_id])
    invitations: Mapped[list[MeetingInvitation]] = relationship(
        back_populates="meeting", order_by="MeetingInvitation.id", cascade="all, delete-orphan"
    )
    outcomes: Mapped[list[MeetingOutcome]] = relationship(
        back_populates="meeting", order_by="MeetingOutcome.id", cascade="all, delete-orphan"
    )

    def status(self, now: datetime | None = None) -> str:
        """upcoming, live (between its start and end), ended or cancelled."""
        now = now or utcnow()
        if self.cancelled_at is not None:
            return "cancelled"
        if now >= self.ends_at:
            return "ended"
        return "live" if now >= self.starts_at else "upcoming"

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.signup_count >= self.capacity

    @property
    def has_minutes(self) -> bool:
        return self.minutes_published_at is not None


class AgendaItem(db.Model):
    __table_args__ = (CheckConstraint("planned_minutes > 0", name="planned_minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    planned_minutes: Mapped[int] = mapped_column()
    # When the host moved the meeting to it (None: not reached yet).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda", foreign_keys=[meeting_id])


class MeetingInvitation(db.Model):
    """An expert, or a whole expert unit, invited to take part and answer questions."""

    __table_args__ = (
        CheckConstraint(
            "(user_id IS NULL) <> (unit_id IS NULL)", name="invites_a_person_or_a_unit"
        ),
        # Named: the naming convention would give both the same name (its first column's).
        UniqueConstraint("meeting_id", "user_id", name="uq_meeting_invitation_meeting_id_user_id"),
        UniqueConstraint("meeting_id", "unit_id", name="uq_meeting_invitation_meeting_id_unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("expert_unit.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    user: Mapped[User | None] = relationship()
    unit: Mapped[ExpertUnit | None] = relationship()


class MeetingSignup(db.Model):
    # One sign-up per person and meeting: the database holds it under parallel requests.
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship()


class MeetingAttendance(db.Model):
    """A logged-in person who had the meeting open while it ran: the attendance record."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship()


class MeetingQuestion(db.Model):
    """A quick question to the invited experts (to one unit, or to all), which the host marks
    answered once it was."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The invited unit it is for; None: for any of the invited experts.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("expert_unit.id"))
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    meeting: Mapped[Meeting] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    unit: Mapped[ExpertUnit | None] = relationship()
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class MeetingOutcome(db.Model):
    """A thread or a draft that came out of the meeting, linked from its minutes."""

    __table_args__ = (
        CheckConstraint(
            "(thread_id IS NULL) <> (draft_id IS NULL)", name="links_a_thread_or_a_draft"
        ),
        UniqueConstraint("meeting_id", "thread_id", name="uq_meeting_outcome_meeting_id_thread_id"),
        UniqueConstraint("meeting_id", "draft_id", name="uq_meeting_outcome_meeting_id_draft_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="outcomes")
    thread: Mapped[Thread | None] = relationship()
    draft: Mapped[Draft | None] = relationship()
