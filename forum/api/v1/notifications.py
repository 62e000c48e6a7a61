"""The user's notifications: list them, mark one or all read."""

from flask_login import current_user
from pydantic import Field

from forum.api.v1.base import operation
from forum.notifications import services
from forum.notifications.schemas import (
    NotificationAnswer,
    NotificationPage,
    UnreadAnswer,
    notification_view,
)
from forum.schemas import Id, Input, PageQuery, pagination


class NotificationChange(Input):
    read: bool


class MarkAllRead(Input):
    up_to: Id | None = Field(
        None, description="Only notifications up to this id (what the user saw); all if left out."
    )


@operation(
    "GET",
    "/notifications",
    summary="A page of the user's notifications, newest first, with the unread count.",
    query=PageQuery,
    answer=NotificationPage,
    errors={401: ("not_authenticated",)},
)
def notifications(query: PageQuery):
    user = services.inbox_owner(current_user)
    page = services.list_notifications(user, query.page, query.per_page)
    return NotificationPage(
        notifications=[notification_view(n, user) for n in page.items],
        unread=services.unread(user),
        meta=pagination(page),
    )


@operation(
    "PATCH",
    "/notifications/<int:notification_id>",
    summary="Mark one notification read (or unread again).",
    body=NotificationChange,
    answer=NotificationAnswer,
    errors={401: ("not_authenticated",)},
)
def change_notification(notification_id: int, body: NotificationChange):
    user = services.inbox_owner(current_user)
    notification = services.mark_read(user, notification_id, body.read)
    return NotificationAnswer(
        notification=notification_view(notification, user), unread=services.unread(user)
    )


@operation(
    "POST",
    "/notifications/read",
    summary="Mark all of the user's notifications read (up to an id, if given).",
    body=MarkAllRead,
    answer=UnreadAnswer,
    errors={401: ("not_authenticated",)},
)
def mark_all_read(body: MarkAllRead):
    user = services.inbox_owner(current_user)
    services.mark_all_read(user, up_to=body.up_to)
    return UnreadAnswer(unread=services.unread(user))
