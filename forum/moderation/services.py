"""Moderation in one's own areas: hide and restore posts; lock, pin and move threads; mute people
in a room; and read the public log of it all.

Every operation runs in the caller's transaction, asks the policy, publishes what readers must
see change, notifies the person it concerns and writes one entry to the log (forum/moderation/log).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from forum.accounts.models import User, with_grants
from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread
from forum.discussion.services import access_post, access_room, access_thread
from forum.errors import Conflict, NotFound, field_error
from forum.extensions import db, utcnow
from forum.moderation import log
from forum.moderation.models import ModerationEntry, Mute
from forum.moderation.reasons import clean_reason
from forum.notifications.services import notify
from forum.policy import can, decide, ensure, is_moderator_of, refusal
from forum.realtime import events
from forum.realtime.streams import publish, room_stream, thread_stream

MUTE_MAX_MINUTES = 525_600  # a year
# What the forms offer: one hour, a day, a week, a month.
MUTE_DURATIONS = (60, 24 * 60, 7 * 24 * 60, 30 * 24 * 60)
MUTES_PER_PAGE = 50  # muted people on a page of a room's list


def _as_committed_and_locked(row, attributes: list[str]) -> None:
    """Re-read the attributes a moderation step checks, locking the row until commit.

    Two moderators acting at once (or a moderator and an author) each read the row before
    either wrote it; without the lock both would find it open, both would lock it, and the log
    and the readers would get the change twice. With it, the second waits for the first's
    commit and then sees what it did. (SQLite lets one writer in at a time: no lock needed.)
    """
    db.session.refresh(row, attributes, with_for_update=True)


# --- posts -----------------------------------------------------------------------------------


def hide_post(moderator, post_id: int, reason: str | None) -> Post:
    """Hide a post with a reason: readers see the reason in its place, its author and the area's
    moderators still see the words."""
    post = access_post(moderator, post_id)
    ensure(moderator, "post.hide", post)
    reason = clean_reason(reason)
    _as_committed_and_locked(post, ["hidden_at", "hidden_by_id", "hidden_reason"])
    if post.is_hidden:
        raise Conflict(_("This post is hidden already."), code="post_hidden")
    post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), moderator.id, reason
    log.record(moderator, "post_hidden", post=post, reason=reason)
    publish(events.POST_HIDDEN, thread_stream(post.thread_id), post)
    if post.author_id != moderator.id:
        notify(
            post.author_id,
            "post_hidden",
            actor_id=moderator.id,
            thread_id=post.thread_id,
            post_id=post.id,
            message=reason,
        )
    return post


def restore_post(moderator, post_id: int, reason: str | None = None) -> Post:
    """Show a hidden post to everyone again."""
    post = access_post(moderator, post_id)
    ensure(moderator, "post.restore", post)
    reason = clean_reason(reason, required=False)
    _as_committed_and_locked(post, ["hidden_at", "hidden_by_id", "hidden_reason"])
    if not post.is_hidden:
        raise Conflict(_("This post is not hidden."), code="post_not_hidden")
    post.hidden_at = post.hidden_by_id = post.hidden_reason = None
    log.record(moderator, "post_restored", post=post, reason=reason)
    publish(events.POST_RESTORED, thread_stream(post.thread_id), post)
    return post


# --- threads ---------------------------------------------------------------------------------


def access_thread_to_moderate(moderator, thread_id: int) -> Thread:
    thread = access_thread(moderator, thread_id)
    ensure(moderator, "thread.moderate", thread)
    return thread


def _thread_changed(thread: Thread) -> None:
    publish(events.THREAD_UPDATED, thread_stream(thread.id), thread)
    publish(events.THREAD_UPDATED, room_stream(thread.room_id), thread)


def _set_state(moderator, thread_id: int, reason, action: str, change) -> Thread:
    """Change the thread's state as `change` does (it returns a Conflict if there is nothing
    to change), log it and tell the thread's and the room's readers."""
    thread = access_thread_to_moderate(moderator, thread_id)
    reason = clean_reason(reason, required=False)
    _as_committed_and_locked(thread, ["status", "pinned"])
    conflict = change(thread)
    if conflict is not None:
        raise conflict
    db.session.flush()
    log.record(moderator, action, thread=thread, reason=reason)
    _thread_changed(thread)
    return thread


def _lock(thread: Thread) -> Conflict | None:
    if thread.is_locked:
        return Conflict(_("This thread is locked already."), code="thread_locked")
    thread.status = "locked"
    return None


def _unlock(thread: Thread) -> Conflict | None:
    if not thread.is_locked:
        return Conflict(_("This thread is not locked."), code="thread_not_locked")
    thread.status = "open"
    return None


def _pin(thread: Thread) -> Conflict | None:
    if thread.pinned:
        return Conflict(_("This thread is pinned already."), code="thread_pinned")
    thread.pinned = True
    return None


def _unpin(thread: Thread) -> Conflict | None:
    if not thread.pinned:
        return Conflict(_("This thread is not pinned."), code="thread_not_pinned")
    thread.pinned = False
    return None


def lock_thread(moderator, thread_id: int, reason: str | None = None) -> Thread:
    """No new posts or edits in the thread, except by its moderators."""
    return _set_state(moderator, thread_id, reason, "thread_locked", _lock)


def unlock_thread(moderator, thread_id: int, reason: str | None = None) -> Thread:
    return _set_state(moderator, thread_id, reason, "thread_unlocked", _unlock)


def pin_thread(moderator, thread_id: int, reason: str | None = None) -> Thread:
    """Keep the thread at the top of its room."""
    return _set_state(moderator, thread_id, reason, "thread_pinned", _pin)


def unpin_thread(moderator, thread_id: int, reason: str | None = None) -> Thread:
    return _set_state(moderator, thread_id, reason, "thread_unpinned", _unpin)


def district_of(area: Area) -> Area:
    """The district an osiedle belongs to; any other area stands for itself."""
    return area.parent if area.kind == "subarea" and area.parent is not None else area


def move_destinations(moderator, thread: Thread) -> list[Room]:
    """The other rooms of the thread's district (and its osiedla) the moderator may move it to."""
    home = district_of(thread.room.area)
    rooms = db.session.scalars(
        select(Room)
        .join(Area, Room.area_id == Area.id)
        .where(or_(Area.id == home.id, Area.parent_id == home.id), Room.id != thread.room_id)
        .options(joinedload(Room.area))
        .order_by(Area.position, Area.id, Room.position, Room.id)
    ).all()
    return [r for r in rooms if not r.is_archived and can(moderator, "room.moderate", r)]


def move_thread(moderator, thread_id: int, room_id: int, reason: str | None = None) -> Thread:
    """Move a thread to another room of the same district; its author is told where."""
    thread = access_thread_to_moderate(moderator, thread_id)
    reason = clean_reason(reason, required=False)
    destination = db.session.get(Room, room_id, options=[joinedload(Room.area)])
    if destination is None or not can(moderator, "room.read", destination):
        raise field_error("room_id", _("There is no such room."))
    home = district_of(thread.room.area)
    if destination.area_id != home.id and destination.area.parent_id != home.id:
        raise field_error("room_id", _("A thread moves only to a room of its own district."))
    if destination.id == thread.room_id:
        raise field_error("room_id", _("The thread is in this room already."))
    if destination.is_archived:
        raise field_error("room_id", _("This room is archived: it takes no new threads or posts."))
    ensure(moderator, "room.moderate", destination)
    origin = thread.room
    thread.room = destination
    db.session.flush()
    # Logged in the room it left; the entry names where it went.
    log.record(
        moderator,
        "thread_moved",
        room=origin,
        thread=thread,
        reason=reason,
        detail=str(destination.id),
    )
    publish(events.THREAD_UPDATED, thread_stream(thread.id), thread)
    publish(events.THREAD_UPDATED, room_stream(origin.id), thread)
    publish(events.THREAD_CREATED, room_stream(destination.id), thread)
    if thread.author_id != moderator.id:
        notify(
            thread.author_id,
            "thread_moved",
            actor_id=moderator.id,
            thread_id=thread.id,
            room_id=destination.id,
            area_id=destination.area_id,
            message=reason,
        )
    return thread


# --- people in a room ------------------------------------------------------------------------


def access_room_to_moderate(moderator, room_id: int) -> Room:
    room = access_room(moderator, room_id)
    ensure(moderator, "room.moderate", room)
    return room


def mute(moderator, room_id: int, user_id: int, minutes: int, reason: str | None) -> Mute:
    """The person may read the room but not write in it for `minutes`; a new mute replaces an
    active one."""
    room = access_room_to_moderate(moderator, room_id)
    person = db.session.get(User, user_id, options=[with_grants()])
    if person is None:
        raise field_error("user_id", _("There is no such user."))
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise field_error("minutes", _("Must be a whole number."))
    if not 1 <= minutes <= MUTE_MAX_MINUTES:
        raise field_error(
            "minutes", _("Choose from %(low)d to %(high)d minutes.", low=1, high=MUTE_MAX_MINUTES)
        )
    reason = clean_reason(reason)
    if person.id == moderator.id:
        raise Conflict(_("You cannot mute yourself."), code="cannot_mute_self")
    if is_moderator_of(person, room.area):
        raise Conflict(_("A moderator of this room cannot be muted."), code="cannot_mute_moderator")
    now = utcnow()
    for active in _active_mutes(room.id, person.id):
        active.lifted_at, active.lifted_by_id = now, moderator.id
    until = now + timedelta(minutes=minutes)
    new = Mute(
        user_id=person.id,
        room_id=room.id,
        muted_by_id=moderator.id,
        reason=reason,
        created_at=now,
        until=until,
    )
    db.session.add(new)
    db.session.flush()
    log.record(
        moderator,
        "user_muted",
        room=room,
        subject_user=person,
        reason=reason,
        detail=until.isoformat(),
    )
    notify(
        person.id,
        "muted",
        actor_id=moderator.id,
        room_id=room.id,
        area_id=room.area_id,
        message=reason,
        until=until,
    )
    return new


def _active_in(room_id: int):
    """The room's mutes in force now."""
    return select(Mute).where(
        Mute.room_id == room_id, Mute.lifted_at.is_(None), Mute.until > utcnow()
    )


def _active_mutes(room_id: int, user_id: int) -> list[Mute]:
    query = _active_in(room_id).where(Mute.user_id == user_id)
    return list(db.session.scalars(query.options(joinedload(Mute.user)).order_by(Mute.until)))


def unmute(moderator, mute_id: int, reason: str | None = None) -> Mute:
    """Lift a mute before it ends."""
    found = db.session.get(Mute, mute_id, options=[joinedload(Mute.room).joinedload(Room.area)])
    if found is None or not can(moderator, "room.read", found.room):
        raise NotFound(_("There is no such mute."))
    ensure(moderator, "room.moderate", found.room)
    reason = clean_reason(reason, required=False)
    if not found.is_active:
        raise Conflict(_("This mute has ended already."), code="mute_not_active")
    found.lifted_at, found.lifted_by_id = utcnow(), moderator.id
    log.record(moderator, "user_unmuted", room=found.room, subject_user=found.user, reason=reason)
    return found


def room_mutes(moderator, room_id: int, page: int = 1, per_page: int = MUTES_PER_PAGE):
    """A page of who is muted in the room now, the soonest to end first (its moderators only).
    (room, Flask-SQLAlchemy page)"""
    room = access_room_to_moderate(moderator, room_id)
    query = (
        _active_in(room.id)
        .options(joinedload(Mute.user).options(with_grants()), joinedload(Mute.muted_by))
        .order_by(Mute.until, Mute.id)
    )
    return room, db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def muted_note(user, room: Room) -> str:
    """What a logged-in person muted in the room is told beside its forms (else nothing)."""
    if not user.is_authenticated:
        return ""
    decision = decide(user, "thread.create", room)
    if decision.reason != "muted":
        return ""
    return refusal(decision.reason, room, decision.detail).message


def access_person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_("There is no such user."))
    return person


# --- the public log --------------------------------------------------------------------------


def _unreadable_rooms(viewer) -> list[int]:
    """Restricted rooms the viewer may not read: their entries are left out of every log."""
    restricted = db.session.scalars(select(Room).where(Room.is_public.is_(False))).all()
    return [room.id for room in restricted if not can(viewer, "room.read", room)]


def _log_page(viewer, condition, page: int, per_page: int):
    hidden_rooms = _unreadable_rooms(viewer)
    query = select(ModerationEntry).where(condition)
    if hidden_rooms:
        query = query.where(
            or_(ModerationEntry.room_id.is_(None), ModerationEntry.room_id.not_in(hidden_rooms))
        )
    query = query.options(
        joinedload(ModerationEntry.actor).options(with_grants()),
        joinedload(ModerationEntry.subject_user),
        joinedload(ModerationEntry.room).joinedload(Room.area),
        joinedload(ModerationEntry.area),
        joinedload(ModerationEntry.thread).joinedload(Thread.room).joinedload(Room.area),
    ).order_by(ModerationEntry.created_at.desc(), ModerationEntry.id.desc())
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def room_log(viewer, room_id: int, page: int = 1, per_page: int = 20):
    """The room's moderation log, newest first; a room the viewer may not read is not found."""
    room = access_room(viewer, room_id)
    return room, _log_page(viewer, ModerationEntry.room_id == room.id, page, per_page)


def area_log(viewer, area_id: int, page: int = 1, per_page: int = 20):
    """The log of an area's rooms and its osiedla's; the city's has everything, site-wide
    entries (suspensions) too."""
    area = db.session.get(Area, area_id)
    if area is None:
        raise NotFound(_("There is no such area."))
    if area.kind == "city":
        condition = ModerationEntry.id.is_not(None)
    else:
        within = select(Area.id).where(Area.path.like(f"%/{area.id}/%"))
        condition = ModerationEntry.area_id.in_(within)
    return area, _log_page(viewer, condition, page, per_page)


def moved_to(entry: ModerationEntry, viewer) -> Room | None:
    """The room a moved thread went to, if the viewer may read it."""
    if entry.action != "thread_moved" or not entry.detail.isdigit():
        return None
    room = db.session.get(Room, int(entry.detail))
    return room if room is not None and can(viewer, "room.read", room) else None


def mute_end(entry: ModerationEntry) -> datetime | None:
    if entry.action != "user_muted" or not entry.detail:
        return None
    try:
        return datetime.fromisoformat(entry.detail)
    except ValueError:
        return None
