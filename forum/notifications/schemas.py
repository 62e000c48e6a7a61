"""Shapes of notifications, as the person they are for sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.accounts.schemas import Person, person_view
from forum.notifications.models import Notification as NotificationModel
from forum.policy import can
from forum.schemas import Count, Id, Pagination, Shape


class ThreadRef(Shape):
    id: Id
    title: str


class Notification(Shape):
    id: Id
    kind: Literal["post_reply", "thread_reply"] = Field(
        description="post_reply: a reply to your post; thread_reply: a reply in your thread."
    )
    actor: Person | None = Field(description="Who did it; None once their post was deleted.")
    thread: ThreadRef | None = Field(description="None if you may no longer read the thread.")
    post_id: Id | None
    created_at: datetime
    read: bool


class NotificationPage(Shape):
    notifications: list[Notification]
    unread: Count
    meta: Pagination


class NotificationAnswer(Shape):
    notification: Notification
    unread: Count


class UnreadAnswer(Shape):
    unread: Count


def notification_view(notification: NotificationModel, viewer) -> Notification:
    thread, post = notification.thread, notification.post
    readable = thread is not None and can(viewer, "thread.read", thread)
    gone = post is None or post.is_deleted
    return Notification(
        id=notification.id,
        kind=notification.kind,
        actor=None if gone or notification.actor is None else person_view(notification.actor),
        thread=ThreadRef(id=thread.id, title=thread.title) if readable else None,
        post_id=notification.post_id if readable else None,
        created_at=notification.created_at,
        read=notification.is_read,
    )
