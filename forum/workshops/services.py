"""The city workshop series: creating one with its three workshop meetings, needs and ideas
(threads of the stages' rooms, started from the series page or marked by the moderators), the
needs an idea answers, and the pipeline from needs to drafts and their reviews. Services never
commit; the caller owns the transaction."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import ExpertUnit, User
from forum.areas import krakow
from forum.areas.models import Area, Room, RoomMember
from forum.budget.models import BudgetEdition
from forum.budget.services import current_edition
from forum.discussion import services as discussion
from forum.discussion.models import Post, Thread
from forum.drafts.models import Draft
from forum.errors import Conflict, DomainError, NotFound, ValidationError
from forum.extensions import db, insert_unless_taken, utcnow
from forum.meetings import services as meetings
from forum.meetings.models import Meeting
from forum.meetings.schemas import MeetingInput
from forum.policy import can, ensure
from forum.realtime import events
from forum.realtime.streams import meeting_stream, publish
from forum.realtime.subjects import with_meeting_parts
from forum.reviews.models import Review
from forum.schemas import parse
from forum.units.models import OfficialAnswer
from forum.workshops.models import STAGES, IdeaNeed, WorkshopItem, WorkshopSeries, WorkshopStage
from forum.workshops.schemas import SeriesInput

# What each stage gathers: needs in the first, ideas in the second; the third makes drafts.
ITEM_OF_STAGE = {1: "need", 2: "idea"}
MARKABLE_THREADS = 100  # the stage room's latest threads offered for marking
SERIES_PER_PAGE = 20  # series on a page of the list
ITEMS_PER_PAGE = 20  # needs, and ideas, on a page of a series
# A meeting's fields the series gives all its workshops (an error about one is the series').
SERIES_FIELDS = ("invited_unit_ids",)


def stage_name(number: int) -> str:
    return {
        1: _("Workshop 1: residents' needs"),
        2: _("Workshop 2: ideas"),
        3: _("Workshop 3: proposals"),
    }[number]


# --- rooms ---------------------------------------------------------------------------------


def workshop_rooms() -> list[Room]:
    """The rooms a stage may be held in: the city track's public rooms still open."""
    rooms = db.session.scalars(
        select(Room)
        .join(Area, Room.area_id == Area.id)
        .where(
            Room.track == "city",
            Room.is_public.is_(True),
            Room.archived_at.is_(None),
            Area.archived_at.is_(None),
        )
        .options(joinedload(Room.area))
        .order_by(Room.position, Room.id)
    )
    return list(rooms)


def default_rooms() -> list[Room | None]:
    """The stages' own rooms: "Warsztat 1/2/3" of the city track (None where one is gone)."""
    by_slug = {room.slug: room for room in workshop_rooms()}
    return [by_slug.get(krakow.slugify(name)) for name, _description in krakow.CITY_ROOMS]


# --- the series ----------------------------------------------------------------------------


def _edition(edition_id: int | None) -> BudgetEdition:
    if edition_id is None:
        edition = current_edition()
        if edition is None:
            raise Conflict(_("No budget edition is open for proposals."), code="no_edition")
        return edition
    edition = db.session.get(BudgetEdition, edition_id)
    if edition is None:
        raise ValidationError(
            _("Some fields need correcting."), {"edition_id": _("Choose an edition from the list.")}
        )
    return edition


def _stage_rooms(data: SeriesInput) -> list[Room]:
    """Each stage's room, checked; a field error names the stage's room that will not do."""
    allowed = {room.id: room for room in workshop_rooms()}
    defaults = default_rooms()
    rooms, errors = [], {}
    for index, stage in enumerate(data.stages):
        room = allowed.get(stage.room_id) if stage.room_id is not None else defaults[index]
        if room is None:
            errors[f"stages.{index}.room_id"] = _("Choose one of the city track's open rooms.")
        rooms.append(room)
    for index in range(1, len(data.stages)):
        before, stage = data.stages[index - 1], data.stages[index]
        if stage.starts_at < before.ends_at:
            errors.setdefault(
                f"stages.{index}.starts_at",
                _("Each workshop starts after the one before it has ended."),
            )
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    return rooms


def _in_stage(index: int, error: DomainError) -> DomainError:
    """A meeting's refusal, said of the stage it is about."""
    if isinstance(error, ValidationError):
        fields = {
            name if name in SERIES_FIELDS else f"stages.{index}.{name}": message
            for name, message in error.fields.items()
        }
        return ValidationError(error.message, fields)
    if isinstance(error, Conflict) and error.code == "meeting_overlaps":
        message = _("%(stage)s: %(problem)s", stage=stage_name(index + 1), problem=error.message)
        return Conflict(message, code=error.code)
    return error


def create_series(admin: User, data: SeriesInput, *, now: datetime | None = None) -> WorkshopSeries:
    """A series for a budget edition with its three stages, each a workshop meeting the admin
    hosts with the invited expert units (scheduled as any meeting: times checked, its thread
    made, the units' experts told)."""
    ensure(admin, "series.manage", None)
    now = now or utcnow()
    edition = _edition(data.edition_id)
    rooms = _stage_rooms(data)
    title = data.title.strip()
    description = data.description.strip()
    if len(title) < 3:
        message = _("Give a title of at least 3 characters.")
        raise ValidationError(_("Some fields need correcting."), {"title": message})
    series = WorkshopSeries(
        edition=edition,
        title=title,
        description=description,
        created_by_id=admin.id,
        created_at=now,
    )
    for index, (kind, stage, room) in enumerate(zip(STAGES, data.stages, rooms, strict=True)):
        number = index + 1
        meeting_data = parse(
            MeetingInput,
            {
                "title": f"{title} — {stage_name(number)}",
                "description": description,
                "starts_at": stage.starts_at.isoformat(),
                "ends_at": stage.ends_at.isoformat(),
                "invited_unit_ids": list(data.invited_unit_ids),
            },
        )
        try:
            meeting = meetings.schedule_meeting(admin, room.id, meeting_data, now=now)
        except (ValidationError, Conflict) as error:
            raise _in_stage(index, error) from None
        series.stages.append(WorkshopStage(number=number, kind=kind, meeting=meeting))
    db.session.add(series)
    db.session.flush()
    return series


def _series_query(summaries: bool = False):
    """Series with their stages' meetings; with all a meeting's summary shows (its agenda and
    invitations) if `summaries`."""
    meeting = (
        with_meeting_parts()
        if summaries
        else (joinedload(Meeting.room).joinedload(Room.area), joinedload(Meeting.host))
    )
    return select(WorkshopSeries).options(
        joinedload(WorkshopSeries.edition),
        selectinload(WorkshopSeries.stages).joinedload(WorkshopStage.meeting).options(*meeting),
    )


def load_series(series_id: int, *, summaries: bool = False) -> WorkshopSeries:
    """A series; everyone may read them (their rooms are public). `summaries`: with all its
    meetings' summaries show."""
    series = db.session.scalar(_series_query(summaries).where(WorkshopSeries.id == series_id))
    if series is None:
        raise NotFound(_("There is no such workshop series."))
    return series


def list_series(page: int = 1, per_page: int = SERIES_PER_PAGE, *, summaries: bool = False):
    """A page of the series, the newest edition first (a Flask-SQLAlchemy page); `summaries`:
    with all their meetings' summaries show."""
    query = (
        _series_query(summaries)
        .join(BudgetEdition, WorkshopSeries.edition_id == BudgetEdition.id)
        .order_by(BudgetEdition.year.desc(), WorkshopSeries.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def item_counts(series_ids) -> dict[int, dict[str, int]]:
    """Needs, ideas and drafts made of them, per series (items of deleted threads left out)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"need": 0, "idea": 0, "draft": 0})
    rows = db.session.execute(
        select(WorkshopStage.series_id, WorkshopItem.kind, Draft.id)
        .join(WorkshopItem, WorkshopItem.stage_id == WorkshopStage.id)
        .join(Thread, WorkshopItem.thread_id == Thread.id)
        .outerjoin(Draft, Draft.source_thread_id == Thread.id)
        .where(WorkshopStage.series_id.in_(list(series_ids)), Thread.deleted_at.is_(None))
    )
    for series_id, kind, draft_id in rows:
        counts[series_id][kind] += 1
        counts[series_id]["draft"] += draft_id is not None
    return counts


def stage_of(series_id: int, number: int) -> WorkshopStage:
    stage = db.session.scalar(
        select(WorkshopStage)
        .where(WorkshopStage.series_id == series_id, WorkshopStage.number == number)
        .options(
            joinedload(WorkshopStage.series),
            joinedload(WorkshopStage.meeting).joinedload(Meeting.room).joinedload(Room.area),
        )
    )
    if stage is None:
        raise NotFound(_("There is no such workshop stage."))
    return stage


def item_kind(stage: WorkshopStage) -> str:
    kind = ITEM_OF_STAGE.get(stage.number)
    if kind is None:
        raise Conflict(
            _("The third workshop gathers no needs or ideas: it turns ideas into proposal drafts."),
            code="stage_takes_no_items",
        )
    return kind


# --- needs and ideas -----------------------------------------------------------------------


def _needs_of(series_id: int, need_ids) -> list[WorkshopItem]:
    """The needs of the series with these ids; a field error if any is not one."""
    wanted = set(need_ids)
    if not wanted:
        return []
    needs = db.session.scalars(
        select(WorkshopItem)
        .join(WorkshopStage, WorkshopItem.stage_id == WorkshopStage.id)
        .join(Thread, WorkshopItem.thread_id == Thread.id)
        .where(
            WorkshopItem.id.in_(wanted),
            WorkshopItem.kind == "need",
            WorkshopStage.series_id == series_id,
            Thread.deleted_at.is_(None),
        )
        .order_by(WorkshopItem.id)
    ).all()
    if len(needs) != len(wanted):
        raise ValidationError(
            _("Some fields need correcting."),
            {"need_ids": _("Choose needs of this workshop series.")},
        )
    return list(needs)


def start_item(
    user: User, series_id: int, number: int, title: str | None, body: str | None, need_ids=()
) -> WorkshopItem:
    """A need (stage 1) or an idea (stage 2): a new thread in the stage's room, marked as the
    stage's item in the same transaction. The room's rules for new threads apply."""
    stage = stage_of(series_id, number)
    kind = item_kind(stage)
    needs = _needs_of(series_id, need_ids) if kind == "idea" else []
    if need_ids and kind != "idea":
        raise ValidationError(
            _("Some fields need correcting."), {"need_ids": _("Only an idea answers needs.")}
        )
    thread = discussion.create_thread(user, stage.meeting.room_id, title, body)
    item = WorkshopItem(stage=stage, thread=thread, kind=kind, marked_by_id=user.id)
    item.answers = [IdeaNeed(need=need) for need in needs]
    db.session.add(item)
    _items_changed(stage)
    return item


def _items_changed(stage: WorkshopStage) -> None:
    """The stage's needs or ideas changed: the series page, which follows its workshops'
    meetings, shows its lists again. Not on the room's stream: the room's readers see nothing
    new, and a reply in the room (thread_updated there) changes no list of the series."""
    db.session.flush()
    publish(events.MEETING_UPDATED, meeting_stream(stage.meeting_id), stage.meeting)


def is_meeting_thread(thread_id: int) -> bool:
    return db.session.scalar(select(Meeting.id).where(Meeting.thread_id == thread_id)) is not None


def mark_thread(user: User, series_id: int, number: int, thread_id: int) -> WorkshopItem:
    """Mark a thread of the stage's room as the stage's need or idea: the room's moderators.
    Marking it again changes nothing; a thread is an item of one stage at most."""
    stage = stage_of(series_id, number)
    kind = item_kind(stage)
    thread = discussion.access_thread(user, thread_id)
    ensure(user, "workshop_item.mark", thread)
    if thread.room_id != stage.meeting.room_id:
        raise ValidationError(
            _("Some fields need correcting."),
            {
                "thread_id": _(
                    "Choose a thread of the workshop's room, %(room)s.",
                    room=stage.meeting.room.name,
                )
            },
        )
    if thread.is_deleted:
        raise Conflict(_("This thread was deleted."), code="thread_deleted")
    if is_meeting_thread(thread.id):
        raise ValidationError(
            _("Some fields need correcting."),
            {"thread_id": _("A meeting's own discussion is not a need or an idea.")},
        )
    item_id = insert_unless_taken(
        WorkshopItem,
        {
            "stage_id": stage.id,
            "thread_id": thread.id,
            "kind": kind,
            "marked_by_id": user.id,
            "created_at": utcnow(),
        },
        ["thread_id"],
    )
    if item_id is None:
        existing = db.session.scalar(
            select(WorkshopItem).where(WorkshopItem.thread_id == thread.id)
        )
        if existing.stage_id == stage.id:
            return existing
        raise Conflict(
            _("This thread is a need or an idea of another workshop already."),
            code="already_marked",
        )
    _items_changed(stage)
    return db.session.get(WorkshopItem, item_id)


def access_item(user, item_id: int) -> WorkshopItem:
    """A need or an idea whose thread the user may read; missing and forbidden look the same."""
    item = db.session.get(
        WorkshopItem,
        item_id,
        options=[
            joinedload(WorkshopItem.stage).joinedload(WorkshopStage.series),
            joinedload(WorkshopItem.thread).joinedload(Thread.room).joinedload(Room.area),
        ],
    )
    if item is None:
        raise NotFound(_("There is no such need or idea."))
    ensure(user, "thread.read", item.thread)
    return item


def unmark(user: User, item_id: int) -> WorkshopItem:
    """Take the mark off a thread (it stays in the room), with the links to or from it."""
    item = access_item(user, item_id)
    ensure(user, "workshop_item.mark", item.thread)
    db.session.execute(
        delete(IdeaNeed).where(or_(IdeaNeed.idea_id == item.id, IdeaNeed.need_id == item.id))
    )
    db.session.expire(item, ["answers"])
    db.session.delete(item)
    _items_changed(item.stage)
    return item


def link_needs(user: User, item_id: int, need_ids) -> WorkshopItem:
    """Say which needs of its series an idea answers (all of them: the others are unlinked)."""
    item = access_item(user, item_id)
    ensure(user, "idea.link_needs", item)
    if item.kind != "idea":
        raise Conflict(_("Only an idea answers needs."), code="not_an_idea")
    needs = _needs_of(item.stage.series_id, need_ids)
    db.session.execute(delete(IdeaNeed).where(IdeaNeed.idea_id == item.id))
    db.session.expire(item, ["answers"])
    db.session.add_all(IdeaNeed(idea_id=item.id, need_id=need.id) for need in needs)
    _items_changed(item.stage)
    db.session.expire(item, ["answers"])
    return item


def series_needs(series_id: int) -> list[WorkshopItem]:
    """The series' needs whose threads stand, oldest first (to choose from)."""
    return list(
        db.session.scalars(
            select(WorkshopItem)
            .join(WorkshopStage, WorkshopItem.stage_id == WorkshopStage.id)
            .join(Thread, WorkshopItem.thread_id == Thread.id)
            .where(
                WorkshopStage.series_id == series_id,
                WorkshopItem.kind == "need",
                Thread.deleted_at.is_(None),
            )
            .options(joinedload(WorkshopItem.thread))
            .order_by(WorkshopItem.id)
        )
    )


def item_of_thread(thread_id: int) -> WorkshopItem | None:
    """The need or idea the thread is, if it is one (with its stage and series)."""
    return db.session.scalar(
        select(WorkshopItem)
        .where(WorkshopItem.thread_id == thread_id)
        .options(joinedload(WorkshopItem.stage).joinedload(WorkshopStage.series))
    )


def stage_of_meeting(meeting_id: int) -> WorkshopStage | None:
    """The workshop stage the meeting is, if it is one (with its series)."""
    return db.session.scalar(
        select(WorkshopStage)
        .where(WorkshopStage.meeting_id == meeting_id)
        .options(joinedload(WorkshopStage.series))
    )


def markable_threads(user, stage: WorkshopStage) -> list[Thread]:
    """The stage room's latest threads that are not needs or ideas yet (nor meetings'
    discussions), for its moderators to mark."""
    ensure(user, "workshop_item.mark", stage.meeting.thread)  # the same room's rule
    items = select(WorkshopItem.thread_id)
    meeting_threads = select(Meeting.thread_id)
    return list(
        db.session.scalars(
            select(Thread)
            .where(
                Thread.room_id == stage.meeting.room_id,
                Thread.deleted_at.is_(None),
                Thread.id.not_in(items),
                Thread.id.not_in(meeting_threads),
            )
            .options(joinedload(Thread.author))
            .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
            .limit(MARKABLE_THREADS)
        )
    )


# --- the pipeline --------------------------------------------------------------------------


@dataclass
class UnitReview:
    unit: ExpertUnit
    review: Review
    current: bool  # of the draft's current revision


@dataclass
class Line:
    """One need or idea as the series page shows it."""

    item: WorkshopItem
    thread: Thread
    number: int  # its stage
    official: list[ExpertUnit]  # units that answered officially in its thread
    draft: Draft | None
    reviews: list[UnitReview]
    answers: list[int] = field(default_factory=list)  # an idea's needs
    answered_by: list[int] = field(default_factory=list)  # a need's ideas

    @property
    def id(self) -> int:
        return self.item.id


@dataclass
class Pipeline:
    """A page of a series' needs and of its ideas, newest first, with the items linked to them
    (their titles, wherever they are listed)."""

    needs: list[Line]  # the page's
    ideas: list[Line]  # the page's
    lines: dict[int, Line]  # the page's and the items linked to them, by id
    needs_page: Any = None  # Flask-SQLAlchemy pages of each list's item ids
    ideas_page: Any = None

    @property
    def pages(self):
        """The longer list's page: the pages of both."""
        return max(self.needs_page, self.ideas_page, key=lambda found: found.pages)

    def by_id(self) -> dict[int, Line]:
        return self.lines

    def ideas_for(self, need: Line) -> list[Line]:
        return [self.lines[idea_id] for idea_id in need.answered_by if idea_id in self.lines]

    @functools.cached_property
    def on_page(self) -> set[int]:
        """Ids of the page's items (asked once per link on the page)."""
        return {line.id for line in self.needs + self.ideas}

    @property
    def answered_needs(self) -> list[Line]:
        return [need for need in self.needs if need.answered_by]

    @property
    def waiting_needs(self) -> list[Line]:
        """The page's needs no idea answers yet."""
        return [need for need in self.needs if not need.answered_by]

    @property
    def lone_ideas(self) -> list[Line]:
        """The page's ideas that answer no need."""
        return [idea for idea in self.ideas if not idea.answers]

    @property
    def drafts(self) -> list[Line]:
        return [line for line in self.needs + self.ideas if line.draft is not None]


def _official_units(thread_ids) -> dict[int, list[ExpertUnit]]:
    answers = db.session.scalars(
        select(OfficialAnswer)
        .join(Post, OfficialAnswer.post_id == Post.id)
        .where(
            OfficialAnswer.thread_id.in_(thread_ids),
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
        )
        .options(joinedload(OfficialAnswer.unit))
    )
    units: dict[int, list[ExpertUnit]] = defaultdict(list)
    for answer in answers:
        units[answer.thread_id].append(answer.unit)
    return {thread_id: sorted(found, key=lambda u: u.code) for thread_id, found in units.items()}


def _latest_reviews(drafts: list[Draft]) -> dict[int, list[UnitReview]]:
    """Each unit's latest review of each draft, by unit code."""
    versions = {draft.id: draft.version for draft in drafts}
    reviews = db.session.scalars(
        select(Review)
        .where(Review.draft_id.in_(list(versions)))
        .options(joinedload(Review.unit))
        .order_by(Review.id)
    )
    latest: dict[int, dict[int, Review]] = defaultdict(dict)
    for review in reviews:
        latest[review.draft_id][review.unit_id] = review
    return {
        draft_id: [
            UnitReview(r.unit, r, r.revision_number == versions[draft_id])
            for r in sorted(by_unit.values(), key=lambda r: r.unit.code)
        ]
        for draft_id, by_unit in latest.items()
    }


def _readable_rooms(viewer):
    """A condition on Room: the viewer may read it (as the policy's room.read says)."""
    if not viewer.is_authenticated:
        return Room.is_public
    if viewer.is_admin:
        return true()
    member = select(RoomMember.id).where(
        RoomMember.room_id == Room.id, RoomMember.user_id == viewer.id
    )
    return or_(Room.is_public, member.exists())


def _standing(viewer, query):
    """Items whose threads stand and the viewer may read."""
    return (
        query.join(Thread, WorkshopItem.thread_id == Thread.id)
        .join(Room, Thread.room_id == Room.id)
        .where(Thread.deleted_at.is_(None), _readable_rooms(viewer))
    )


def _lines(viewer, item_ids) -> dict[int, Line]:
    """These items (those standing and readable) as lines, with the links between them and the
    drafts they became with each unit's review, in a few queries."""
    items = [
        item
        for item in db.session.scalars(
            _standing(viewer, select(WorkshopItem))
            .where(WorkshopItem.id.in_(list(item_ids)))
            .options(
                joinedload(WorkshopItem.stage),
                joinedload(WorkshopItem.marked_by),
                joinedload(WorkshopItem.thread).options(
                    joinedload(Thread.author),
                    joinedload(Thread.draft),
                    joinedload(Thread.room).joinedload(Room.area),
                ),
            )
            .order_by(WorkshopItem.id.desc())
        )
        if can(viewer, "thread.read", item.thread)
    ]
    shown = {item.id for item in items}
    links = db.session.execute(
        select(IdeaNeed.idea_id, IdeaNeed.need_id)
        .where(IdeaNeed.idea_id.in_(shown), IdeaNeed.need_id.in_(shown))
        .order_by(IdeaNeed.id)
    ).all()
    official = _official_units([item.thread_id for item in items])
    drafts = [item.thread.draft for item in items if item.thread.draft is not None]
    reviews = _latest_reviews(drafts)
    lines = {
        item.id: Line(
            item=item,
            thread=item.thread,
            number=item.stage.number,
            official=official.get(item.thread_id, []),
            draft=item.thread.draft,
            reviews=reviews.get(item.thread.draft.id, []) if item.thread.draft else [],
        )
        for item in items
    }
    for idea_id, need_id in links:
        lines[idea_id].answers.append(need_id)
        lines[need_id].answered_by.append(idea_id)
    return lines


def _linked(item_ids: list[int]) -> set[int]:
    """The items linked to these: the needs these ideas answer, the ideas answering these."""
    if not item_ids:
        return set()
    rows = db.session.execute(
        select(IdeaNeed.idea_id, IdeaNeed.need_id).where(
            or_(IdeaNeed.idea_id.in_(item_ids), IdeaNeed.need_id.in_(item_ids))
        )
    ).all()
    return {item_id for row in rows for item_id in row}


def pipeline(
    viewer, series: WorkshopSeries, page: int = 1, per_page: int = ITEMS_PER_PAGE
) -> Pipeline:
    """A page of the series' needs and a page of its ideas (those whose threads stand and the
    viewer may read), newest first; the links between them and the items they link to; and
    the drafts they became with each unit's review. In a few queries, whatever the series'
    size."""
    pages = {}
    for kind in ("need", "idea"):
        query = (
            _standing(viewer, select(WorkshopItem.id))
            .join(WorkshopStage, WorkshopItem.stage_id == WorkshopStage.id)
            .where(WorkshopStage.series_id == series.id, WorkshopItem.kind == kind)
            .order_by(WorkshopItem.id.desc())
        )
        pages[kind] = db.paginate(
            query, page=page, per_page=per_page, max_per_page=100, error_out=False
        )
    listed = [*pages["need"].items, *pages["idea"].items]
    lines = _lines(viewer, {*listed, *_linked(listed)})
    return Pipeline(
        needs=[lines[item_id] for item_id in pages["need"].items if item_id in lines],
        ideas=[lines[item_id] for item_id in pages["idea"].items if item_id in lines],
        lines=lines,
        needs_page=pages["need"],
        ideas_page=pages["idea"],
    )


def item_line(viewer, item: WorkshopItem) -> Line:
    """One need or idea as a line, with its links (for an answer about it)."""
    return _lines(viewer, {item.id, *_linked([item.id])})[item.id]
