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


class DraftRef(Shape):
    id: Id
    title: str


class MeetingRef(Shape):
    id: Id
    title: str
    starts_at: datetime


class PlaceRef(Shape):
    """An area or a room, by id and name."""

    id: Id
    name: str


Kind = Literal[
    "post_reply",
    "thread_reply",
    "post_hidden",
    "thread_moved",
    "muted",
    "flag_upheld",
    "flag_dismissed",
    "application_approved",
    "application_rejected",
    "ambassador_appointed",
    "ambassador_withdrawn",
    "official_answer",
    "promotion_requested",
    "thread_promoted",
    "coauthor_invited",
    "coauthor_accepted",
    "coauthor_declined",
    "coauthor_removed",
    "draft_in_review",
    "draft_revised",
    "draft_ready",
    "draft_withdrawn",
    "draft_reopened",
    "review_added",
    "change_accepted",
    "change_declined",
    "meeting_invited",
    "meeting_reminder",
    "meeting_changed",
    "meeting_cancelled",
    "meeting_minutes",
]


class Notification(Shape):
    id: Id
    kind: Kind = Field(
        description="post_reply: a reply to your post; thread_reply: a reply in your thread; "
        "post_hidden: a moderator hid your post; thread_moved: your thread was moved to `room`; "
        "muted: you may not write in `room` until `until`; flag_upheld / flag_dismissed: your "
        "flag was resolved by hiding the post / with no action; application_approved / "
        "application_rejected: your ambassador application for `area` was decided; "
        "ambassador_appointed / ambassador_withdrawn: an admin gave or took your ambassador role; "
        "official_answer: `unit` answered in your thread; promotion_requested: the author of "
        "`thread` asks you, an ambassador, to promote it; thread_promoted: your thread became "
        "`draft`; coauthor_invited / coauthor_accepted / coauthor_declined: an invitation to "
        "co-author `draft`, and its answer; coauthor_removed: the first author took you off "
        "`draft`'s authors; draft_in_review / draft_revised / draft_ready / "
        "draft_withdrawn / draft_reopened: `draft` moved to that status (`message`: why); "
        "review_added: `unit` reviewed `draft`; change_accepted / change_declined: the authors "
        "decided on a change your unit proposed (`message`: why declined); meeting_invited: "
        "you, or your `unit`, are invited to `meeting`; meeting_reminder: `meeting`, which you "
        "signed up for, starts soon; meeting_changed / meeting_cancelled: `meeting` you signed "
        "up for was moved or changed / cancelled; meeting_minutes: the minutes of `meeting` are "
        "published."
    )
    actor: Person | None = Field(description="Who did it; None once their post was deleted.")
    thread: ThreadRef | None = Field(description="None if you may no longer read the thread.")
    post_id: Id | None
    area: PlaceRef | None = Field(None, description="The area it is about, if any.")
    draft: DraftRef | None = Field(None, description="The proposal draft it is about, if any.")
    unit: PlaceRef | None = Field(None, description="The expert unit that acted, if any.")
    meeting: MeetingRef | None = Field(
        None, description="The meeting it is about, if any (None if you may not read it)."
    )
    room: PlaceRef | None = Field(
        None, description="The room it is about, if any (None if you may not read it)."
    )
    message: str = Field("", description="Words of whoever acted: a reason, an admin's message.")
    until: datetime | None = Field(None, description="When what it announces ends (a mute).")
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


REPLY_KINDS = ("post_reply", "thread_reply")


def notification_view(notification: NotificationModel, viewer) -> Notification:
    thread, post, area, room = (
        notification.thread,
        notification.post,
        notification.area,
        notification.room,
    )
    meeting = notification.meeting
    readable = thread is not None and can(viewer, "thread.read", thread)
    # A reply's author is shown only while the reply stands; a moderator always is.
    gone = notification.kind in REPLY_KINDS and (post is None or post.is_deleted)
    room_readable = room is not None and can(viewer, "room.read", room)
    return Notification(
        id=notification.id,
        kind=notification.kind,
        actor=None if gone or notification.actor is None else person_view(notification.actor),
        thread=ThreadRef(id=thread.id, title=thread.title) if readable else None,
        post_id=notification.post_id if readable else None,
        area=PlaceRef(id=area.id, name=area.label) if area is not None else None,
        draft=(
            DraftRef(id=notification.draft.id, title=notification.draft.title)
            if notification.draft is not None
            else None
        ),
        unit=(
            PlaceRef(id=notification.unit.id, name=notification.unit.code)
            if notification.unit is not None
            else None
        ),
        room=PlaceRef(id=room.id, name=room.name) if room_readable else None,
        meeting=(
            MeetingRef(id=meeting.id, title=meeting.title, starts_at=meeting.starts_at)
            if meeting is not None and can(viewer, "meeting.read", meeting)
            else None
        ),
        message=notification.message,
        until=notification.until,
        created_at=notification.created_at,
        read=notification.is_read,
    )
