"""Threads and posts: read the tree, start threads, reply, edit, delete (hiding: moderation.py)."""

from flask import current_app
from flask_login import current_user

from forum.api.v1.base import operation
from forum.discussion import schemas, services
from forum.discussion.schemas import (
    post_tree_view,
    post_view,
    revision_view,
    slice_view,
    thread_view,
)
from forum.schemas import PageQuery, pagination

# A write in a room where a moderator muted the writer is refused with "muted" (and its end).
BODY_ERRORS = {401: ("not_authenticated",), 403: ("muted",), 429: ("rate_limited",)}


@operation(
    "GET",
    "/rooms/<int:room_id>/threads",
    summary="A page of the room's live threads: pinned first, then by last activity.",
    query=PageQuery,
    answer=schemas.ThreadPage,
)
def room_threads(room_id: int, query: PageQuery):
    _room, threads = services.list_threads(
        current_user, room_id, page=query.page, per_page=query.per_page
    )
    return schemas.ThreadPage(
        threads=[thread_view(t, current_user) for t in threads.items], meta=pagination(threads)
    )


@operation(
    "POST",
    "/rooms/<int:room_id>/threads",
    summary="Start a thread with its opening post.",
    body=schemas.NewThread,
    answer=schemas.ThreadStarted,
    status=201,
    errors=BODY_ERRORS,
)
def create_thread(room_id: int, body: schemas.NewThread):
    thread = services.create_thread(current_user, room_id, body.title, body.body)
    opening = services.load_post_tree(current_user, thread.id).opening
    return schemas.ThreadStarted(
        thread=thread_view(thread, current_user), post=post_view(opening, current_user)
    )


@operation(
    "GET",
    "/threads/<int:thread_id>",
    summary="A thread with a slice of its posts as a tree under the opening post.",
    description="A slice is a run of top-level replies with their replies, at most "
    "slice.max_posts of them; ?page=N reads slice N (a page past the last is not found).",
    query=schemas.SliceQuery,
    answer=schemas.ThreadAnswer,
)
def thread(thread_id: int, query: schemas.SliceQuery):
    tree = services.load_post_tree(current_user, thread_id, query.page)
    return schemas.ThreadAnswer(
        thread=thread_view(tree.thread, current_user),
        post=post_tree_view(tree, current_user),
        slice=slice_view(tree, current_app.config["THREAD_SLICE_POSTS"]),
    )


@operation(
    "POST",
    "/threads/<int:thread_id>/posts",
    summary="Reply to the thread or, with parent_id, to a post in it.",
    description="Past the maximum depth a reply joins its parent's siblings.",
    body=schemas.NewReply,
    answer=schemas.PostAnswer,
    status=201,
    errors=BODY_ERRORS | {409: ("thread_locked", "thread_deleted", "post_deleted")},
)
def create_reply(thread_id: int, body: schemas.NewReply):
    author = current_user._get_current_object()  # the policy asks it often: not via the proxy
    post = services.create_reply(author, thread_id, body.body, body.parent_id)
    return schemas.PostAnswer(post=post_view(post, author))


@operation(
    "GET",
    "/posts/<int:post_id>",
    summary="One post, as the user may see it (with the user's can_* flags).",
    answer=schemas.PostAnswer,
)
def post(post_id: int):
    return schemas.PostAnswer(
        post=post_view(services.access_post(current_user, post_id), current_user)
    )


@operation(
    "PATCH",
    "/posts/<int:post_id>",
    summary="Edit one's own post; the previous version goes to its revisions.",
    body=schemas.PostEdit,
    answer=schemas.PostAnswer,
    errors={
        401: ("not_authenticated",),
        403: ("forbidden", "muted"),
        409: ("thread_locked", "thread_deleted"),
        429: ("rate_limited",),
    },
)
def edit_post(post_id: int, body: schemas.PostEdit):
    post = services.edit_post(current_user, post_id, body.body)
    return schemas.PostAnswer(post=post_view(post, current_user))


@operation(
    "DELETE",
    "/posts/<int:post_id>",
    summary="Delete one's own post; deleting the opening post deletes the thread.",
    answer=schemas.PostAnswer,
    errors={401: ("not_authenticated",), 403: ("forbidden",), 409: ("thread_deleted",)},
)
def delete_post(post_id: int):
    return schemas.PostAnswer(
        post=post_view(services.delete_post(current_user, post_id), current_user)
    )


@operation(
    "GET",
    "/posts/<int:post_id>/revisions",
    summary="A post with its earlier versions, oldest first.",
    answer=schemas.PostHistory,
)
def post_revisions(post_id: int):
    post, revisions = services.post_history(current_user, post_id)
    return schemas.PostHistory(
        post=post_view(post, current_user), revisions=[revision_view(r) for r in revisions]
    )
