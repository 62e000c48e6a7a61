"""What a logged event is about, and how to show it: load by id, serialise for a viewer.

Catch-up re-reads each event's subject as the reader may see it now; live events show it as
a guest would (a person's own stream: as that person), and pages ask the API for their own view
where it differs (an author's own post, say).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from flask_login import AnonymousUserMixin
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import User, with_grants
from forum.areas.models import Room
from forum.discussion.models import Post, Thread
from forum.discussion.schemas import post_view, thread_view
from forum.drafts.models import Draft
from forum.drafts.schemas import draft_summary_view
from forum.extensions import db, read_columns
from forum.flags.models import Flag
from forum.flags.schemas import flag_view
from forum.meetings.models import Meeting, MeetingInvitation, MeetingQuestion
from forum.meetings.schemas import meeting_summary_view, question_view
from forum.notifications.models import Notification, with_subjects
from forum.notifications.schemas import notification_view
from forum.reviews.models import Review
from forum.reviews.schemas import review_view
from forum.units.models import UnitTag
from forum.units.schemas import queue_item_view

GUEST = AnonymousUserMixin()


def _by_id(query) -> dict[int, object]:
    return {item.id: item for item in db.session.scalars(query).unique()}


def load_posts(ids: list[int]) -> dict[int, Post]:
    return _by_id(
        select(Post)
        .where(Post.id.in_(ids))
        .options(
            joinedload(Post.author).options(with_grants()),
            joinedload(Post.thread).joinedload(Thread.room).joinedload(Room.area),
        )
    )


def load_threads(ids: list[int]) -> dict[int, Thread]:
    return _by_id(
        select(Thread)
        .where(Thread.id.in_(ids))
        .options(
            joinedload(Thread.author).options(with_grants()),
            joinedload(Thread.room).joinedload(Room.area),
        )
    )


def load_notifications(ids: list[int]) -> dict[int, Notification]:
    return _by_id(select(Notification).where(Notification.id.in_(ids)).options(*with_subjects()))


def load_flags(ids: list[int]) -> dict[int, Flag]:
    return _by_id(
        select(Flag)
        .where(Flag.id.in_(ids))
        .options(
            joinedload(Flag.flagger),
            joinedload(Flag.post)
            .joinedload(Post.thread)
            .joinedload(Thread.room)
            .joinedload(Room.area),
        )
    )


def load_drafts(ids: list[int]) -> dict[int, Draft]:
    return _by_id(select(Draft).where(Draft.id.in_(ids)).options(joinedload(Draft.area)))


def load_reviews(ids: list[int]) -> dict[int, Review]:
    return _by_id(
        select(Review)
        .where(Review.id.in_(ids))
        .options(
            joinedload(Review.unit),
            joinedload(Review.author).options(with_grants()),
            selectinload(Review.changes),
        )
    )


def load_queue_items(ids: list[int]) -> dict[int, UnitTag]:
    return _by_id(
        select(UnitTag)
        .where(UnitTag.id.in_(ids))
        .options(
            joinedload(UnitTag.unit),
            joinedload(UnitTag.tagged_by),
            joinedload(UnitTag.claimed_by),
            joinedload(UnitTag.thread).joinedload(Thread.room).joinedload(Room.area),
            joinedload(UnitTag.draft).joinedload(Draft.area),
        )
    )


def with_meeting_parts():
    """Loader options for what a meeting's summary shows."""
    return (
        joinedload(Meeting.room).joinedload(Room.area),
        joinedload(Meeting.host),
        selectinload(Meeting.agenda),
        selectinload(Meeting.invitations).options(
            joinedload(MeetingInvitation.unit), joinedload(MeetingInvitation.user)
        ),
    )


def load_meetings(ids: list[int]) -> dict[int, Meeting]:
    return _by_id(select(Meeting).where(Meeting.id.in_(ids)).options(*with_meeting_parts()))


def load_questions(ids: list[int]) -> dict[int, MeetingQuestion]:
    return _by_id(
        select(MeetingQuestion)
        .where(MeetingQuestion.id.in_(ids))
        .options(joinedload(MeetingQuestion.author), joinedload(MeetingQuestion.unit))
    )


def load_users(ids: list[int]) -> dict[int, User]:
    return _by_id(select(User).where(User.id.in_(ids)))


def unread_count(user_id: int, memo: dict | None = None) -> int:
    """A person's unread notifications (counted once per memo: one catch-up, one commit)."""
    memo = {} if memo is None else memo
    key = ("unread", user_id)
    if key not in memo:
        memo[key] = read_columns(_unread_query(), {"user_id": user_id}).scalar()
    return memo[key]


@functools.cache
def _unread_query():
    """Built once: counted on every reply that notifies someone, on the session's connection."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
    )


@dataclass(frozen=True)
class Subject:
    model: type
    load: Callable[[list[int]], dict[int, object]]
    # The event's fields beside the envelope, for this subject and viewer.
    fields: Callable[[object, object, dict], dict]
    # Whom a live event shows the subject as.
    live_viewer: Callable[[object], object]


SUBJECTS: dict[str, Subject] = {
    "post": Subject(
        Post,
        load_posts,
        lambda post, viewer, memo: {"post": post_view(post, viewer)},
        lambda post: GUEST,
    ),
    "thread": Subject(
        Thread,
        load_threads,
        lambda thread, viewer, memo: {"thread": thread_view(thread, viewer)},
        lambda thread: GUEST,
    ),
    "notification": Subject(
        Notification,
        load_notifications,
        lambda note, viewer, memo: {
            "notification": notification_view(note, viewer),
            "unread": unread_count(note.user_id, memo),
        },
        lambda note: note.user,
    ),
    "user": Subject(
        User,
        load_users,
        lambda user, viewer, memo: {"unread": unread_count(user.id, memo)},
        lambda user: user,
    ),
    # Only the area's moderators read its stream; flags of restricted rooms are not published.
    "flag": Subject(
        Flag,
        load_flags,
        lambda flag, viewer, memo: {"flag": flag_view(flag, viewer)},
        lambda flag: GUEST,
    ),
    # Drafts, their reviews and the units' queues are public or for the unit's experts alike.
    "draft": Subject(
        Draft,
        load_drafts,
        lambda draft, viewer, memo: {"draft": draft_summary_view(draft, viewer)},
        lambda draft: GUEST,
    ),
    "review": Subject(
        Review,
        load_reviews,
        lambda review, viewer, memo: {"review": review_view(review, viewer)},
        lambda review: GUEST,
    ),
    "queue_item": Subject(
        UnitTag,
        load_queue_items,
        lambda tag, viewer, memo: {"item": queue_item_view(tag, viewer)},
        lambda tag: GUEST,
    ),
    # A meeting's stream and its room's are read by the room's readers alike.
    "meeting": Subject(
        Meeting,
        load_meetings,
        lambda meeting, viewer, memo: {"meeting": meeting_summary_view(meeting)},
        lambda meeting: GUEST,
    ),
    "question": Subject(
        MeetingQuestion,
        load_questions,
        lambda question, viewer, memo: {"question": question_view(question)},
        lambda question: GUEST,
    ),
}
