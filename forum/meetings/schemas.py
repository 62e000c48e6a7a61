"""Shapes of meetings, as their readers see them, and what clients send to schedule one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, Field

from forum.accounts.schemas import Person, User, person_view, user_view
from forum.drafts.schemas import UnitRef
from forum.meetings import times
from forum.meetings.models import AgendaItem as AgendaItemModel
from forum.meetings.models import Meeting as MeetingModel
from forum.meetings.models import MeetingQuestion as QuestionModel
from forum.notifications.schemas import PlaceRef
from forum.schemas import Count, Id, Input, PageQuery, Pagination, QueryInt, Shape, explained

Status = Literal["upcoming", "live", "ended", "cancelled"]
# The description opens the meeting's thread: a post's limit (config BODY_MAX_LENGTH) holds.
TITLE_MAX, DESCRIPTION_MAX, VIDEO_URL_MAX = 200, 1500, 500
AGENDA_MAX_ITEMS, ITEM_MINUTES_MAX = 30, 600
QUESTION_MAX = 500


def _local_time(text: str) -> datetime:
    """The time a client wrote, as UTC (the value a LocalTime field holds once parsed)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise explained(_("Write a date and time as 2026-10-25T18:00.")) from None
    try:
        return times.to_utc(value)
    except times.NotALocalTime as error:
        raise explained(str(error)) from None


LocalTime = Annotated[
    str,
    Field(
        max_length=40,
        description='ISO 8601: with an offset ("2026-10-25T17:00Z"), or without one '
        '("2026-10-25T18:00") as Kraków\'s wall-clock time (Europe/Warsaw).',
    ),
    AfterValidator(_local_time),
]


class AgendaItem(Shape):
    id: Id
    position: int = Field(ge=1)
    title: str
    planned_minutes: int = Field(ge=1)
    started_at: datetime | None = Field(description="When the host moved the meeting to it.")


class AgendaItemInput(Input):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    planned_minutes: int = Field(ge=1, le=ITEM_MINUTES_MAX)


class MeetingSummary(Shape):
    """A meeting as any reader of its room sees it; live events carry this."""

    id: Id
    title: str
    room: PlaceRef
    area: PlaceRef
    host: Person
    starts_at: datetime
    ends_at: datetime
    status: Status = Field(description="upcoming, live (between start and end), ended, cancelled.")
    video_url: str = Field(description="The external video call, or empty.")
    capacity: int | None = Field(description="At most this many sign-ups; null: no limit.")
    signups: Count
    thread_id: Id = Field(description="The meeting's thread: its written discussion.")
    agenda: list[AgendaItem]
    current_item_id: Id | None = Field(description="The agenda item the host is on now.")
    invited_units: list[UnitRef]
    invited_experts: list[Person]
    has_minutes: bool


def meeting_summary_view(meeting: MeetingModel) -> MeetingSummary:
    room = meeting.room
    return MeetingSummary(
        id=meeting.id,
        title=meeting.title,
        room=PlaceRef(id=room.id, name=room.name),
        area=PlaceRef(id=room.area.id, name=room.area.label),
        host=person_view(meeting.host),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        status=meeting.status(),
        video_url=meeting.video_url,
        capacity=meeting.capacity,
        signups=meeting.signup_count,
        thread_id=meeting.thread_id,
        agenda=[agenda_item_view(item) for item in meeting.agenda],
        current_item_id=meeting.current_item_id,
        invited_units=[
            UnitRef(id=i.unit.id, code=i.unit.code, name=i.unit.name)
            for i in meeting.invitations
            if i.unit is not None
        ],
        invited_experts=[person_view(i.user) for i in meeting.invitations if i.user is not None],
        has_minutes=meeting.has_minutes,
    )


def agenda_item_view(item: AgendaItemModel) -> AgendaItem:
    return AgendaItem(
        id=item.id,
        position=item.position,
        title=item.title,
        planned_minutes=item.planned_minutes,
        started_at=item.started_at,
    )


class Question(Shape):
    id: Id
    meeting_id: Id
    author: User = Field(description="With their badges, as the meeting's page shows them.")
    unit: UnitRef | None = Field(description="The invited unit it is for; null: for any expert.")
    body: str
    created_at: datetime
    answered: bool
    answered_at: datetime | None


def question_view(question: QuestionModel) -> Question:
    unit = question.unit
    return Question(
        id=question.id,
        meeting_id=question.meeting_id,
        author=user_view(question.author),
        unit=UnitRef(id=unit.id, code=unit.code, name=unit.name) if unit is not None else None,
        body=question.body,
        created_at=question.created_at,
        answered=question.answered_at is not None,
        answered_at=question.answered_at,
    )


class MeetingInput(Input):
    """A meeting to schedule (or its new details)."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    starts_at: LocalTime
    ends_at: LocalTime
    video_url: str = Field("", max_length=VIDEO_URL_MAX, description="http(s) address, or empty.")
    capacity: int | None = Field(None, ge=1, le=100_000)
    agenda: list[AgendaItemInput] = Field(default_factory=list, max_length=AGENDA_MAX_ITEMS)
    invited_unit_ids: list[Id] = Field(default_factory=list, max_length=50)
    invited_expert_ids: list[Id] = Field(default_factory=list, max_length=50)


# --- scheduling and finding meetings (forum/api/v1/meetings.py) ------------------------------


class MeetingAnswer(Shape):
    """A meeting, with what the asking person may do with it."""

    meeting: MeetingSummary
    signed_up: bool = Field(description="Whether the asking person is signed up.")
    can_sign_up: bool = Field(description="Signing up is open to them (places may be gone).")
    can_edit: bool = Field(description="They may change or cancel it (its host, an admin).")
    ics_url: str = Field(description="The meeting as an iCalendar file.")


class MeetingPage(Shape):
    meetings: list[MeetingSummary]
    meta: Pagination


class MeetingQuery(PageQuery):
    area_id: QueryInt | None = Field(
        None, ge=1, description="An area's id: meetings in its rooms and its osiedla's."
    )
    room_id: QueryInt | None = Field(None, ge=1, description="A room's id: its meetings.")
    when: Literal["upcoming", "past", "cancelled", "all"] = Field(
        "upcoming",
        description="upcoming (not ended, live ones too; soonest first), past (ended), "
        "cancelled, or all (the last three latest first).",
    )


class Cancellation(Input):
    reason: str = Field(
        min_length=1, max_length=500, description="Why: the people signed up and invited read it."
    )


class SignupRequest(Input):
    """Nothing to say: an empty object."""
