"""Every permission rule of the forum, and why it refuses.

Views, the API and socket handlers ask one of three questions:

- ``decide(user, action, target)`` → a Decision: allowed, or denied with a reason code;
- ``can(user, action, target)`` → just the yes or no (templates and ``can_*`` flags);
- ``ensure(user, action, target)`` → nothing, or raises the domain error the reason maps to.

So a refusal is explained once, here, and never re-derived elsewhere. The user is a logged-in
User or Flask-Login's anonymous user (a guest). Rules that need to read a target first check that
the user may read it, and answer "not_found" if not: missing and forbidden look the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_datetime
from flask_babel import gettext as _

from forum.accounts.models import SUSPENDED_INDEFINITELY, ExpertUnit, User
from forum.ambassadors.models import AmbassadorApplication
from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread
from forum.errors import Conflict, DomainError, Forbidden, NotAuthenticated, NotFound
from forum.flags.models import Flag
from forum.moderation.models import Mute  # noqa: F401  (User.mutes is mapped to it)
from forum.notifications.models import Notification


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # a key of REFUSALS when denied
    detail: object = None  # what the refusal's message needs beside the target (a mute's end)

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str, detail: object = None) -> Decision:
    return Decision(False, reason, detail)


def is_moderator_of(user, area: Area) -> bool:
    """Admins moderate everywhere; ambassadors in their areas and the sub-areas below."""
    if not user.is_authenticated:
        return False
    return user.is_admin or user.is_ambassador_for(area)


# --- rules: each returns ALLOW or deny(reason) ---------------------------------------------


def _read_room(user, room: Room) -> Decision:
    """Public rooms are for everyone; a restricted room only for its members and the admins."""
    if room.is_public:
        return ALLOW
    if user.is_authenticated and (user.is_admin or user.is_member_of(room)):
        return ALLOW
    return deny("not_found")


def _read_thread(user, thread: Thread) -> Decision:
    return _read_room(user, thread.room)


def _write_in(user, room: Room) -> Decision:
    """Whether a reader of the room may write in it now: logged in, not suspended, not muted
    there, and the room still open."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_suspended:
        return deny("suspended", user.suspended_until)
    if room.is_archived:
        return deny("room_archived")
    muted_until = user.muted_until(room)
    return deny("muted", muted_until) if muted_until else ALLOW


def _create_thread(user, room: Room) -> Decision:
    if not (read := _read_room(user, room)):
        return read
    return _write_in(user, room)


def _thread_accepts_posts(user, thread: Thread) -> Decision:
    if thread.is_deleted:
        return deny("thread_deleted")
    if thread.is_locked and not is_moderator_of(user, thread.room.area):
        return deny("thread_locked")
    return ALLOW


def _reply(user, thread: Thread) -> Decision:
    if not (read := _read_thread(user, thread)):
        return read
    if not (write := _write_in(user, thread.room)):
        return write
    return _thread_accepts_posts(user, thread)


def _own_live_post(user, post: Post) -> Decision:
    if not (read := _read_thread(user, post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if post.author_id != user.id or post.is_deleted:
        return deny("not_author")
    return ALLOW


def _edit_post(user, post: Post) -> Decision:
    if not (own := _own_live_post(user, post)):
        return own
    if not (write := _write_in(user, post.thread.room)):
        return write
    return _thread_accepts_posts(user, post.thread)


def _delete_post(user, post: Post) -> Decision:
    # Authors may take their words back even from a locked thread, or while muted.
    if not (own := _own_live_post(user, post)):
        return own
    return deny("thread_deleted") if post.thread.is_deleted else ALLOW


def _read_hidden_post(user, post: Post) -> Decision:
    """The words of a post a moderator hid: its author and the area's moderators still see them."""
    if not (read := _read_thread(user, post.thread)):
        return read
    if user.is_authenticated and post.author_id == user.id:
        return ALLOW
    return ALLOW if is_moderator_of(user, post.thread.room.area) else deny("not_moderator")


def _moderate_post(user, post: Post) -> Decision:
    if not (read := _read_thread(user, post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if not is_moderator_of(user, post.thread.room.area):
        return deny("not_moderator")
    return deny("post_deleted") if post.is_deleted else ALLOW


def _moderate_thread(user, thread: Thread) -> Decision:
    """Lock, unlock, pin, unpin or move a thread (the move's destination is asked separately)."""
    if not (read := _read_thread(user, thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if not is_moderator_of(user, thread.room.area):
        return deny("not_moderator")
    return deny("thread_deleted") if thread.is_deleted else ALLOW


def _moderate_room(user, room: Room) -> Decision:
    """Mute people in the room, see who is muted there, receive threads moved into it."""
    if not (read := _read_room(user, room)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if is_moderator_of(user, room.area) else deny("not_moderator")


def _moderate_area(user, area: Area) -> Decision:
    """The area's flag queue and its live stream: its moderators (and the admins) only."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if is_moderator_of(user, area) else deny("not_moderator")


def _flag_post(user, post: Post) -> Decision:
    if not (read := _read_thread(user, post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_suspended:
        return deny("suspended", user.suspended_until)
    if post.is_deleted:
        return deny("post_deleted")
    return deny("own_post") if post.author_id == user.id else ALLOW


def _resolve_flag(user, flag: Flag) -> Decision:
    if not (read := _read_thread(user, flag.post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if not is_moderator_of(user, flag.post.thread.room.area):
        return deny("not_moderator")
    return ALLOW if flag.is_open else deny("flag_resolved")


def _apply_as_ambassador(user, area: Area) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_suspended:
        return deny("suspended", user.suspended_until)
    if area.kind not in ("district", "subarea") or area.is_archived:
        return deny("not_found")
    return deny("already_ambassador") if user.is_ambassador_for(area) else ALLOW


def _withdraw_application(user, application: AmbassadorApplication) -> Decision:
    """An applicant may withdraw their own application while it waits for a decision."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    if application.user_id != user.id:
        return deny("not_found")
    return ALLOW if application.status == "pending" else deny("application_decided")


def _read_unit_queue(user, unit: ExpertUnit) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_admin or user.is_expert_of(unit):
        return ALLOW
    return deny("not_unit_member")


def _read_own_stream(user, owner: User) -> Decision:
    """A person's notifications are theirs alone."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if user.id == owner.id else deny("not_found")


def _read_notification(user, notification: Notification) -> Decision:
    """One's notifications are one's own; anyone else's looks like a missing one."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if notification.user_id == user.id else deny("not_found")


def _administer(user, _target) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if user.is_admin else deny("not_admin")


RULES: dict[str, Callable[[User, object], Decision]] = {
    "room.read": _read_room,
    "thread.read": _read_thread,
    "thread.create": _create_thread,
    "post.reply": _reply,
    "post.edit": _edit_post,
    "post.delete": _delete_post,
    "thread.moderate": _moderate_thread,
    "room.moderate": _moderate_room,
    "area.moderate": _moderate_area,
    "post.read_hidden": _read_hidden_post,
    "post.hide": _moderate_post,
    "post.restore": _moderate_post,
    "post.flag": _flag_post,
    "flag.resolve": _resolve_flag,
    "ambassador.apply": _apply_as_ambassador,
    "application.withdraw": _withdraw_application,
    "unit.read_queue": _read_unit_queue,
    "user.read_stream": _read_own_stream,
    "notification.read": _read_notification,
    # The admin area: everything in it is for the admins alone.
    "admin.read": _administer,
    "applications.review": _administer,
    "areas.manage": _administer,
    "units.manage": _administer,
    "roles.manage": _administer,
    "rooms.manage": _administer,
    "users.suspend": _administer,
}


def decide(user, action: str, target) -> Decision:
    """Whether the user (or guest) may perform the action on the target, and if not, why."""
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(f"unknown policy action: {action}") from None
    return rule(user, target)


def can(user, action: str, target) -> bool:
    return decide(user, action, target).allowed


def ensure(user, action: str, target) -> None:
    """Raise the domain error that explains a refusal; return quietly if allowed."""
    decision = decide(user, action, target)
    if not decision:
        raise refusal(decision.reason, target, decision.detail)


def _not_found(target, _detail) -> DomainError:
    messages = {
        Area: _("There is no such area."),
        Room: _("There is no such room."),
        Thread: _("There is no such thread."),
        Post: _("There is no such post."),
        User: _("There is no such user."),
        Notification: _("There is no such notification."),
        Flag: _("There is no such flag."),
        AmbassadorApplication: _("There is no such application."),
    }
    return NotFound(messages.get(type(target), _("There is nothing here.")))


REFUSALS: dict[str, Callable[[object], DomainError]] = {
    "not_found": _not_found,
    "not_authenticated": lambda _t, _d: NotAuthenticated(
        _("Log in to take part in the discussion.")
    ),
    "not_author": lambda _t, _d: Forbidden(_("You may change only your own posts.")),
    "thread_deleted": lambda _t, _d: Conflict(_("This thread was deleted."), code="thread_deleted"),
    "thread_locked": lambda _t, _d: Conflict(
        _("This thread is locked: no new posts or edits."), code="thread_locked"
    ),
    "post_deleted": lambda _t, _d: Conflict(_("This post was deleted."), code="post_deleted"),
    "not_moderator": lambda _t, _d: Forbidden(
        _("Only the area's ambassadors and the city's coordinators may do this.")
    ),
    "not_unit_member": lambda _t, _d: Forbidden(_("Only the unit's experts may see its queue.")),
    "not_admin": lambda _t, _d: Forbidden(_("Only the city's coordinators may do this.")),
    "suspended": lambda _t, until: Forbidden(
        _("Your account is suspended until the city's coordinators lift it.")
        if until == SUSPENDED_INDEFINITELY
        else _("Your account is suspended until %(until)s.", until=format_datetime(until, "short")),
        code="suspended",
    ),
    "muted": lambda _t, until: Forbidden(
        _(
            "A moderator muted you in this room until %(until)s: you may read, but not write.",
            until=format_datetime(until, "short"),
        ),
        code="muted",
    ),
    "room_archived": lambda _t, _d: Conflict(
        _("This room is archived: it takes no new threads or posts."), code="room_archived"
    ),
    "own_post": lambda _t, _d: Conflict(_("You cannot flag your own post."), code="own_post"),
    "flag_resolved": lambda _t, _d: Conflict(
        _("This flag was resolved already."), code="flag_resolved"
    ),
    "already_ambassador": lambda _t, _d: Conflict(
        _("You are an ambassador of this area already."), code="already_ambassador"
    ),
    "application_decided": lambda _t, _d: Conflict(
        _("This application was decided or withdrawn already."), code="application_decided"
    ),
}


def refusal(reason: str, target=None, detail=None) -> DomainError:
    """The domain error for a denial's reason."""
    return REFUSALS[reason](target, detail)
