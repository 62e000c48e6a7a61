"""Shapes of an expert unit's queue."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from forum.accounts.schemas import Person, person_view
from forum.drafts.schemas import DraftSummary, UnitRef, draft_summary_view
from forum.notifications.schemas import ThreadRef
from forum.policy import can
from forum.schemas import Id, Shape
from forum.units.models import UnitTag


class QueueItem(Shape):
    """A thread or a draft tagged for a unit (exactly one of `thread` and `draft` is set)."""

    id: Id
    unit: UnitRef
    thread: ThreadRef | None = Field(description="A tagged thread the viewer may read.")
    draft: DraftSummary | None
    tagged_by: Person
    created_at: datetime
    claimed_by: Person | None = Field(description="The unit's expert who took it on.")
    claimed_at: datetime | None
    removed: bool = Field(description="Untagged: no longer in the queue.")


def queue_item_view(tag: UnitTag, viewer) -> QueueItem:
    thread = tag.thread
    return QueueItem(
        id=tag.id,
        unit=UnitRef(id=tag.unit.id, code=tag.unit.code, name=tag.unit.name),
        thread=(
            ThreadRef(id=thread.id, title=thread.title)
            if thread is not None and can(viewer, "thread.read", thread)
            else None
        ),
        draft=draft_summary_view(tag.draft) if tag.draft is not None else None,
        tagged_by=person_view(tag.tagged_by),
        created_at=tag.created_at,
        claimed_by=person_view(tag.claimed_by) if tag.claimed_by is not None else None,
        claimed_at=tag.claimed_at,
        removed=tag.removed_at is not None,
    )
