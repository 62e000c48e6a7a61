"""Shapes of moderation: what moderators send, mutes, and the public log as a reader sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.accounts.schemas import Person, User, person_view, user_view
from forum.discussion.schemas import Thread
from forum.moderation import services
from forum.moderation.log import ACTIONS
from forum.moderation.models import ModerationEntry
from forum.moderation.models import Mute as MuteModel
from forum.moderation.reasons import OptionalReason, Reason
from forum.notifications.schemas import PlaceRef, ThreadRef
from forum.policy import can
from forum.schemas import Id, Input, Pagination, Shape


class HidePost(Input):
    reason: Reason = Field(description="Shown to readers in the post's place.")


class ThreadAction(Input):
    """Lock or pin a thread."""

    reason: OptionalReason = ""


class MoveThread(Input):
    room_id: Id = Field(description="A room of the thread's district or one of its osiedla.")
    reason: OptionalReason = ""


class NewMute(Input):
    user_id: Id
    minutes: int = Field(ge=1, le=services.MUTE_MAX_MINUTES, description="How long: up to a year.")
    reason: Reason = Field(description="Told to the muted person and written to the public log.")


class ThreadAnswer(Shape):
    thread: Thread


class Mute(Shape):
    id: Id
    room_id: Id
    user: User
    muted_by: Person
    reason: str
    created_at: datetime
    until: datetime
    active: bool = Field(description="False once it ended or was lifted.")


class MuteAnswer(Shape):
    mute: Mute


class MuteList(Shape):
    mutes: list[Mute] = Field(description="Active mutes, the soonest to end first.")
    meta: Pagination


Action = Literal[ACTIONS]  # type: ignore[valid-type]


class Entry(Shape):
    """One action of the public log. The words of a hidden post are never part of it."""

    id: Id
    action: Action
    actor: Person
    created_at: datetime
    reason: str
    area: PlaceRef | None = Field(description="None for site-wide actions (suspensions).")
    room: PlaceRef | None
    thread: ThreadRef | None = Field(description="None if the reader may not read the thread.")
    post_id: Id | None = Field(description="None if the reader may not read the thread.")
    subject: Person | None = Field(description="The person muted or suspended, if any.")
    moved_to: PlaceRef | None = Field(description="Where a moved thread went (if readable).")
    until: datetime | None = Field(description="When a mute ends.")


class EntryPage(Shape):
    entries: list[Entry] = Field(description="Newest first.")
    meta: Pagination


def mute_view(mute: MuteModel) -> Mute:
    return Mute(
        id=mute.id,
        room_id=mute.room_id,
        user=user_view(mute.user),
        muted_by=person_view(mute.muted_by),
        reason=mute.reason,
        created_at=mute.created_at,
        until=mute.until,
        active=mute.is_active,
    )


def entry_view(entry: ModerationEntry, viewer) -> Entry:
    readable = entry.thread is not None and can(viewer, "thread.read", entry.thread)
    moved = services.moved_to(entry, viewer)
    return Entry(
        id=entry.id,
        action=entry.action,
        actor=person_view(entry.actor),
        created_at=entry.created_at,
        reason=entry.reason,
        area=PlaceRef(id=entry.area.id, name=entry.area.label) if entry.area else None,
        room=PlaceRef(id=entry.room.id, name=entry.room.name) if entry.room else None,
        thread=ThreadRef(id=entry.thread.id, title=entry.thread.title) if readable else None,
        post_id=entry.post_id if readable else None,
        subject=person_view(entry.subject_user) if entry.subject_user else None,
        moved_to=PlaceRef(id=moved.id, name=moved.name) if moved else None,
        until=services.mute_end(entry),
    )
