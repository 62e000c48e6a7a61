"""Notifications: made in the transaction of what caused them, sent on the person's stream."""

from __future__ import annotations

import typing

from flask_babel import gettext as _
from sqlalchemy import select, update

from forum.discussion.models import Post
from forum.errors import NotFound
from forum.extensions import db, insert_loaded, utcnow
from forum.notifications.models import Notification, with_subjects
from forum.notifications.schemas import Kind
from forum.policy import ensure
from forum.realtime import events
from forum.realtime.streams import publish, user_stream
from forum.realtime.subjects import unread_count

KINDS = typing.get_args(Kind)


def notify(
    user_id: int,
    kind: str,
    *,
    actor_id: int | None = None,
    thread_id: int | None = None,
    post_id: int | None = None,
    area_id: int | None = None,
    room_id: int | None = None,
    draft_id: int | None = None,
    unit_id: int | None = None,
    meeting_id: int | None = None,
    message: str = "",
    until=None,
    created_at=None,
    post: Post | None = None,
) -> Notification:
    """Tell one person something that concerns them, in the caller's transaction.

    `post` instead of `post_id`: a post that may not be written yet (it is flushed first)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    if post is not None:
        db.session.flush()  # the post's id
        post_id = post.id
    # Written at once by one INSERT (extensions.insert_loaded): a reply writes one or two.
    notification = insert_loaded(
        Notification,
        {
            "user_id": user_id,
            "kind": kind,
            "actor_id": actor_id,
            "thread_id": thread_id,
            "post_id": post_id,
            "area_id": area_id,
            "room_id": room_id,
            "draft_id": draft_id,
            "unit_id": unit_id,
            "meeting_id": meeting_id,
            "message": message,
            "until": until,
            "created_at": created_at or utcnow(),
        },
    )
    publish(events.NOTIFICATION, user_stream(user_id), notification)
    return notification


def _notify(user_id: int, kind: str, post: Post) -> Notification:
    return notify(
        user_id,
        kind,
        actor_id=post.author_id,
        thread_id=post.thread_id,
        post=post,
        created_at=post.created_at,
    )


def notify_reply(reply: Post, parent) -> list[Notification]:
    """Tell the author of the post replied to (a Post or discussion.facts.PostFacts), and the
    thread's author; never the replier."""
    made = []
    told = {reply.author_id}
    if not parent.is_opening and parent.author_id not in told:
        made.append(_notify(parent.author_id, "post_reply", reply))
        told.add(parent.author_id)
    thread_author = reply.thread.author_id
    if thread_author not in told:
        made.append(_notify(thread_author, "thread_reply", reply))
    return made


def inbox_owner(user):
    """The logged-in person whose notifications these are; a guest is asked to log in."""
    ensure(user, "user.read_stream", user)
    return user


def list_notifications(user, page: int = 1, per_page: int = 20):
    """A page of the person's notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(*with_subjects())
        .order_by(Notification.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def unread(user) -> int:
    return unread_count(user.id)


def access_notification(user, notification_id: int) -> Notification:
    """One of the person's notifications; anyone else's looks like a missing one."""
    notification = db.session.get(
        Notification,
        notification_id,
        options=list(with_subjects()),
    )
    if notification is None:
        raise NotFound(_("There is no such notification."))
    ensure(user, "notification.read", notification)
    return notification


def mark_read(user, notification_id: int, read: bool = True) -> Notification:
    """Mark one of the person's notifications read (or unread again)."""
    notification = access_notification(user, notification_id)
    if notification.is_read != read:
        notification.read_at = utcnow() if read else None
        publish(events.NOTIFICATIONS_READ, user_stream(user.id), user)
    return notification


def mark_all_read(user, up_to: int | None = None) -> int:
    """Mark the person's notifications read (those up to an id, if given); how many were unread.

    `up_to` is the newest one the person saw: one that arrived since stays unread.
    """
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if up_to is not None:
        query = query.where(Notification.id <= up_to)
    count = db.session.execute(
        query.values(read_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if count:
        publish(events.NOTIFICATIONS_READ, user_stream(user.id), user)
    return count
