"""Shapes of threads and posts, as a given viewer may see them, and what clients send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from config import Config
from forum.accounts.schemas import User, user_view
from forum.discussion.models import Post as PostModel
from forum.discussion.models import PostRevision
from forum.discussion.models import Thread as ThreadModel
from forum.policy import can
from forum.schemas import MAX_PAGE, Count, Id, Input, Pagination, Query, QueryInt, Shape


class Thread(Shape):
    id: Id
    room_id: Id
    title: str
    author: User
    status: Literal["open", "locked"]
    pinned: bool
    deleted: bool
    reply_count: Count
    created_at: datetime
    last_activity_at: datetime
    can_reply: bool = Field(description="Whether the viewer may reply in this thread.")


class Post(Shape):
    """A post as the viewer may see it: a deleted one is a tombstone with no author or words; a
    hidden one shows its reason, and its words only to its author and the area's moderators."""

    id: Id
    thread_id: Id
    parent_id: Id | None = Field(description="None for the opening post.")
    depth: Count = Field(description="0 for the opening post.")
    author: User | None = Field(description="None once deleted.")
    body_source: str = Field(description="Markdown; empty if deleted, or hidden from the viewer.")
    body_html: str = Field(description="Sanitised HTML; empty when body_source is.")
    created_at: datetime
    edited_at: datetime | None
    deleted: bool = Field(description="A tombstone keeps the replies in place.")
    hidden: bool = Field(description="Hidden by a moderator.")
    hidden_reason: str | None = Field(description="The moderator's reason, while hidden.")
    can_edit: bool = Field(description="Whether the viewer may edit it.")
    can_delete: bool = Field(description="Whether the viewer may delete it.")


class PostWithReplies(Post):
    """A post with the replies to it, oldest first, nested."""

    replies: list[PostWithReplies]


class Revision(Shape):
    """An earlier version of a post."""

    id: Id
    body_source: str
    body_html: str
    written_at: datetime


class ThreadPage(Shape):
    threads: list[Thread]
    meta: Pagination


class ThreadStarted(Shape):
    thread: Thread
    post: Post


class SliceQuery(Query):
    page: QueryInt = Field(
        1, ge=1, le=MAX_PAGE, description="The slice, from 1; a slice past the last is not found."
    )


class ThreadSlice(Shape):
    """Where a slice of a thread's replies stands among the others."""

    page: int = Field(ge=1, description="This slice, from 1.")
    pages: int = Field(ge=1, description="How many slices the thread has now.")
    max_posts: int = Field(
        ge=1,
        description="At most this many replies in a slice (besides the opening post and the "
        "context): whole top-level replies with their replies, cut inside one only when it "
        "alone has more.",
    )
    context: list[Id] = Field(
        description="Replies from an earlier slice, included above its first reply because the "
        "slice begins inside their replies (the highest first)."
    )


class ThreadAnswer(Shape):
    thread: Thread
    post: PostWithReplies = Field(
        description="The opening post with the slice's replies under it (?page=N; the first by "
        "default): a run of top-level replies with their replies, nested."
    )
    slice: ThreadSlice


class PostAnswer(Shape):
    post: Post


class PostHistory(Shape):
    post: Post
    revisions: list[Revision] = Field(
        description="Oldest first; empty for a post whose words the viewer may not read."
    )


# What the services enforce on the trimmed text, after the rate limit (a limited client is told
# to wait, whatever it sent), written into the OpenAPI document: a client that validates
# against the document agrees with the server.
def _limits(low: int, high: int) -> dict:
    return {"minLength": low, "maxLength": high}


Title = Annotated[
    str,
    Field(
        description="At least 3 characters once trimmed.",
        json_schema_extra=_limits(3, Config.TITLE_MAX_LENGTH),
    ),
]
Body = Annotated[
    str,
    Field(
        description="Markdown, trimmed; not empty once trimmed and rendered.",
        json_schema_extra=_limits(1, Config.BODY_MAX_LENGTH),
    ),
]


class NewThread(Input):
    title: Title
    body: Body


class NewReply(Input):
    body: Body
    parent_id: Id | None = Field(
        None, description="The post replied to; the opening post if left out."
    )


class PostEdit(Input):
    body: Body


def thread_view(thread: ThreadModel, viewer) -> Thread:
    return Thread(
        id=thread.id,
        room_id=thread.room_id,
        title=thread.title,
        author=user_view(thread.author),
        status=thread.status,
        pinned=thread.pinned,
        deleted=thread.is_deleted,
        reply_count=thread.reply_count,
        created_at=thread.created_at,
        last_activity_at=thread.last_activity_at,
        can_reply=can(viewer, "post.reply", thread),
    )


def words_visible(post: PostModel, viewer) -> bool:
    """Whether the viewer may read the post's words (and their earlier versions)."""
    if post.is_deleted:
        return False
    return not post.is_hidden or can(viewer, "post.read_hidden", post)


def post_view(post: PostModel, viewer, cls: type[Post] = Post, **extra) -> Post:
    visible = words_visible(post, viewer)
    return cls(
        id=post.id,
        thread_id=post.thread_id,
        parent_id=post.parent_id,
        depth=post.depth,
        author=None if post.is_deleted else user_view(post.author),
        body_source=post.body_source if visible else "",
        body_html=post.body_html if visible else "",
        created_at=post.created_at,
        edited_at=post.edited_at,
        deleted=post.is_deleted,
        hidden=post.is_hidden and not post.is_deleted,
        hidden_reason=post.hidden_reason if post.is_hidden and not post.is_deleted else None,
        can_edit=can(viewer, "post.edit", post),
        can_delete=can(viewer, "post.delete", post),
        **extra,
    )


def post_tree_view(tree, viewer) -> PostWithReplies:
    """The opening post of a discussion.services.PostTree (a slice) with its replies nested."""

    def with_replies(post: PostModel) -> PostWithReplies:
        replies = [with_replies(child) for child in tree.replies_to(post)]
        return post_view(post, viewer, PostWithReplies, replies=replies)

    return with_replies(tree.opening)


def slice_view(tree, max_posts: int) -> ThreadSlice:
    return ThreadSlice(
        page=tree.page,
        pages=tree.pages,
        max_posts=max_posts,
        context=list(tree.context_order),
    )


def revision_view(revision: PostRevision) -> Revision:
    return Revision(
        id=revision.id,
        body_source=revision.body_source,
        body_html=revision.body_html,
        written_at=revision.written_at,
    )
