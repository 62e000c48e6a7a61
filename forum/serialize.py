"""Domain objects as JSON: the shapes the API (see api/v1/openapi.py) and live events share."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the services use these shapes too: no import cycle at run time
    from forum.accounts.models import User
    from forum.areas.models import Area, Room
    from forum.areas.services import RoomActivity
    from forum.discussion.models import Post, PostRevision, Thread
    from forum.discussion.services import PostTree


def timestamp(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user(account: User) -> dict:
    return {
        "id": account.id,
        "display_name": account.display_name,
        "badges": [{"role": role, "scope": scope} for role, scope in account.badges()],
    }


def room(r: Room, activity: RoomActivity | None = None) -> dict:
    return {
        "id": r.id,
        "area_id": r.area_id,
        "name": r.name,
        "slug": r.slug,
        "track": r.track,
        "description": r.description,
        "thread_count": activity.thread_count if activity else 0,
        "post_count": activity.post_count if activity else 0,
        "last_activity_at": timestamp(activity.last_activity_at) if activity else None,
    }


def area(a: Area, children: list[dict], rooms: list[dict]) -> dict:
    return {
        "id": a.id,
        "parent_id": a.parent_id,
        "kind": a.kind,
        "number": a.number,
        "name": a.name,
        "slug": a.slug,
        "rooms": rooms,
        "children": children,
    }


def thread(t: Thread) -> dict:
    return {
        "id": t.id,
        "room_id": t.room_id,
        "title": t.title,
        "author": user(t.author),
        "status": t.status,
        "pinned": t.pinned,
        "deleted": t.is_deleted,
        "reply_count": t.reply_count,
        "created_at": timestamp(t.created_at),
        "last_activity_at": timestamp(t.last_activity_at),
    }


def post(p: Post) -> dict:
    """A post; a deleted one is a tombstone with no author and no words."""
    return {
        "id": p.id,
        "thread_id": p.thread_id,
        "parent_id": p.parent_id,
        "depth": p.depth,
        "author": None if p.is_deleted else user(p.author),
        "body_source": p.body_source,
        "body_html": p.body_html,
        "created_at": timestamp(p.created_at),
        "edited_at": timestamp(p.edited_at),
        "deleted": p.is_deleted,
    }


def post_tree(tree: PostTree) -> dict:
    """The opening post with its replies nested under "replies"."""

    def with_replies(p: Post) -> dict:
        return post(p) | {"replies": [with_replies(child) for child in tree.replies_to(p)]}

    return with_replies(tree.opening)


def revision(r: PostRevision) -> dict:
    return {
        "id": r.id,
        "body_source": r.body_source,
        "body_html": r.body_html,
        "written_at": timestamp(r.written_at),
    }
