"""Shapes of flags and of the moderators' queue, and what clients send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from forum.accounts.schemas import Person, person_view
from forum.discussion.schemas import Post, post_view
from forum.flags.models import Flag as FlagModel
from forum.moderation.reasons import Reason
from forum.notifications.schemas import PlaceRef, ThreadRef
from forum.policy import can
from forum.schemas import MAX_ID, Count, Id, Input, PageQuery, Pagination, QueryInt, Shape

FlagReason = Literal["spam", "offensive", "personal_data", "off_topic", "other"]
FlagText = Annotated[
    str,
    Field(
        description="At most 500 characters once trimmed; required when the reason is `other`.",
        json_schema_extra={"maxLength": 500},
    ),
]
Note = Annotated[
    str,
    Field(
        description="At most 500 characters; sent to each flagger.",
        json_schema_extra={"maxLength": 500},
    ),
]


class Flag(Shape):
    """A resident's flag on a post, as the area's moderators see it."""

    id: Id
    post_id: Id
    thread_id: Id
    area_id: Id = Field(description="The area of the post's room.")
    reason: FlagReason
    text: str = Field(description="The flagger's words; empty for a reader of another room.")
    flagger: Person
    created_at: datetime
    resolved_at: datetime | None
    outcome: Literal["dismissed", "hidden"] | None
    resolution_note: str


class FlaggedPost(Shape):
    """A post with its open flags, newest first."""

    post: Post = Field(description="As the moderator sees it (a hidden post's words included).")
    thread: ThreadRef
    area: PlaceRef
    needs_attention: bool = Field(description="Flagged by two or more different residents.")
    flags: list[Flag]


class FlagQueue(Shape):
    """Open flags the moderator may resolve: posts flagged by several residents first, then
    the newest."""

    posts: list[FlaggedPost] = Field(description="The page's flagged posts.")
    open: Count = Field(description="Open flags in the queue, on every page.")
    meta: Pagination = Field(description="Pages of flagged posts.")


class FlagAnswer(Shape):
    flag: Flag


class Resolved(Shape):
    post: Post
    flags: list[Flag] = Field(description="The flags this resolved.")


class NewFlag(Input):
    reason: FlagReason
    text: FlagText = ""


class Dismissal(Input):
    note: Note = ""


class Hiding(Input):
    reason: Reason = Field(description="Shown to readers in the post's place.")


class QueueQuery(PageQuery):
    area_id: QueryInt | None = Field(
        None, ge=1, le=MAX_ID, description="Only this area and the areas within it."
    )


def flag_view(flag: FlagModel, viewer) -> Flag:
    thread = flag.post.thread
    return Flag(
        id=flag.id,
        post_id=flag.post_id,
        thread_id=thread.id,
        area_id=thread.room.area_id,
        reason=flag.reason,
        # A room may have become restricted since: its words stay with its readers.
        text=flag.text if can(viewer, "thread.read", thread) else "",
        flagger=person_view(flag.flagger),
        created_at=flag.created_at,
        resolved_at=flag.resolved_at,
        outcome=flag.outcome,
        resolution_note=flag.resolution_note,
    )


def flagged_post_view(group, viewer) -> FlaggedPost:
    """A flags.services.FlaggedPost as the viewer sees it."""
    thread = group.post.thread
    return FlaggedPost(
        post=post_view(group.post, viewer),
        thread=ThreadRef(id=thread.id, title=thread.title),
        area=PlaceRef(id=thread.room.area.id, name=thread.room.area.label),
        needs_attention=group.needs_attention,
        flags=[flag_view(flag, viewer) for flag in group.flags],
    )
