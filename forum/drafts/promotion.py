"""From a thread to a draft: an ambassador promotes a thread (the draft starts from its title
and opening post, keeps its unit tags and cites the posts chosen), or the thread's author asks
the area's ambassadors to. Services never commit; the caller owns the transaction."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.accounts.models import RoleGrant, User, with_grants
from forum.areas.models import Area
from forum.discussion.models import Post, Thread
from forum.discussion.schemas import words_visible
from forum.discussion.services import access_thread
from forum.drafts.models import Draft, DraftAuthor
from forum.drafts.services import start_draft
from forum.errors import ValidationError
from forum.extensions import db, utcnow
from forum.notifications.models import Notification
from forum.notifications.services import notify
from forum.policy import can, ensure
from forum.units import services as units


def citable_posts(thread: Thread) -> list[Post]:
    """The thread's posts a draft may cite: those standing and not hidden, oldest first."""
    posts = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.created_at, Post.id)
    )
    return [post for post in posts if not (post.is_deleted or post.is_hidden)]


def cited_posts(draft: Draft, viewer) -> list[tuple[Post, bool]]:
    """The posts the draft cites, if the viewer may read the thread, each with whether the
    viewer may read its words (not those of a post deleted or hidden since)."""
    thread = draft.source_thread
    if thread is None or not can(viewer, "thread.read", thread) or not draft.source_posts:
        return []
    posts = db.session.scalars(
        select(Post)
        .where(Post.id.in_([source.post_id for source in draft.source_posts]))
        .options(joinedload(Post.author).options(with_grants()))
        .order_by(Post.created_at, Post.id)
    ).unique()
    return [(post, words_visible(post, viewer)) for post in posts]


def promote_thread(
    actor: User,
    thread_id: int,
    *,
    source_post_ids: tuple[int, ...] = (),
    title: str | None = None,
) -> Draft:
    """Make the thread a draft, pre-filled from its title and opening post (its words as the
    full description), citing the chosen posts and tagged for the thread's units."""
    thread = access_thread(actor, thread_id)
    ensure(actor, "thread.promote", thread)
    citable = {post.id: post for post in citable_posts(thread)}
    if any(post_id not in citable for post_id in source_post_ids):
        raise ValidationError(
            _("Some fields need attention."),
            {"source_post_ids": _("Choose posts of this thread that are still shown.")},
        )
    opening = next((post for post in citable.values() if post.is_opening), None)
    content = {
        "title": thread.title if title is None else title,
        "description": opening.body_source if opening is not None else "",
    }
    # The idea is the thread author's: they are the draft's first author. The ambassador who
    # promoted it helps them write it, as a co-author (they may leave).
    draft = start_draft(
        actor,
        area=thread.room.area,
        content=content,
        note=_("Promoted from the thread “%(title)s”.", title=thread.title),
        thread=thread,
        source_post_ids=tuple(source_post_ids),
        author=thread.author,
    )
    if thread.author_id != actor.id:
        now = utcnow()
        draft.authors.append(
            DraftAuthor(
                user_id=actor.id,
                role="coauthor",
                invited_by_id=actor.id,
                invited_at=now,
                accepted_at=now,
            )
        )
        notify(
            thread.author_id,
            "thread_promoted",
            actor_id=actor.id,
            thread_id=thread.id,
            draft_id=draft.id,
        )
    units.carry_tags(actor, thread, draft)
    return draft


def promoters_of(area: Area) -> list[User]:
    """Whom a promotion request goes to: the ambassadors of the area (and of the district it
    lies in); where there are none, the city's coordinators."""
    ambassadors = list(
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == "ambassador", RoleGrant.area_id.in_(area.ancestor_ids))
            .order_by(User.id)
            .distinct()
        )
    )
    if ambassadors:
        return ambassadors
    return list(
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == "admin")
            .order_by(User.id)
            .distinct()
        )
    )


def request_promotion(actor: User, thread_id: int) -> int:
    """The thread's author asks for promotion; how many people were told now (someone who
    has the request unread already is not told twice)."""
    thread = access_thread(actor, thread_id)
    ensure(actor, "thread.request_promotion", thread)
    waiting = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == "promotion_requested",
                Notification.thread_id == thread.id,
                Notification.read_at.is_(None),
            )
        )
    )
    told = 0
    for user in promoters_of(thread.room.area):
        if user.id in waiting or user.id == actor.id:
            continue
        notify(user.id, "promotion_requested", actor_id=actor.id, thread_id=thread.id)
        told += 1
    return told
