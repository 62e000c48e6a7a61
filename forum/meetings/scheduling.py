"""Changing and cancelling a meeting, and finding meetings: per room, per area (with its
osiedla's rooms) and city-wide, upcoming or past. Services never commit; the caller owns the
transaction."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, true, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.areas.models import Area, Room
from forum.discussion import services as discussion
from forum.errors import NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.meetings import services
from forum.meetings.models import AgendaItem, Meeting, MeetingSignup
from forum.meetings.schemas import MeetingInput
from forum.notifications.services import notify
from forum.policy import can, ensure
from forum.realtime.subjects import with_meeting_parts

WHEN = ("upcoming", "past", "cancelled", "all")
REASON_MAX = 500


def signed_up_people(meeting_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(MeetingSignup.user_id)
            .where(MeetingSignup.meeting_id == meeting_id)
            .order_by(MeetingSignup.user_id)
        )
    )


def _sync_agenda(meeting: Meeting, data: MeetingInput) -> None:
    """Items keep their ids by position (the host may be on one); an item the meeting already
    reached is not removed."""
    items = list(meeting.agenda)
    for position, wanted in enumerate(data.agenda, start=1):
        if position <= len(items):
            item = items[position - 1]
            item.title, item.planned_minutes = wanted.title.strip(), wanted.planned_minutes
        else:
            meeting.agenda.append(
                AgendaItem(
                    position=position,
                    title=wanted.title.strip(),
                    planned_minutes=wanted.planned_minutes,
                )
            )
    for item in items[len(data.agenda) :]:
        if item.started_at is not None or item.id == meeting.current_item_id:
            raise ValidationError(
                _("Some fields need correcting."),
                {"agenda": _("Items the meeting has already reached stay on the agenda.")},
            )
        meeting.agenda.remove(item)


def _sync_invitations(meeting: Meeting, data: MeetingInput) -> set[int]:
    """Invite who is newly chosen and drop who is not; the people newly invited."""
    wanted = services.checked_invitations(data)  # checked: units that exist, people who are experts
    before = services.invited_people(meeting)
    units = {i.unit.id for i in wanted if i.unit is not None}
    experts = {i.user.id for i in wanted if i.user is not None}
    for invitation in list(meeting.invitations):
        if invitation.unit_id not in units and invitation.user_id not in experts:
            meeting.invitations.remove(invitation)
    have = {(i.unit_id, i.user_id) for i in meeting.invitations}
    for invitation in wanted:
        unit_id = invitation.unit.id if invitation.unit is not None else None
        user_id = invitation.user.id if invitation.user is not None else None
        if (unit_id, user_id) not in have:
            meeting.invitations.append(invitation)
    db.session.flush()
    return services.invited_people(meeting) - before


def _unless_same_minute(new: datetime, old: datetime) -> datetime:
    same = new.replace(second=0, microsecond=0) == old.replace(second=0, microsecond=0)
    return old if same else new


def edit_meeting(
    editor: User, meeting_id: int, data: MeetingInput, *, now: datetime | None = None
) -> Meeting:
    """Change a meeting before it ends: its times are checked again (as a move, against the
    room's other meetings); the people signed up hear when the time moves, the newly invited
    that they are invited."""
    now = now or utcnow()
    meeting = services.access_meeting(editor, meeting_id)
    ensure(editor, "meeting.edit", meeting)
    errors: dict[str, str] = {}
    title = discussion.clean_title(data.title, errors)  # as the meeting's thread was titled
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    video_url = services.clean_video_url(data.video_url)
    # A form writes minutes: the same minute as before is the time as stored (with its seconds).
    starts_at = _unless_same_minute(data.starts_at, meeting.starts_at)
    ends_at = _unless_same_minute(data.ends_at, meeting.ends_at)
    moved = (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at)
    if moved:
        if starts_at != meeting.starts_at and starts_at <= now:
            raise ValidationError(
                _("Some fields need correcting."), {"starts_at": _("Choose a time in the future.")}
            )
        services.check_times(meeting.room_id, starts_at, ends_at, now, moving=meeting.id)
    # Checked and set in one conditional UPDATE, so a sign-up racing it cannot pass the limit.
    fits = db.session.execute(
        update(Meeting)
        .where(
            Meeting.id == meeting.id,
            true() if data.capacity is None else Meeting.signup_count <= data.capacity,
        )
        .values(capacity=data.capacity)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(meeting, ["capacity", "signup_count"])
    if not fits:
        raise ValidationError(
            _("Some fields need correcting."),
            {
                "capacity": ngettext(
                    "%(num)d person has signed up already: the places cannot be fewer.",
                    "%(num)d people have signed up already: the places cannot be fewer.",
                    meeting.signup_count,
                )
            },
        )
    _sync_agenda(meeting, data)
    newly_invited = _sync_invitations(meeting, data)
    meeting.title = title
    meeting.description = data.description.strip()
    meeting.video_url = video_url
    if starts_at != meeting.starts_at:
        meeting.reminder_sent_at = None  # a new start: the reminder goes out again before it
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.updated_at = now
    db.session.flush()
    for user_id in sorted(newly_invited - {editor.id, meeting.host_id}):
        notify(user_id, "meeting_invited", actor_id=editor.id, meeting_id=meeting.id)
    if moved:
        for user_id in signed_up_people(meeting.id):
            if user_id != editor.id:
                notify(user_id, "meeting_changed", actor_id=editor.id, meeting_id=meeting.id)
    services.published(meeting)
    return meeting


def cancel_meeting(
    editor: User, meeting_id: int, reason: str, *, now: datetime | None = None
) -> Meeting:
    """Cancel a meeting before it ends; everyone signed up or invited is told why."""
    meeting = services.access_meeting(editor, meeting_id)
    ensure(editor, "meeting.edit", meeting)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            _("Some fields need correcting."),
            {"reason": _("Say why the meeting is cancelled: the people signed up are told.")},
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("Some fields need correcting."),
            {"reason": _("At most %(num)d characters.", num=REASON_MAX)},
        )
    now = now or utcnow()
    meeting.cancelled_at = now
    meeting.updated_at = now
    db.session.flush()
    told = set(signed_up_people(meeting.id)) | services.invited_people(meeting)
    for user_id in sorted(told - {editor.id}):
        notify(
            user_id, "meeting_cancelled", actor_id=editor.id, meeting_id=meeting.id, message=reason
        )
    services.published(meeting)
    return meeting


# --- finding meetings -------------------------------------------------------------------------


def readable_room_ids(viewer, rooms=None) -> list[int]:
    """The rooms (of these, or all) the viewer may read."""
    if rooms is None:
        rooms = db.session.scalars(select(Room).options(joinedload(Room.area))).all()
    return [room.id for room in rooms if can(viewer, "room.read", room)]


def rooms_within(area: Area) -> list[Room]:
    """The area's rooms and its osiedla's."""
    return list(
        db.session.scalars(
            select(Room)
            .join(Area, Room.area_id == Area.id)
            .where(Area.path.startswith(area.path))
            .options(joinedload(Room.area))
        )
    )


def meetings_query(room_ids, when: str = "upcoming", now: datetime | None = None):
    """Meetings of these rooms: upcoming (and live) soonest first, the rest latest first."""
    now = now or utcnow()
    query = (
        select(Meeting)
        .where(Meeting.room_id.in_(list(room_ids)))
        .options(joinedload(Meeting.room).joinedload(Room.area), joinedload(Meeting.host))
    )
    if when == "upcoming":
        return query.where(Meeting.cancelled_at.is_(None), Meeting.ends_at > now).order_by(
            Meeting.starts_at, Meeting.id
        )
    if when == "past":
        query = query.where(Meeting.cancelled_at.is_(None), Meeting.ends_at <= now)
    elif when == "cancelled":
        query = query.where(Meeting.cancelled_at.is_not(None))
    return query.order_by(Meeting.starts_at.desc(), Meeting.id.desc())


def list_meetings(
    viewer,
    *,
    area_id: int | None = None,
    room_id: int | None = None,
    when: str = "upcoming",
    page: int = 1,
    per_page: int = 20,
    now: datetime | None = None,
):
    """A page of the meetings the viewer may read, in an area (with its osiedla), a room, or
    the whole city."""
    if room_id is not None:
        room = db.session.get(Room, room_id)
        if room is None or not can(viewer, "room.read", room):
            raise NotFound(_("There is no such room."))
        rooms = [room]
    elif area_id is not None:
        area = db.session.get(Area, area_id)
        if area is None:
            raise NotFound(_("There is no such area."))
        rooms = rooms_within(area)
    else:
        rooms = None
    query = meetings_query(readable_room_ids(viewer, rooms), when, now)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def upcoming_for(viewer, *, area: Area | None = None, room: Room | None = None, limit=10):
    """The next meetings the viewer may read in a room, or in an area with its osiedla."""
    rooms = [room] if room is not None else rooms_within(area)
    query = meetings_query(readable_room_ids(viewer, rooms), "upcoming").limit(limit)
    return list(db.session.scalars(query))


def load_meetings_for(ids) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.id.in_(list(ids)))
            .options(*with_meeting_parts())
            .order_by(Meeting.starts_at)
        )
    )


def invitable_units() -> list[ExpertUnit]:
    return list(db.session.scalars(select(ExpertUnit).order_by(ExpertUnit.name)))


def invitable_experts() -> list[tuple[User, ExpertUnit | None]]:
    """The units' experts (one line per expert, with a unit they belong to)."""
    rows = db.session.execute(
        select(User, ExpertUnit)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .outerjoin(ExpertUnit, RoleGrant.unit_id == ExpertUnit.id)
        .where(RoleGrant.role == "expert")
        .order_by(User.display_name, User.id)
    ).all()
    seen, experts = set(), []
    for user, unit in rows:
        if user.id not in seen:
            seen.add(user.id)
            experts.append((user, unit))
    return experts


def filter_choice(value: str | None) -> str:
    return value if value in WHEN else "upcoming"
