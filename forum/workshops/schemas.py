"""Shapes of the workshop series as anyone sees it (its stages, needs, ideas and the drafts made
of them), and what clients send to create a series, add or mark items and link needs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.accounts.schemas import Person, person_view
from forum.discussion.schemas import Body, Title
from forum.drafts.schemas import Status as DraftStatus
from forum.drafts.schemas import UnitRef
from forum.meetings.schemas import DESCRIPTION_MAX, LocalTime, MeetingSummary, meeting_summary_view
from forum.notifications.schemas import ThreadRef
from forum.schemas import Count, Id, Input, Pagination, Shape

SERIES_TITLE_MAX = 100  # a stage's meeting is called "<series> — Workshop 1: …"
NEEDS_MAX = 50

StageKind = Literal["needs", "ideas", "proposals"]
ItemKind = Literal["need", "idea"]
Opinion = Literal["positive", "needs_changes", "negative"]


class UnitOpinion(Shape):
    """A unit's latest review of a draft."""

    unit: UnitRef
    opinion: Opinion
    revision_number: int = Field(ge=1, description="The draft's revision the unit reviewed.")
    current: bool = Field(description="Whether that is the draft's current revision.")


class WorkshopDraft(Shape):
    """The proposal draft a need or an idea became, and where its review stands."""

    id: Id
    title: str
    status: DraftStatus
    reviews: list[UnitOpinion] = Field(description="Each unit's latest review, by unit code.")


class WorkshopItem(Shape):
    """A thread marked as a need (stage 1) or an idea (stage 2) of a series."""

    id: Id
    kind: ItemKind
    stage: int = Field(ge=1, le=2)
    thread: ThreadRef
    author: Person = Field(description="Who started the thread: whose need or idea it is.")
    marked_by: Person
    created_at: datetime
    answers: list[Id] = Field(description="For an idea: the ids of the needs it answers.")
    answered_by: list[Id] = Field(description="For a need: the ids of the ideas that answer it.")
    official_answers: list[UnitRef] = Field(
        description="The expert units that answered officially in the item's thread."
    )
    draft: WorkshopDraft | None = Field(description="The draft the thread became, if it did.")


class WorkshopStage(Shape):
    number: int = Field(ge=1, le=3)
    kind: StageKind
    meeting: MeetingSummary = Field(description="The stage's workshop meeting.")


class WorkshopSeries(Shape):
    id: Id
    title: str
    description: str
    edition: int = Field(description="The budget edition's year.")
    edition_name: str
    created_at: datetime
    stages: list[WorkshopStage]
    needs: Count
    ideas: Count
    drafts: Count = Field(description="Needs and ideas that became proposal drafts.")


class WorkshopSeriesList(Shape):
    series: list[WorkshopSeries] = Field(description="The newest edition first.")
    meta: Pagination


class WorkshopSeriesAnswer(Shape):
    """A series with a page of its pipeline: needs with the ideas that answer them, ideas with
    the needs they answer and the drafts they became (a need no idea answers has no
    `answered_by`, an idea that answers no need no `answers`)."""

    series: WorkshopSeries
    needs: list[WorkshopItem] = Field(description="A page of the needs, newest first.")
    ideas: list[WorkshopItem] = Field(description="A page of the ideas, newest first.")
    needs_meta: Pagination = Field(description="Pages of the needs.")
    ideas_meta: Pagination = Field(description="Pages of the ideas.")


class WorkshopItemAnswer(Shape):
    item: WorkshopItem


class StageInput(Input):
    room_id: Id | None = Field(
        None, description="A public room of the city track; left out: the stage's workshop room."
    )
    starts_at: LocalTime
    ends_at: LocalTime


class SeriesInput(Input):
    """A new series and the three workshop meetings of its stages, in order."""

    edition_id: Id | None = Field(None, description="Left out: the current edition.")
    title: str = Field(min_length=3, max_length=SERIES_TITLE_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    stages: list[StageInput] = Field(min_length=3, max_length=3)
    invited_unit_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="Expert units invited to every workshop."
    )


class NewItemThread(Input):
    """A need (stage 1) or an idea (stage 2), started as a thread in the stage's room."""

    title: Title
    body: Body
    need_ids: list[Id] = Field(
        default_factory=list, max_length=NEEDS_MAX, description="For an idea: needs it answers."
    )


class MarkThread(Input):
    thread_id: Id


class NeedLinks(Input):
    need_ids: list[Id] = Field(max_length=NEEDS_MAX, description="All the needs the idea answers.")


# --- views: from the pipeline's lines (forum/workshops/services.py) ---------------------------


def unit_ref(unit) -> UnitRef:
    return UnitRef(id=unit.id, code=unit.code, name=unit.name)


def item_view(line) -> WorkshopItem:
    """A need or an idea of the pipeline (a services.Line)."""
    draft = line.draft
    return WorkshopItem(
        id=line.item.id,
        kind=line.item.kind,
        stage=line.number,
        thread=ThreadRef(id=line.thread.id, title=line.thread.title),
        author=person_view(line.thread.author),
        marked_by=person_view(line.item.marked_by),
        created_at=line.item.created_at,
        answers=list(line.answers),
        answered_by=list(line.answered_by),
        official_answers=[unit_ref(unit) for unit in line.official],
        draft=None
        if draft is None
        else WorkshopDraft(
            id=draft.id,
            title=draft.title,
            status=draft.status,
            reviews=[
                UnitOpinion(
                    unit=unit_ref(r.unit),
                    opinion=r.review.opinion,
                    revision_number=r.review.revision_number,
                    current=r.current,
                )
                for r in line.reviews
            ],
        ),
    )


def series_view(series, counts: dict[str, int]) -> WorkshopSeries:
    return WorkshopSeries(
        id=series.id,
        title=series.title,
        description=series.description,
        edition=series.edition.year,
        edition_name=series.edition.name,
        created_at=series.created_at,
        stages=[
            WorkshopStage(
                number=stage.number, kind=stage.kind, meeting=meeting_summary_view(stage.meeting)
            )
            for stage in series.stages
        ],
        needs=counts.get("need", 0),
        ideas=counts.get("idea", 0),
        drafts=counts.get("draft", 0),
    )
