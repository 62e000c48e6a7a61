"""Meetings: scheduling one (with its thread), signing up within the capacity, and telling
everyone who follows a meeting or its room that it changed. Services never commit; the caller
owns the transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.areas.models import Room
from forum.discussion import services as discussion
from forum.discussion.services import access_room
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, insert_unless_taken, utcnow
from forum.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingInvitation,
    MeetingQuestion,
    MeetingSignup,
)
from forum.meetings.schemas import MeetingInput
from forum.notifications.services import notify
from forum.policy import ensure
from forum.realtime import events
from forum.realtime.streams import meeting_stream, publish, room_stream
from forum.realtime.subjects import with_meeting_parts

# A meeting is at least this long and at most this long.
SHORTEST, LONGEST = timedelta(minutes=10), timedelta(hours=12)


def access_meeting(viewer, meeting_id: int) -> Meeting:
    """The meeting, if the viewer may read its room; missing and forbidden look the same."""
    meeting = db.session.get(Meeting, meeting_id, options=with_meeting_parts())
    if meeting is None:
        raise NotFound(_("There is no such meeting."))
    ensure(viewer, "meeting.read", meeting)
    return meeting


def published(meeting: Meeting) -> None:
    """Tell the meeting's and its room's followers that it changed (in this transaction)."""
    db.session.flush()
    publish(events.MEETING_UPDATED, meeting_stream(meeting.id), meeting)
    publish(events.MEETING_UPDATED, room_stream(meeting.room_id), meeting)


def lock_room(room_id: int) -> None:
    """Take the room's row for this transaction, so two schedulings in one room check for
    overlaps one after the other (on SQLite this takes the database's write lock first)."""
    db.session.execute(update(Room).where(Room.id == room_id).values(position=Room.position))


def check_times(
    room_id: int, starts_at: datetime, ends_at: datetime, now: datetime, *, moving: int | None
) -> None:
    """A clear error if the times are impossible, or overlap another meeting of the room."""
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    elif ends_at - starts_at < SHORTEST:
        errors["ends_at"] = _("A meeting lasts at least 10 minutes.")
    elif ends_at - starts_at > LONGEST:
        errors["ends_at"] = _("A meeting lasts at most 12 hours.")
    if starts_at <= now and moving is None:
        errors["starts_at"] = _("Choose a time in the future.")
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    lock_room(room_id)
    other = db.session.scalar(
        select(Meeting)
        .where(
            Meeting.room_id == room_id,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at < ends_at,
            Meeting.ends_at > starts_at,
            Meeting.id != (moving or 0),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if other is not None:
        raise Conflict(
            _(
                "The room has another meeting then: “%(title)s”. Choose another time or room.",
                title=other.title,
            ),
            code="meeting_overlaps",
        )


def checked_invitations(data: MeetingInput) -> list[MeetingInvitation]:
    """The invited units and experts, checked: a unit must exist, an expert must be one."""
    units = db.session.scalars(
        select(ExpertUnit).where(ExpertUnit.id.in_(data.invited_unit_ids))
    ).all()
    errors = {}
    if len(units) != len(set(data.invited_unit_ids)):
        errors["invited_unit_ids"] = _("Choose expert units from the list.")
    experts = db.session.scalars(select(User).where(User.id.in_(data.invited_expert_ids))).all()
    if len(experts) != len(set(data.invited_expert_ids)) or not all(
        any(grant.role == "expert" for grant in expert.role_grants) for expert in experts
    ):
        errors["invited_expert_ids"] = _("Choose experts of the city's units.")
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    return [MeetingInvitation(unit=unit) for unit in units] + [
        MeetingInvitation(user=expert) for expert in experts
    ]


def invited_people(meeting: Meeting) -> set[int]:
    """Everyone invited: the invited experts and the experts of the invited units."""
    people = {i.user_id for i in meeting.invitations if i.user_id is not None}
    unit_ids = [i.unit_id for i in meeting.invitations if i.unit_id is not None]
    if unit_ids:
        people |= set(
            db.session.scalars(
                select(RoleGrant.user_id).where(
                    RoleGrant.role == "expert", RoleGrant.unit_id.in_(unit_ids)
                )
            )
        )
    return people


def clean_video_url(url: str) -> str:
    url = url.strip()
    if (
        url
        and not (url.startswith("https://") or url.startswith("http://"))
        or any(c.isspace() for c in url)
    ):
        raise ValidationError(
            _("Some fields need correcting."),
            {"video_url": _("Give the call's address, starting with https://.")},
        )
    return url


def schedule_meeting(
    host: User, room_id: int, data: MeetingInput, *, now: datetime | None = None
) -> Meeting:
    """Schedule a meeting in a room, with its agenda, invitations and its own thread."""
    now = now or utcnow()
    room = access_room(host, room_id)
    ensure(host, "meeting.schedule", room)
    video_url = clean_video_url(data.video_url)
    check_times(room.id, data.starts_at, data.ends_at, now, moving=None)
    invitations = checked_invitations(data)
    description = data.description.strip()
    thread = discussion.create_thread(
        host,
        room.id,
        data.title,
        description or _("The written discussion of the meeting “%(title)s”.", title=data.title),
    )
    meeting = Meeting(
        room=room,
        host=host,
        title=thread.title,  # cleaned as a thread's title is
        description=description,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        video_url=video_url,
        capacity=data.capacity,
        thread=thread,
        created_at=now,
        updated_at=now,
        agenda=[
            AgendaItem(position=n, title=item.title.strip(), planned_minutes=item.planned_minutes)
            for n, item in enumerate(data.agenda, start=1)
        ],
        invitations=invitations,
    )
    db.session.add(meeting)
    db.session.flush()
    for user_id in sorted(invited_people(meeting) - {host.id}):
        notify(user_id, "meeting_invited", actor_id=host.id, meeting_id=meeting.id)
    published(meeting)
    return meeting


def signup_of(user, meeting_id: int) -> MeetingSignup | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(MeetingSignup).where(
            MeetingSignup.meeting_id == meeting_id, MeetingSignup.user_id == user.id
        )
    )


def sign_up(user: User, meeting_id: int) -> MeetingSignup:
    """Sign up for a meeting (again: nothing changes). Past the capacity: 409 meeting_full.

    The count and the capacity are checked in one conditional UPDATE, so two people racing for
    the last place get one place and one refusal.
    """
    meeting = access_meeting(user, meeting_id)
    ensure(user, "meeting.signup", meeting)
    existing = signup_of(user, meeting.id)
    if existing is not None:
        return existing
    taken = db.session.execute(
        update(Meeting)
        .where(
            Meeting.id == meeting.id,
            (Meeting.capacity.is_(None)) | (Meeting.signup_count < Meeting.capacity),
        )
        .values(signup_count=Meeting.signup_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise Conflict(_("This meeting is full."), code="meeting_full")
    signup_id = insert_unless_taken(
        MeetingSignup,
        {"meeting_id": meeting.id, "user_id": user.id, "created_at": utcnow()},
        ["meeting_id", "user_id"],
    )
    if signup_id is None:  # a parallel request of the same person signed them up first
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting.id)
            .values(signup_count=Meeting.signup_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(meeting, ["signup_count"])
    published(meeting)
    return signup_of(user, meeting.id)


def withdraw_signup(user: User, meeting_id: int) -> None:
    meeting = access_meeting(user, meeting_id)
    signup = signup_of(user, meeting.id)
    if signup is None:
        raise NotFound(_("You are not signed up for this meeting."))
    ensure(user, "signup.withdraw", signup)
    removed = db.session.execute(
        MeetingSignup.__table__.delete().where(MeetingSignup.id == signup.id)
    ).rowcount
    if removed:
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting.id)
            .values(signup_count=Meeting.signup_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(meeting, ["signup_count"])
    published(meeting)


def questions_of(meeting_id: int) -> list[MeetingQuestion]:
    """The meeting's questions, oldest first (the caller checked that the viewer may read it)."""
    return list(
        db.session.scalars(
            select(MeetingQuestion)
            .where(MeetingQuestion.meeting_id == meeting_id)
            .options(joinedload(MeetingQuestion.author), joinedload(MeetingQuestion.unit))
            .order_by(MeetingQuestion.created_at, MeetingQuestion.id)
        )
    )
