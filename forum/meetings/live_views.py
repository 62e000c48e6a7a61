"""The meeting while it runs, on its page (templates/meetings/_live.html): the host's agenda
moves, questions to the invited experts and their answered marks, as forms that POST (they work
without JavaScript; static/js/meeting-live.js makes the section live). Also the room page's
banner for a meeting running in it, and the attendance of whoever opens a running meeting."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forum.discussion.forms import ReplyForm
from forum.errors import RateLimited, ValidationError
from forum.extensions import db, utcnow
from forum.meetings import live
from forum.meetings import views as meeting_views
from forum.meetings.live_forms import AnswerForm, MoveForm, QuestionForm
from forum.meetings.live_schemas import AgendaMove, QuestionInput
from forum.meetings.models import AgendaItem, Meeting, MeetingQuestion
from forum.meetings.services import questions_of
from forum.policy import can
from forum.realtime.streams import last_seq, meeting_stream, thread_stream
from forum.schemas import id_from_text, parse
from forum.transactions import transaction, transactional
from forum.web import show_errors

bp = Blueprint("meeting_live", __name__)

# Refusals the question form shows in itself, keeping the text; others are the error page's.
FORM_REFUSALS = (ValidationError, RateLimited)


def _meeting_url(meeting_id: int, anchor: str) -> str:
    return url_for("meetings.meeting", meeting_id=meeting_id, _anchor=anchor)


# --- what the page's include shows ----------------------------------------------------------


@dataclass
class LiveSection:
    seq: int  # the meeting stream's, read before the state shown
    thread_seq: int
    current: AgendaItem | None
    previous: AgendaItem | None
    next: AgendaItem | None
    questions: list[MeetingQuestion]
    presence: object  # events.PresenceSignal
    replies: list
    can_run: bool
    can_ask: bool
    can_reply: bool
    units: list = field(default_factory=list)
    question_form: QuestionForm | None = None
    reply_form: ReplyForm | None = None


def live_section(meeting: Meeting) -> LiveSection:
    """What the live section needs, read after the streams' seqs: a change after them is caught
    up by the page's script, never lost between the query and the seq."""
    seq = last_seq(meeting_stream(meeting.id))
    thread_seq = last_seq(thread_stream(meeting.thread_id))
    db.session.expire(meeting, ["current_item_id", "current_item"])
    for item in meeting.agenda:
        db.session.expire(item, ["started_at"])
    agenda = meeting.agenda
    current = meeting.current_item
    position = current.position if current is not None else 0
    units = live.invited_units(meeting)
    can_ask = bool(meeting.invitations) and can(current_user, "meeting.ask", meeting)
    question_form = g.get("question_form")  # sent and refused: shown again with its errors
    if can_ask and question_form is None:
        question_form = QuestionForm()
    if question_form is not None:
        question_form.unit_id.choices = [("", _("Any of the invited experts"))] + [
            (str(unit.id), f"{unit.name} ({unit.code})") for unit in units
        ]
    can_reply = can(current_user, "post.reply", meeting.thread)
    return LiveSection(
        seq=seq,
        thread_seq=thread_seq,
        current=current,
        previous=agenda[position - 2] if position >= 2 else None,
        next=agenda[position] if position < len(agenda) else None,
        questions=questions_of(meeting.id),
        presence=live.presence(meeting.id),
        replies=live.recent_replies(meeting),
        can_run=can(current_user, "meeting.run", meeting),
        can_ask=can_ask,
        can_reply=can_reply,
        units=units,
        question_form=question_form,
        reply_form=ReplyForm() if can_reply else None,
    )


@dataclass
class RoomBanner:
    live: list[Meeting]


def room_banner(room) -> RoomBanner:
    """The room's meetings running now (the page's script follows their start and end by the
    clock, from the upcoming list's data)."""
    now = utcnow()
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.room_id == room.id,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at <= now,
            Meeting.ends_at > now,
        )
        .order_by(Meeting.starts_at)
        .limit(10)
    ).all()
    return RoomBanner(list(meetings))


@bp.app_context_processor
def live_helpers():
    """`live_section(meeting)` for the meeting page's live include, `room_meeting_banner(room)`
    for the room page's banner."""
    return {"live_section": live_section, "room_meeting_banner": room_banner}


# --- the forms -------------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/agenda")
@transactional
def move(meeting_id: int):
    form = MoveForm()
    form.validate_on_submit()
    move = parse(AgendaMove, {"item_id": id_from_text(form.item_id.data)})
    meeting = live.move_agenda(current_user, meeting_id, move)
    flash(_("The meeting is on “%(title)s” now.", title=meeting.current_item.title))
    return redirect(_meeting_url(meeting_id, "meeting-now"))


@bp.post("/meetings/<int:meeting_id>/questions")
@transactional
def ask(meeting_id: int):
    form = QuestionForm()
    form.validate_on_submit()
    unit_id = id_from_text(form.unit_id.data) if form.unit_id.data else None
    try:
        data = parse(QuestionInput, {"body": form.question.data or "", "unit_id": unit_id})
        question = live.ask(current_user, meeting_id, data)
    except FORM_REFUSALS as error:
        if "body" in error.fields:  # the form calls it "question"
            error.fields["question"] = error.fields.pop("body")
        show_errors(form, error)
        g.question_form = form
        return meeting_views.meeting(meeting_id), error.status, error.headers
    flash(_("Your question is asked."))
    return redirect(_meeting_url(meeting_id, f"question-{question.id}"))


@bp.post("/meeting-questions/<int:question_id>/answered")
@transactional
def mark_answered(question_id: int):
    form = AnswerForm()
    form.validate_on_submit()
    question = live.mark_answered(current_user, question_id, form.answered.data == "1")
    return redirect(_meeting_url(question.meeting_id, f"question-{question.id}"))


# --- attendance ------------------------------------------------------------------------------


@bp.after_app_request
def record_attendance(response):
    """Opening a running meeting's page counts as being there, as joining its stream does."""
    if (
        request.endpoint == "meetings.meeting"
        and request.method == "GET"
        and response.status_code == 200
        and current_user.is_authenticated
    ):
        with transaction():
            meeting = db.session.get(Meeting, request.view_args["meeting_id"])
            if meeting is not None:
                live.record_attendance(current_user, meeting)
    return response
