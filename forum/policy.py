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

from flask_babel import gettext as _

from forum.accounts.models import ExpertUnit, User
from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread
from forum.errors import Conflict, DomainError, Forbidden, NotAuthenticated, NotFound
from forum.notifications.models import Notification


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # a key of REFUSALS when denied

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, reason)


def is_moderator_of(user, area: Area) -> bool:
    """Admins moderate everywhere; ambassadors in their areas and the sub-areas below."""
    if not user.is_authenticated:
        return False
    return user.is_admin or user.is_ambassador_for(area)


# --- rules: each returns ALLOW or deny(reason) ---------------------------------------------


def _read_room(user, room: Room) -> Decision:
    return ALLOW if room.is_public or is_moderator_of(user, room.area) else deny("not_found")


def _read_thread(user, thread: Thread) -> Decision:
    return _read_room(user, thread.room)


def _create_thread(user, room: Room) -> Decision:
    if not (read := _read_room(user, room)):
        return read
    return ALLOW if user.is_authenticated else deny("not_authenticated")


def _thread_accepts_posts(user, thread: Thread) -> Decision:
    if thread.is_deleted:
        return deny("thread_deleted")
    if thread.is_locked and not is_moderator_of(user, thread.room.area):
        return deny("thread_locked")
    return ALLOW


def _reply(user, thread: Thread) -> Decision:
    if not (read := _read_thread(user, thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
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
    return _thread_accepts_posts(user, post.thread)


def _delete_post(user, post: Post) -> Decision:
    # Authors may take their words back even from a locked thread.
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
    if not (read := _read_thread(user, thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if is_moderator_of(user, thread.room.area) else deny("not_moderator")


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
    "post.read_hidden": _read_hidden_post,
    "post.hide": _moderate_post,
    "post.restore": _moderate_post,
    "unit.read_queue": _read_unit_queue,
    "user.read_stream": _read_own_stream,
    "notification.read": _read_notification,
    "roles.manage": _administer,
    "rooms.manage": _administer,
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
        raise refusal(decision.reason, target)


def _not_found(target) -> DomainError:
    messages = {
        Room: _("There is no such room."),
        Thread: _("There is no such thread."),
        Post: _("There is no such post."),
        User: _("There is no such user."),
        Notification: _("There is no such notification."),
    }
    return NotFound(messages.get(type(target), _("There is nothing here.")))


REFUSALS: dict[str, Callable[[object], DomainError]] = {
    "not_found": _not_found,
    "not_authenticated": lambda _t: NotAuthenticated(_("Log in to take part in the discussion.")),
    "not_author": lambda _t: Forbidden(_("You may change only your own posts.")),
    "thread_deleted": lambda _t: Conflict(_("This thread was deleted."), code="thread_deleted"),
    "thread_locked": lambda _t: Conflict(
        _("This thread is locked: no new posts or edits."), code="thread_locked"
    ),
    "post_deleted": lambda _t: Conflict(_("This post was deleted."), code="post_deleted"),
    "not_moderator": lambda _t: Forbidden(
        _("Only the area's ambassadors and the city's coordinators may do this.")
    ),
    "not_unit_member": lambda _t: Forbidden(_("Only the unit's experts may see its queue.")),
    "not_admin": lambda _t: Forbidden(_("Only the city's coordinators may do this.")),
}


def refusal(reason: str, target=None) -> DomainError:
    """The domain error for a denial's reason."""
    return REFUSALS[reason](target)
