"""The meeting while it runs: the host moves through the agenda, people ask the invited experts
quick questions which the host marks answered, and whoever has the meeting open while it runs is
recorded as present. Services never commit; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from forum import ratelimits
from forum.discussion.models import Post
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, insert_unless_taken, utcnow
from forum.meetings.live_schemas import AgendaMove, QuestionInput
from forum.meetings.models import AgendaItem, Meeting, MeetingAttendance, MeetingQuestion
from forum.meetings.services import access_meeting, published
from forum.policy import ensure
from forum.realtime import events
from forum.realtime.sockets import on_join
from forum.realtime.streams import meeting_stream, publish

# The discussion's latest replies the live section shows; the thread page has them all.
RECENT_REPLIES = 20


# --- the agenda ----------------------------------------------------------------------------


def move_agenda(user, meeting_id: int, move: AgendaMove, *, now: datetime | None = None) -> Meeting:
    """Take the meeting to an agenda item (the host, while it runs).

    An item's `started_at` is when the meeting first reached it: going back and on again keeps
    it. A step (next/previous) is taken from the item the meeting is on; if the host moved it
    meanwhile (two clicks, two devices), the step is refused rather than taken twice.
    """
    now = now or utcnow()
    meeting = access_meeting(user, meeting_id)
    ensure(user, "meeting.run", meeting)
    agenda = meeting.agenda
    if not agenda:
        raise Conflict(_("This meeting has no agenda to move through."), code="no_agenda")
    current = meeting.current_item
    if move.item_id is not None:
        item = next((i for i in agenda if i.id == move.item_id), None)
        if item is None:
            raise NotFound(_("There is no such item on this meeting's agenda."))
    else:
        position = current.position if current is not None else 0
        target = position + (1 if move.step == "next" else -1)
        if target < 1:
            raise Conflict(_("The meeting is at the start of its agenda."), code="agenda_start")
        if target > len(agenda):
            raise Conflict(_("The meeting is on the last item of its agenda."), code="agenda_end")
        item = agenda[target - 1]
    if current is not None and item.id == current.id:
        return meeting  # there already: nothing changes, nothing to tell
    moving = update(Meeting).where(Meeting.id == meeting.id)
    if move.step is not None:
        moving = moving.where(
            Meeting.current_item_id == current.id
            if current is not None
            else Meeting.current_item_id.is_(None)
        )
    moved = db.session.execute(
        moving.values(current_item_id=item.id).execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise Conflict(
            _("The agenda moved meanwhile. Look where the meeting is now."), code="agenda_moved"
        )
    db.session.execute(
        update(AgendaItem)
        .where(AgendaItem.id == item.id, AgendaItem.started_at.is_(None))
        .values(started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(meeting, ["current_item_id", "current_item"])
    db.session.expire(item, ["started_at"])
    published(meeting)
    return meeting


# --- questions to the invited experts --------------------------------------------------------


def invited_units(meeting: Meeting) -> list:
    return [i.unit for i in meeting.invitations if i.unit is not None]


def ask(user, meeting_id: int, data: QuestionInput) -> MeetingQuestion:
    """Ask the invited experts (one invited unit, or any of them) a quick question."""
    meeting = access_meeting(user, meeting_id)
    ensure(user, "meeting.ask", meeting)
    if not meeting.invitations:
        raise Conflict(
            _("No experts are invited to this meeting: there is nobody to ask."),
            code="no_experts_invited",
        )
    ratelimits.hit(ratelimits.REPLY, user.id)  # a question counts as a reply would
    errors = {}
    body = " ".join(data.body.split())
    if not body:
        errors["body"] = _("Write your question.")
    if data.unit_id is not None and data.unit_id not in {u.id for u in invited_units(meeting)}:
        errors["unit_id"] = _("Choose one of the units invited to the meeting.")
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    question = MeetingQuestion(
        meeting=meeting, author=user, unit_id=data.unit_id, body=body, created_at=utcnow()
    )
    db.session.add(question)
    db.session.flush()
    publish(events.QUESTION_ASKED, meeting_stream(meeting.id), question)
    return question


def access_question(user, question_id: int) -> MeetingQuestion:
    question = db.session.get(MeetingQuestion, question_id)
    if question is None:
        raise NotFound(_("There is no such question."))
    access_meeting(user, question.meeting_id)  # an unreadable meeting's question is missing too
    return question


def mark_answered(
    user, question_id: int, answered: bool, *, now: datetime | None = None
) -> MeetingQuestion:
    """The host says the question was answered, or not yet (marking it again changes nothing)."""
    question = access_question(user, question_id)
    ensure(user, "question.answer", question)
    if answered == (question.answered_at is not None):
        return question
    question.answered_at = (now or utcnow()) if answered else None
    question.answered_by_id = user.id if answered else None
    db.session.flush()
    publish(events.QUESTION_UPDATED, meeting_stream(question.meeting_id), question)
    return question


# --- who is here -----------------------------------------------------------------------------


def record_attendance(user, meeting: Meeting, *, now: datetime | None = None) -> bool:
    """Record a logged-in person who has the meeting open while it runs, once; True if new."""
    now = now or utcnow()
    if not user.is_authenticated or meeting.status(now) != "live":
        return False
    row = insert_unless_taken(
        MeetingAttendance,
        {"meeting_id": meeting.id, "user_id": user.id, "first_seen_at": now},
        ["meeting_id", "user_id"],
    )
    return row is not None


@on_join("meeting")
def _joined_meeting(viewer, meeting: Meeting) -> None:
    record_attendance(viewer, meeting)


def presence(meeting_id: int):
    """Who has the meeting open now (on every worker): an events.PresenceSignal."""
    return current_app.extensions["connections"].presence(str(meeting_stream(meeting_id)))


def recent_replies(meeting: Meeting, limit: int = RECENT_REPLIES) -> list[Post]:
    """The latest replies of the meeting's thread, oldest first, as anyone may see them
    (deleted and hidden ones left out; the thread page shows them as it shows them)."""
    posts = db.session.scalars(
        select(Post)
        .where(
            Post.thread_id == meeting.thread_id,
            Post.parent_id.is_not(None),
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
        )
        .options(joinedload(Post.author))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return list(reversed(list(posts)))
