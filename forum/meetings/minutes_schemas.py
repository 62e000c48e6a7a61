"""Shapes of what a meeting left behind: its minutes, outcomes and attendance, as the API
answers them, and what the host sends."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.accounts.schemas import Person, person_view
from forum.meetings.minutes import MINUTES_MAX, AfterView, Attendance
from forum.meetings.models import MeetingOutcome as OutcomeModel
from forum.meetings.schemas import AgendaItem, Question, agenda_item_view, question_view
from forum.notifications.schemas import ThreadRef
from forum.schemas import Count, Id, Input, Shape

DraftStatus = Literal["draft", "in_review", "revised", "ready", "withdrawn"]


class OutcomeDraft(Shape):
    id: Id
    title: str
    status: DraftStatus = Field(description="Where the draft is on its way to BO.")


class Outcome(Shape):
    """A thread or a draft that came out of the meeting."""

    id: Id
    kind: Literal["thread", "draft"]
    thread: ThreadRef | None
    draft: OutcomeDraft | None


class MeetingRecord(Shape):
    """What a meeting left behind, as the viewer may see it."""

    meeting_id: Id
    status: Literal["upcoming", "live", "ended", "cancelled"]
    published: bool = Field(description="The minutes are out, for every reader.")
    published_at: datetime | None
    source: str = Field(
        description="The minutes' Markdown: published ones for everyone, unpublished ones only "
        "for whoever may write them; otherwise empty."
    )
    html: str = Field(description="The minutes rendered and sanitized, as `source` is shown.")
    can_write: bool = Field(description="The viewer may write and publish them now.")
    outcomes: list[Outcome] = Field(description="Those the viewer may read.")
    agenda: list[AgendaItem] = Field(description="As it ran: each item's start, if reached.")
    questions: list[Question]
    signed_up: Count
    present: Count


class MinutesTemplate(Shape):
    source: str = Field(description="Markdown made from the agenda and the questions asked.")


class MinutesInput(Input):
    source: str = Field(max_length=MINUTES_MAX, description="Markdown.")
    publish: bool = Field(
        False,
        description="Publish them too (telling everyone signed up or present, the first time "
        "only). Published minutes stay published when saved again.",
    )


class MinutesPreviewInput(Input):
    source: str = Field(max_length=MINUTES_MAX)


class MinutesPreview(Shape):
    html: str


class OutcomeInput(Input):
    """Give one of: `thread_id`, `draft_id`, or `address` (a thread's or a draft's address on
    this forum, a post's address for its thread, or a number read as `kind`)."""

    thread_id: Id | None = None
    draft_id: Id | None = None
    address: str | None = Field(None, max_length=500)
    kind: Literal["thread", "draft"] | None = None


class AttendanceAnswer(Shape):
    meeting_id: Id
    signed_up: list[Person]
    present: list[Person]


def outcome_view(outcome: OutcomeModel) -> Outcome:
    thread, draft = outcome.thread, outcome.draft
    return Outcome(
        id=outcome.id,
        kind="thread" if thread is not None else "draft",
        thread=ThreadRef(id=thread.id, title=thread.title) if thread is not None else None,
        draft=(
            OutcomeDraft(id=draft.id, title=draft.title, status=draft.status)
            if draft is not None
            else None
        ),
    )


def record_view(after: AfterView) -> MeetingRecord:
    meeting = after.meeting
    return MeetingRecord(
        meeting_id=meeting.id,
        status=meeting.status(),
        published=meeting.has_minutes,
        published_at=meeting.minutes_published_at,
        source=meeting.minutes_source if after.minutes_visible else "",
        html=meeting.minutes_html if after.minutes_visible else "",
        can_write=after.can_write,
        outcomes=[outcome_view(outcome) for outcome in after.outcomes],
        agenda=[agenda_item_view(item) for item in meeting.agenda],
        questions=[question_view(question) for question in after.questions],
        signed_up=after.signed_up,
        present=after.present,
    )


def attendance_view(meeting_id: int, people: Attendance) -> AttendanceAnswer:
    return AttendanceAnswer(
        meeting_id=meeting_id,
        signed_up=[person_view(user) for user in people.signed_up],
        present=[person_view(user) for user in people.present],
    )
