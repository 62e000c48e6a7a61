"""What reading a thread and replying in it are decided on, read in statements of columns.

Joining a thread's stream happens a thousand times when a meeting starts, and the policy needs
only a few columns of the thread, its room and the room's area: loading them as ORM objects
(identity map, eager joins, instance state) cost more than the rest of a join together. These
facts carry those columns and the models' own rules (the very properties of Thread, Room and
Area), so forum/policy.py decides on them as on the objects themselves.

They are plain values, never in the session: nothing can write them back.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread
from forum.extensions import read_columns


@dataclass(slots=True)
class AreaFacts:
    id: int
    path: str
    archived_at: datetime | None

    is_within = Area.is_within
    is_archived = Area.is_archived


@dataclass(slots=True)
class RoomFacts:
    id: int
    is_public: bool
    archived_at: datetime | None
    area: AreaFacts

    is_archived = Room.is_archived


@dataclass(slots=True)
class ThreadFacts:
    id: int
    room_id: int
    status: str
    deleted_at: datetime | None
    room: RoomFacts

    is_locked = Thread.is_locked
    is_deleted = Thread.is_deleted


@dataclass(slots=True, frozen=True)
class PostFacts:
    """What a reply reads of the post it answers (its words stay in the database)."""

    id: int
    thread_id: int
    author_id: int
    parent_id: int | None
    depth: int
    deleted_at: datetime | None

    is_opening = Post.is_opening
    is_deleted = Post.is_deleted


POST_COLUMNS = (
    Post.id,
    Post.thread_id,
    Post.author_id,
    Post.parent_id,
    Post.depth,
    Post.deleted_at,
)


@functools.cache
def _query():
    """Built once (on first use, when every model is mapped): its cache key is computed once."""
    return (
        select(
            Thread.room_id,
            Thread.status,
            Thread.deleted_at,
            Room.is_public,
            Room.archived_at,
            Room.area_id,
            Area.path,
            Area.archived_at,
        )
        .join(Room, Room.id == Thread.room_id)
        .join(Area, Area.id == Room.area_id)
        .where(Thread.id == bindparam("thread_id"))
    )


def load_thread_facts(thread_id: int) -> ThreadFacts | None:
    """The thread's facts, or None if there is no such thread."""
    row = read_columns(_query(), {"thread_id": thread_id}).one_or_none()
    if row is None:
        return None
    room_id, status, deleted_at, is_public, room_archived_at, area_id, path, area_archived = row
    area = AreaFacts(area_id, path, area_archived)
    room = RoomFacts(room_id, is_public, room_archived_at, area)
    return ThreadFacts(thread_id, room_id, status, deleted_at, room)


def read_post_facts(statement, params: dict) -> PostFacts | None:
    """The facts of the post a select of POST_COLUMNS finds, or None."""
    row = read_columns(statement, params).one_or_none()
    return None if row is None else PostFacts(*row)
