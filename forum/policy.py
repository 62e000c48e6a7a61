"""Every permission rule of the forum: views, the API and sockets ask can(user, action, target).

The user is a logged-in User or Flask-Login's anonymous user (a guest).
"""

from __future__ import annotations

from collections.abc import Callable

from forum.accounts.models import User
from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread


def is_moderator_of(user, area: Area) -> bool:
    """Admins moderate everywhere; ambassadors in their areas and the sub-areas below."""
    if not user.is_authenticated:
        return False
    return user.is_admin or user.is_ambassador_for(area)


def _read_room(user, room: Room) -> bool:
    return room.is_public or is_moderator_of(user, room.area)


def _create_thread(user, room: Room) -> bool:
    return user.is_authenticated and _read_room(user, room)


def _thread_accepts_posts(user, thread: Thread) -> bool:
    if thread.is_deleted:
        return False
    return not thread.is_locked or is_moderator_of(user, thread.room.area)


def _reply(user, thread: Thread) -> bool:
    return (
        user.is_authenticated
        and _read_room(user, thread.room)
        and _thread_accepts_posts(user, thread)
    )


def _is_own_live_post(user, post: Post) -> bool:
    return user.is_authenticated and post.author_id == user.id and not post.is_deleted


def _edit_post(user, post: Post) -> bool:
    return _is_own_live_post(user, post) and _thread_accepts_posts(user, post.thread)


def _delete_post(user, post: Post) -> bool:
    # Authors may take their words back even from a locked thread.
    return _is_own_live_post(user, post) and not post.thread.is_deleted


RULES: dict[str, Callable[[User, object], bool]] = {
    "room.read": _read_room,
    "thread.create": _create_thread,
    "post.reply": _reply,
    "post.edit": _edit_post,
    "post.delete": _delete_post,
}


def can(user, action: str, target) -> bool:
    """True if the user (or guest) may perform the action on the target."""
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(f"unknown policy action: {action}") from None
    return rule(user, target)
