"""Writing the public moderation log: one entry per action, in the action's own transaction."""

from __future__ import annotations

from forum.extensions import db, utcnow
from forum.moderation.models import ModerationEntry

# Every action the log records; the pages say each in words (templates/moderation/_entry.html).
ACTIONS = (
    "post_hidden",
    "post_restored",
    "thread_locked",
    "thread_unlocked",
    "thread_pinned",
    "thread_unpinned",
    "thread_moved",
    "user_muted",
    "user_unmuted",
    "user_suspended",
    "user_unsuspended",
    "flag_dismissed",
)


def record(
    actor,
    action: str,
    *,
    room=None,
    thread=None,
    post=None,
    subject_user=None,
    reason: str = "",
    detail: str = "",
) -> ModerationEntry:
    """Log an action; the room (and so the area) comes from the thread or post if not given."""
    if action not in ACTIONS:
        raise ValueError(f"unknown moderation action: {action}")
    thread = thread or (post.thread if post is not None else None)
    room = room or (thread.room if thread is not None else None)
    entry = ModerationEntry(
        created_at=utcnow(),
        actor_id=actor.id,
        action=action,
        area_id=room.area_id if room is not None else None,
        room_id=room.id if room is not None else None,
        thread_id=thread.id if thread is not None else None,
        post_id=post.id if post is not None else None,
        subject_user_id=subject_user.id if subject_user is not None else None,
        reason=reason,
        detail=detail,
    )
    db.session.add(entry)
    return entry
