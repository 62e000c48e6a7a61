"""Discussion operations: load-and-authorise, start threads, reply, edit, delete.

Moderation (hiding posts, locking threads…) lives in forum/moderation/services.py.

Every operation runs inside the caller's transaction and never commits; what it changes is
published on the thread's stream (its posts) and the room's stream (its thread list).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from forum import idempotency, ratelimits, text
from forum.accounts.models import (
    GRANT_COLUMNS,
    GRANT_ORDER,
    User,
    grants_outerjoin,
    load_grants,
    with_grants,
)
from forum.areas.models import Area, Room
from forum.discussion.facts import (
    POST_COLUMNS,
    PostFacts,
    ThreadFacts,
    load_thread_facts,
    read_post_facts,
)
from forum.discussion.models import Post, PostRevision, Thread
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import as_loaded, db, insert_loaded, read_columns, set_loaded, utcnow
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
    """The thread, if the user may read it."""
    options = [
        joinedload(Thread.room).joinedload(Room.area),
        joinedload(Thread.author),
        joinedload(Thread.draft),  # the thread page's banner; the policy's promotion rules
    ]
    return _readable(user, db.session.get(Thread, thread_id, options=options))


def access_thread_facts(user, thread_id: int) -> ThreadFacts:
    """What reading and replying in the thread are decided on (forum/discussion/facts.py), if
    the user may read it: joining its stream, a thousand times when a meeting starts."""
    facts = load_thread_facts(thread_id)
    if facts is None:
        raise NotFound(_("There is no such thread."))
    decision = decide(user, "thread.read", facts)
    if not decision:  # in the words of the policy's refusal of the thread itself
        raise refusal(decision.reason, Thread(), decision.detail)
    return facts


def _readable(user, thread: Thread | None) -> Thread:
    """The thread found, if the user may read it (a missing one is not found, in its words)."""
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
    table, room, area, author = (Thread.__table__, Room.__table__, Area.__table__, User.__table__)
    joined = (
        table.join(room, room.c.id == table.c.room_id)
        .join(area, area.c.id == room.c.area_id)
        .join(author, author.c.id == table.c.author_id)
    )
    return {
        "thread": select(table, room, area, author, *GRANT_COLUMNS)
        .select_from(grants_outerjoin(joined, author))
        .where(table.c.id == bindparam("thread_id"))
        .order_by(GRANT_ORDER),
        # The opening post is the thread's first: in id order the walk of the thread's index
        # stops at it, where a plain search for it read every post of the thread (1.8 ms at
        # 2,000 posts, on every reply).
        "opening": select(*POST_COLUMNS)
        .where(Post.thread_id == bindparam("thread_id"), Post.parent_id.is_(None))
        .order_by(Post.id)
        .limit(1),
        "post": select(*POST_COLUMNS).where(Post.id == bindparam("post_id")),
        # Only while the thread is as the reply's checks found it: see _count_reply.
        "count_reply": table.update()
        .where(table.c.id == bindparam("thread_id"), table.c.status == bindparam("status_read"))
        .values(reply_count=table.c.reply_count + 1, last_activity_at=bindparam("now"))
        .returning(table.c.reply_count),
        "status": select(table.c.status).where(table.c.id == bindparam("thread_id")),
    }


def _parent_for_reply(thread: Thread, parent_id: int | None) -> PostFacts:
    queries = _write_path_queries()
    if parent_id is None:
        parent = read_post_facts(queries["opening"], {"thread_id": thread.id})
    else:
        parent = read_post_facts(queries["post"], {"post_id": parent_id})
        if parent is None or parent.thread_id != thread.id:
            raise ValidationError(
                _("Some fields need correcting."),
                {"parent_id": _("There is no such post in this thread.")},
            )
    if parent.is_deleted:
        raise Conflict(_("This post was deleted; reply to another one."), code="post_deleted")
    # Past the depth limit a reply joins its parent's siblings, at the deepest allowed level.
    if parent.depth >= current_app.config["MAX_REPLY_DEPTH"]:
        parent = read_post_facts(queries["post"], {"post_id": parent.parent_id})
    return parent


def _thread_to_reply_in(user, thread_id: int) -> Thread:
    """access_thread for the write path, in one statement (see _write_path_queries) read as
    columns: its rows (one per grant of the author) become the thread, its room and area, and
    its author with their grants, as the ORM would load them (extensions.as_loaded)."""
    rows = read_columns(_write_path_queries()["thread"], {"thread_id": thread_id}).all()
    if not rows:
        return _readable(user, None)
    thread, room = as_loaded(Thread, rows[0]), as_loaded(Room, rows[0])
    set_loaded(room, "area", as_loaded(Area, rows[0]))
    set_loaded(thread, "room", room)
    author = as_loaded(User, rows[0])
    load_grants(author, rows)
    set_loaded(thread, "author", author)
    return _readable(user, thread)


def _count_reply(user, thread: Thread, now) -> None:
    """One more reply and new activity: one UPDATE that also reads the new count back (the live
    event shows it), instead of an UPDATE and a SELECT.

    The UPDATE counts the reply only if the thread's status is still the one the reply's checks
    read. A moderator may have locked the thread since, in a transaction that had not committed
    then (PostgreSQL runs them side by side): the UPDATE waits for that commit, finds the status
    changed and counts nothing; the reply is checked again against the status as committed, and
    refused if it is now locked. So a reply lands before a lock or not at all.
    """
    queries = _write_path_queries()
    params = {"thread_id": thread.id, "now": now, "status_read": thread.status}
    reply_count = read_columns(queries["count_reply"], params).scalar()
    if reply_count is None:
        status = read_columns(queries["status"], {"thread_id": thread.id}).scalar()
        if status is None:  # gone meanwhile
            _readable(user, None)
        set_committed_value(thread, "status", status)
        ensure(user, "post.reply", thread)
        return _count_reply(user, thread, now)
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
    # Written at once, by one INSERT: its thread and author are the thread and login already in
    # the session, and the notifications below refer to its id.
    post = insert_loaded(
        Post,
        {
            "thread_id": thread.id,
            "author_id": user.id,
            "parent_id": parent.id,
            "depth": parent.depth + 1,
            "body_source": source,
            "body_html": html,
            "created_at": now,
        },
    )
    _count_reply(user, thread, now)
    publish(events.POST_CREATED, thread_stream(thread.id), post)
    publish(events.THREAD_UPDATED, room_stream(thread.room_id), thread)
    notifications.notify_reply(post, parent)
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
class Outline:
    """The shape of a whole thread, from ids alone (one light query): its replies in reading order
    (each top-level reply followed by its replies, depth first) and where each slice begins.

    A slice is a run of whole top-level replies with their replies, at most `limit` posts; a
    top-level reply with more replies than that is cut into slices of `limit` posts, read on.
    """

    opening_id: int
    order: list[int]  # every reply, in reading order
    parent_of: dict[int, int]
    starts: list[int]  # the index in `order` where each slice begins (none for a thread alone)

    @property
    def pages(self) -> int:
        return max(1, len(self.starts))

    def page_of(self, post_id: int) -> int:
        """The slice (1-based) that holds the post; 1 for the opening post."""
        try:
            index = self.order.index(post_id)
        except ValueError:
            return 1
        return bisect_right(self.starts, index)

    def slice(self, page: int) -> list[int]:
        """The replies on a slice (1-based), in reading order."""
        if not self.starts:
            return []
        end = self.starts[page] if page < len(self.starts) else len(self.order)
        return self.order[self.starts[page - 1] : end]

    def ancestors(self, post_id: int) -> list[int]:
        """The replies above a post (not the opening post), the highest first."""
        found = []
        parent = self.parent_of.get(post_id)
        while parent is not None and parent != self.opening_id:
            found.append(parent)
            parent = self.parent_of.get(parent)
        return found[::-1]


def build_outline(rows: list[tuple[int, int | None]], limit: int) -> Outline:
    """The outline of a thread from its posts' (id, parent_id), oldest first: linear work."""
    opening_id = None
    children: dict[int, list[int]] = defaultdict(list)
    parent_of: dict[int, int] = {}
    for post_id, parent_id in rows:
        if parent_id is None:
            opening_id = post_id
        else:
            children[parent_id].append(post_id)
            parent_of[post_id] = parent_id
    order: list[int] = []
    tops: list[int] = []  # where each top-level reply's run begins in `order`
    for top in children.get(opening_id, ()):
        tops.append(len(order))
        stack = [top]
        while stack:
            post_id = stack.pop()
            order.append(post_id)
            replies = children.get(post_id)
            if replies:
                stack.extend(reversed(replies))
    ends = tops[1:] + [len(order)]
    starts: list[int] = []
    index, top = 0, 0
    while index < len(order):
        starts.append(index)
        while ends[top] <= index:
            top += 1
        if ends[top] - index > limit:  # one top-level reply larger than a slice: read on inside it
            index += limit
            continue
        index, top = ends[top], top + 1
        while top < len(ends) and ends[top] - starts[-1] <= limit:
            index, top = ends[top], top + 1
    return Outline(opening_id=opening_id, order=order, parent_of=parent_of, starts=starts)


@dataclass
class _CachedOutline:
    count: int
    last_id: int
    rows: list[tuple[int, int | None]]
    outlines: dict[int, Outline]  # by slice size


# Outlines of recently read threads, in this process, per app (tests make many apps): at most
# this many threads and posts in all (a 3000-post thread's outline is ~0.5 MB).
OUTLINE_CACHE_THREADS = 256
OUTLINE_CACHE_POSTS = 60_000


def _outline_rows(thread_id: int, store: bool) -> _CachedOutline:
    """The thread's (id, parent_id) oldest first, read again only when posts were added.

    Posts are never removed from a thread nor moved within it (a deleted post stays as a
    tombstone), so the number of posts and the highest id tell whether the rows changed; new
    posts have the highest ids and come last. Only a request that writes nothing (GET) stores
    what it loaded: a write's transaction may yet roll back (and SQLite may give its ids to
    other posts)."""
    cache = current_app.extensions.setdefault("thread_outlines", {})
    table = Post.__table__.c
    columns = select(table.id, table.parent_id).where(table.thread_id == thread_id)
    order = (table.created_at, table.id)
    cached = cache.pop(thread_id, None)
    fresh = None
    if cached is not None:
        count, last_id = db.session.execute(
            select(func.count(table.id), func.max(table.id)).where(table.thread_id == thread_id)
        ).one()
        if (cached.count, cached.last_id) == (count, last_id or 0):
            fresh = cached
        elif last_id is not None and last_id > cached.last_id:
            newer = db.session.connection().execute(
                columns.where(table.id > cached.last_id).order_by(*order)
            )
            newer = [tuple(row) for row in newer]
            if cached.count + len(newer) == count:
                fresh = _CachedOutline(count, last_id, cached.rows + newer, {})
    if fresh is None:  # never read here, or changed other than by new posts: read it all
        rows = [tuple(row) for row in db.session.connection().execute(columns.order_by(*order))]
        last_id = max((row[0] for row in rows), default=0)
        fresh = _CachedOutline(len(rows), last_id, rows, {})
    if store:
        cache[thread_id] = fresh  # the most recently read last
        while len(cache) > OUTLINE_CACHE_THREADS or (
            len(cache) > 1 and sum(len(e.rows) for e in cache.values()) > OUTLINE_CACHE_POSTS
        ):
            cache.pop(next(iter(cache)))
    elif cached is not None:
        cache[thread_id] = cached
    return fresh


def _only_reading() -> bool:
    """Whether this request writes nothing (outside a request: a test's or a script's read)."""
    return not has_request_context() or request.method in ("GET", "HEAD")


def thread_outline(thread_id: int, limit: int | None = None) -> Outline:
    """The thread's outline: one query of ids (no words, no authors) the first time this
    process reads the thread, then one count, and the new posts' ids if posts were added."""
    limit = limit or current_app.config["THREAD_SLICE_POSTS"]
    entry = _outline_rows(thread_id, store=_only_reading())
    outline = entry.outlines.get(limit)
    if outline is None:
        outline = entry.outlines[limit] = build_outline(entry.rows, limit)
    return outline


@dataclass
class PostTree:
    """One slice of a thread's posts arranged as a tree under the opening post, loaded in a fixed
    number of queries whatever the thread's size.

    `context` are replies from an earlier slice shown above this one's first post when the slice
    begins inside a top-level reply's replies (its ancestors), so that every post has its parent.
    """

    thread: Thread
    opening: Post
    children: dict[int, list[Post]] = field(default_factory=dict)
    page: int = 1
    pages: int = 1
    context_order: list[int] = field(default_factory=list)  # the context, highest first

    @cached_property
    def context(self) -> frozenset[int]:
        return frozenset(self.context_order)

    def replies_to(self, post: Post) -> list[Post]:
        return self.children.get(post.id, [])

    @property
    def is_last(self) -> bool:
        return self.page >= self.pages


def load_post_tree(user, thread_id: int, page: int = 1) -> PostTree:
    """A slice of the thread (1-based; the first by default), as the user may read it.

    A slice past the last is NotFound. Three queries whatever the thread's size: the thread,
    its outline (ids only), and the slice's posts with their authors.
    """
    thread = access_thread(user, thread_id)
    outline = thread_outline(thread.id)
    if page > outline.pages:
        raise NotFound(_("There is no such page."))
    ids = outline.slice(page)
    context = outline.ancestors(ids[0]) if ids else []
    wanted = [outline.opening_id, *context, *ids]
    posts = db.session.scalars(
        select(Post)
        .where(Post.id.in_(wanted))
        .options(joinedload(Post.author).options(with_grants()))
    ).all()
    by_id = {post.id: post for post in posts}
    children: dict[int, list[Post]] = defaultdict(list)
    for post_id in wanted[1:]:  # reading order: each one's replies come oldest first
        post = by_id.get(post_id)
        if post is not None:
            children[post.parent_id].append(post)
    return PostTree(
        thread=thread,
        opening=by_id[outline.opening_id],
        children=dict(children),
        page=page,
        pages=outline.pages,
        context_order=context,
    )


def page_of_post(post: Post) -> int:
    """The slice of its thread that holds the post (what a link to it opens)."""
    return thread_outline(post.thread_id).page_of(post.id)


def page_for_reply(thread_id: int, parent_id: int | None) -> int:
    """The slice a reply form is shown again on: its parent's, or the last for a reply to the
    thread (where it would have gone)."""
    outline = thread_outline(thread_id)
    return outline.page_of(parent_id) if parent_id else outline.pages


def post_history(user, post_id: int) -> tuple[Post, list[PostRevision]]:
    """A post with its earlier versions, oldest first (none for words the user may not read)."""
    post = access_post(user, post_id)
    if post.is_hidden and not can(user, "post.read_hidden", post):
        return post, []
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)
    ).all()
    return post, list(revisions)
