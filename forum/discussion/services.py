"""Discussion operations: load-and-authorise, start threads, reply, edit, delete.

Moderation (hiding posts, locking threads…) lives in forum/moderation/services.py.

Every operation runs inside the caller's transaction and never commits; what it changes is
published on the thread's stream (its posts) and the room's stream (its thread list).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from forum import idempotency, ratelimits, text
from forum.accounts.models import with_grants
from forum.areas.models import Room
from forum.discussion.models import Post, PostRevision, Thread
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.notifications import services as notifications
from forum.policy import can, decide, ensure, refusal
from forum.realtime import events
from forum.realtime.streams import publish, room_stream, thread_stream
from forum.sanitize import render_markdown

TAG = re.compile(r"<[^>]*>")


def access_room(user, room_id: int) -> Room:
    """The room, if the user may read it; missing and forbidden look the same."""
    room = db.session.get(Room, room_id, options=[joinedload(Room.area)])
    if room is None:
        raise NotFound(_("There is no such room."))
    ensure(user, "room.read", room)
    return room


def access_thread(user, thread_id: int) -> Thread:
    thread = db.session.get(
        Thread,
        thread_id,
        options=[
            joinedload(Thread.room).joinedload(Room.area),
            joinedload(Thread.author),
            joinedload(Thread.draft),  # the thread page's banner; the policy's promotion rules
        ],
    )
    if thread is None:
        raise NotFound(_("There is no such thread."))
    ensure(user, "thread.read", thread)
    return thread


def access_post(user, post_id: int) -> Post:
    post = db.session.get(
        Post,
        post_id,
        options=[
            joinedload(Post.thread).joinedload(Thread.room).joinedload(Room.area),
            joinedload(Post.author).options(with_grants()),
        ],
    )
    if post is None:
        raise NotFound(_("There is no such post."))
    decision = decide(user, "thread.read", post.thread)
    if not decision:  # said of the post: a post one may not read looks like a missing post
        raise refusal(decision.reason, post, decision.detail)
    return post


def clean_title(title: str | None, errors: dict[str, str]) -> str:
    """The title as stored (forum/text.py); what is wrong with it goes into errors."""
    title, problem = text.clean(title)
    limit = current_app.config["TITLE_MAX_LENGTH"]
    if problem:
        errors["title"] = problem
    elif len(title) < 3:
        errors["title"] = _("Give a title of at least 3 characters.")
    elif len(title) > limit:
        errors["title"] = ngettext(
            "The title may have at most %(num)d character.",
            "The title may have at most %(num)d characters.",
            limit,
        )
    return title


def _render_body(body: str | None, errors: dict[str, str]) -> tuple[str, str]:
    """The Markdown source as stored (forum/text.py) and its cleaned HTML; what is wrong goes
    into errors. The source is checked before anything is rendered."""
    source, problem = text.clean(body, multiline=True)
    limit = current_app.config["BODY_MAX_LENGTH"]
    if problem:
        errors["body"] = problem
        return source, ""
    if len(source) > limit:
        errors["body"] = ngettext(
            "The post may have at most %(num)d character.",
            "The post may have at most %(num)d characters.",
            limit,
        )
        return source, ""
    html = render_markdown(source) if source else ""
    if not TAG.sub("", html).strip():
        errors["body"] = _("The post is empty.")
    return source, html


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)


def create_thread(user, room_id: int, title: str | None, body: str | None) -> Thread:
    """Start a thread in a room with its opening post."""
    room = access_room(user, room_id)
    ensure(user, "thread.create", room)
    ratelimits.hit(ratelimits.THREAD, user.id)  # before rendering and writing
    errors: dict[str, str] = {}
    title = clean_title(title, errors)
    source, html = _render_body(body, errors)
    _raise_if(errors)
    now = utcnow()
    thread = Thread(room=room, author=user, title=title, created_at=now, last_activity_at=now)
    opening = Post(thread=thread, author=user, body_source=source, body_html=html, created_at=now)
    db.session.add_all([thread, opening])
    db.session.flush()
    publish(events.THREAD_CREATED, room_stream(room.id), thread)
    return thread


@functools.cache
def _write_path_queries():
    """The reply's own queries, built once (on first use, when every model is mapped): SQLAlchemy
    computes a statement's cache key once per statement object, so each reply skips it.

    - the thread with what the reply's checks and its live event read: room, area, and the
      author with their grants (access_thread's draft is for the page, not needed here);
    - the opening post, and any post by id, with only what a reply reads of the post it answers
      (its words stay in the database);
    - the thread's new reply count and activity.
    """
    parent_columns = load_only(
        Post.thread_id, Post.author_id, Post.parent_id, Post.depth, Post.deleted_at
    )
    thread = select(Thread).where(Thread.id == bindparam("thread_id"))
    table = Thread.__table__
    return {
        "thread": thread.options(
            joinedload(Thread.room).joinedload(Room.area),
            joinedload(Thread.author).options(with_grants(joined=True)),
        ),
        # The opening post is the thread's first: in id order the walk of the thread's index
        # stops at it, where a plain search for it read every post of the thread (1.8 ms at
        # 2,000 posts, on every reply).
        "opening": select(Post)
        .where(Post.thread_id == bindparam("thread_id"), Post.parent_id.is_(None))
        .order_by(Post.id)
        .limit(1)
        .options(parent_columns),
        "post": select(Post).where(Post.id == bindparam("post_id")).options(parent_columns),
        "count_reply": table.update()
        .where(table.c.id == bindparam("thread_id"))
        .values(reply_count=table.c.reply_count + 1, last_activity_at=bindparam("now"))
        .returning(table.c.reply_count),
    }


def _parent_for_reply(thread: Thread, parent_id: int | None) -> Post:
    queries = _write_path_queries()
    if parent_id is None:
        parent = db.session.scalar(queries["opening"], {"thread_id": thread.id})
    else:
        parent = db.session.scalar(queries["post"], {"post_id": parent_id})
        if parent is None or parent.thread_id != thread.id:
            raise ValidationError(
                _("Some fields need correcting."),
                {"parent_id": _("There is no such post in this thread.")},
            )
    if parent.is_deleted:
        raise Conflict(_("This post was deleted; reply to another one."), code="post_deleted")
    # Past the depth limit a reply joins its parent's siblings, at the deepest allowed level.
    if parent.depth >= current_app.config["MAX_REPLY_DEPTH"]:
        parent = db.session.get(Post, parent.parent_id)
    return parent


def _thread_to_reply_in(user, thread_id: int) -> Thread:
    """access_thread for the write path, in one statement (see _write_path_queries)."""
    thread = (
        db.session.scalars(_write_path_queries()["thread"], {"thread_id": thread_id})
        .unique()
        .one_or_none()
    )
    if thread is None:
        raise NotFound(_("There is no such thread."))
    ensure(user, "thread.read", thread)
    return thread


def _count_reply(thread: Thread, now) -> None:
    """One more reply and new activity: one UPDATE that also reads the new count back (the live
    event shows it), instead of an UPDATE and a SELECT."""
    reply_count = db.session.execute(
        _write_path_queries()["count_reply"], {"thread_id": thread.id, "now": now}
    ).scalar_one()
    set_committed_value(thread, "reply_count", reply_count)
    set_committed_value(thread, "last_activity_at", now)


def create_reply(user, thread_id: int, body: str | None, parent_id: int | None = None) -> Post:
    """Reply to a thread (its opening post) or to any post in it."""
    thread = _thread_to_reply_in(user, thread_id)
    ensure(user, "post.reply", thread)
    ratelimits.hit(ratelimits.REPLY, user.id)  # before rendering and writing
    parent = _parent_for_reply(thread, parent_id)
    errors: dict[str, str] = {}
    source, html = _render_body(body, errors)
    _raise_if(errors)
    now = utcnow()
    post = Post(
        thread=thread,
        thread_id=thread.id,  # read before the flush (the notifications)
        author=user,
        author_id=user.id,
        parent_id=parent.id,
        depth=parent.depth + 1,
        body_source=source,
        body_html=html,
        created_at=now,
    )
    db.session.add(post)
    _count_reply(thread, now)
    publish(events.POST_CREATED, thread_stream(thread.id), post)
    publish(events.THREAD_UPDATED, room_stream(thread.room_id), thread)
    # The post and its notifications are written in one flush (the notifications refer to the
    # post itself, not to its id); the flush below writes the post when nobody is notified.
    notifications.notify_reply(post, parent)
    db.session.flush()
    return post


def edit_post(user, post_id: int, body: str | None) -> Post:
    """Change one's own post; the previous version goes to its history."""
    post = access_post(user, post_id)
    ensure(user, "post.edit", post)
    ratelimits.hit(ratelimits.EDIT, user.id)  # before rendering and writing
    errors: dict[str, str] = {}
    source, html = _render_body(body, errors)
    _raise_if(errors)
    if source == post.body_source:
        return post
    now = utcnow()
    db.session.add(
        PostRevision(
            post=post,
            body_source=post.body_source,
            body_html=post.body_html,
            written_at=post.edited_at or post.created_at,
        )
    )
    post.body_source, post.body_html, post.edited_at = source, html, now
    post.thread.last_activity_at = now
    publish(events.POST_UPDATED, thread_stream(post.thread_id), post)
    publish(events.THREAD_UPDATED, room_stream(post.thread.room_id), post.thread)
    return post


def delete_post(user, post_id: int) -> Post:
    """Delete one's own post: its words and history go, a tombstone keeps the replies in place.

    Deleting the opening post deletes the thread: it leaves the room's list and takes no replies.
    """
    post = access_post(user, post_id)
    ensure(user, "post.delete", post)
    now = utcnow()
    post.deleted_at = now
    post.body_source = post.body_html = ""
    post.revisions.clear()
    idempotency.forget_answers_about(post)
    thread = post.thread
    if post.is_opening:
        thread.deleted_at = now
    else:
        thread.reply_count = Thread.reply_count - 1
    db.session.flush()
    publish(events.POST_DELETED, thread_stream(thread.id), post)
    if post.is_opening:
        publish(events.THREAD_UPDATED, thread_stream(thread.id), thread)
    publish(events.THREAD_UPDATED, room_stream(thread.room_id), thread)
    return post


def list_threads(user, room_id: int, page: int = 1, per_page: int | None = None):
    """A page of the room's live threads: pinned first, then by last activity."""
    room = access_room(user, room_id)
    per_page = per_page or current_app.config["THREADS_PER_PAGE"]
    query = (
        select(Thread)
        .where(Thread.room_id == room.id, Thread.deleted_at.is_(None))
        .options(joinedload(Thread.author).options(with_grants()))
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    )
    return room, db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


@dataclass
class PostTree:
    """A thread's posts arranged as a tree, loaded in a fixed number of queries."""

    thread: Thread
    opening: Post
    children: dict[int, list[Post]] = field(default_factory=dict)

    def replies_to(self, post: Post) -> list[Post]:
        return self.children.get(post.id, [])


def load_post_tree(user, thread_id: int) -> PostTree:
    thread = access_thread(user, thread_id)
    posts = db.session.scalars(
        select(Post)
        .where(Post.thread_id == thread.id)
        .options(joinedload(Post.author).options(with_grants()))
        .order_by(Post.created_at, Post.id)
    ).all()
    children: dict[int, list[Post]] = defaultdict(list)
    opening = None
    for post in posts:
        if post.parent_id is None:
            opening = post
        else:
            children[post.parent_id].append(post)
    return PostTree(thread=thread, opening=opening, children=dict(children))


def post_history(user, post_id: int) -> tuple[Post, list[PostRevision]]:
    """A post with its earlier versions, oldest first (none for words the user may not read)."""
    post = access_post(user, post_id)
    if post.is_hidden and not can(user, "post.read_hidden", post):
        return post, []
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)
    ).all()
    return post, list(revisions)
