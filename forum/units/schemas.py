"""Shapes of expert units: their queues, a thread's or draft's units, official answers,
and what clients send."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from forum.accounts.schemas import Person, person_view
from forum.discussion.schemas import Post, post_view
from forum.drafts.schemas import DraftSummary, UnitRef, draft_summary_view
from forum.notifications.schemas import ThreadRef
from forum.policy import can
from forum.schemas import Count, Id, Input, Pagination, Seq, Shape
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


class Unit(UnitRef):
    """An expert unit, and what the viewer is to it."""

    can_read_queue: bool = Field(description="The viewer is one of its experts, or an admin.")


class UnitList(Shape):
    units: list[Unit]


class OfficialAnswer(Shape):
    """A unit's expert reply marked as the unit's answer: shown at the top of the thread."""

    unit: UnitRef
    post: Post
    marked_by: Person
    created_at: datetime


class ThreadUnits(Shape):
    thread_id: Id
    units: list[UnitRef] = Field(description="The units the thread is tagged for.")
    official_answers: list[OfficialAnswer] = Field(
        description="By unit code; an answer whose reply was deleted or hidden is not shown."
    )
    can_tag: bool = Field(description="Whether the viewer may tag and untag the thread.")


class DraftUnits(Shape):
    draft_id: Id
    units: list[UnitRef] = Field(description="The units the draft is tagged for.")
    can_tag: bool = Field(description="Whether the viewer may tag and untag the draft.")


class UnitChoice(Input):
    unit_ids: list[Id] = Field(
        min_length=1, max_length=50, description="Expert units, by id (GET /units lists them)."
    )


class Queue(Shape):
    """A unit's queue: items not yet claimed first, then the viewer's, then the rest."""

    unit: UnitRef
    items: list[QueueItem]
    waiting: Count = Field(description="Items in the whole queue nobody took on yet.")
    meta: Pagination
    stream: str = Field(description='Follow it live: "unit:<id>" (queue_updated events).')
    last_seq: Seq = Field(description="The stream's seq this answer is up to.")


class Claim(Input):
    """Taking an item on says nothing more: send {}."""


class QueueItemAnswer(Shape):
    item: QueueItem


class MarkOfficial(Input):
    unit_id: Id | None = Field(
        None, description="Needed only when the reply could be the answer of several units."
    )


class OfficialAnswerAnswer(Shape):
    answer: OfficialAnswer


def unit_ref(unit) -> UnitRef:
    return UnitRef(id=unit.id, code=unit.code, name=unit.name)


def official_answer_view(answer, viewer) -> OfficialAnswer:
    return OfficialAnswer(
        unit=unit_ref(answer.unit),
        post=post_view(answer.post, viewer),
        marked_by=person_view(answer.marked_by),
        created_at=answer.created_at,
    )
