"""After a meeting: its minutes (Markdown, from a template made of the agenda), the threads and
drafts that came out of it, and who signed up and who was there. Services never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from forum import text
from forum.accounts.models import User
from forum.discussion.services import TAG, access_post, access_thread
from forum.drafts.models import Draft
from forum.drafts.services import load_draft
from forum.errors import Conflict, NotFound, ValidationError, field_error
from forum.extensions import db, insert_unless_taken, utcnow
from forum.meetings import times
from forum.meetings.models import (
    Meeting,
    MeetingAttendance,
    MeetingOutcome,
    MeetingQuestion,
    MeetingSignup,
)
from forum.meetings.services import access_meeting, published, questions_of
from forum.notifications.services import notify
from forum.policy import can, ensure
from forum.realtime.streams import last_seq, meeting_stream
from forum.sanitize import render_markdown
from forum.schemas import id_from_text

MINUTES_MAX = 20_000
# /threads/12, /threads/12?page=2#post-3, /posts/3, /drafts/5/edit: what an address of a thread
# (or of one of its posts: the post's thread is meant) or of a draft looks like.
ADDRESS = re.compile(r"^/(threads|posts|drafts)/([1-9][0-9]{0,18})(?:/[^?#]*)?$")
KINDS = ("thread", "draft")


def render_minutes(source: str | None) -> tuple[str, str]:
    """The Markdown source as stored and its sanitized HTML, as a post's body is; a clear
    error on the `source` field if it cannot be."""
    source, problem = text.clean(source, multiline=True)
    if problem:
        raise field_error("source", problem)
    if len(source) > MINUTES_MAX:
        raise field_error(
            "source",
            ngettext(
                "The minutes may have at most %(num)d character.",
                "The minutes may have at most %(num)d characters.",
                MINUTES_MAX,
            ),
        )
    html = render_markdown(source) if source else ""
    if not TAG.sub("", html).strip():
        raise field_error("source", _("Write the minutes first: they are empty."))
    return source, html


def _clock(moment: datetime) -> str:
    return times.local(moment).strftime("%H:%M")


def minutes_template(meeting: Meeting) -> str:
    """Where the host starts: a heading per agenda item with its planned minutes (and when it
    started), then the questions asked, each answered or not."""
    said = _("What was said and decided.")
    parts = []
    for item in meeting.agenda:
        planned = ngettext(
            "Planned: %(num)d minute", "Planned: %(num)d minutes", item.planned_minutes
        )
        if item.started_at is not None:
            planned += _("; started at %(time)s", time=_clock(item.started_at))
        parts.append(f"# {item.position}. {item.title}\n\n_{planned}._\n\n{said}")
    if not meeting.agenda:
        summary = _("Summary")
        parts.append(f"# {summary}\n\n{said}")
    questions = questions_of(meeting.id)
    if questions:
        lines = []
        for question in questions:
            state = _("answered") if question.answered_at is not None else _("not answered")
            to = question.unit.code if question.unit is not None else _("all experts")
            lines.append(f"- {question.body} ({to}; {state})")
        heading = _("Questions to the experts")
        parts.append(f"# {heading}\n\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


def access_minutes(user, meeting_id: int) -> Meeting:
    """The meeting, if the user may write its minutes now (its host, once it ended)."""
    meeting = access_meeting(user, meeting_id)
    ensure(user, "meeting.write_minutes", meeting)
    return meeting


def participants(meeting_id: int) -> set[int]:
    """Everyone signed up or present."""
    signed_up = select(MeetingSignup.user_id).where(MeetingSignup.meeting_id == meeting_id)
    present = select(MeetingAttendance.user_id).where(MeetingAttendance.meeting_id == meeting_id)
    return set(db.session.scalars(signed_up)) | set(db.session.scalars(present))


def save_minutes(
    user, meeting_id: int, source: str | None, *, publish: bool, now: datetime | None = None
) -> Meeting:
    """Save the minutes; with `publish`, publish them too. Published minutes stay published
    when edited. Everyone signed up or present is told once, when they are first published:
    of two racing publications one sets the time and notifies, the other finds it set."""
    meeting = access_minutes(user, meeting_id)
    source, html = render_minutes(source)
    now = now or utcnow()
    meeting.minutes_source, meeting.minutes_html, meeting.updated_at = source, html, now
    db.session.flush()
    if publish and meeting.minutes_published_at is None:
        first = db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting.id, Meeting.minutes_published_at.is_(None))
            .values(minutes_published_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.expire(meeting, ["minutes_published_at"])
        if first:
            for user_id in sorted(participants(meeting.id) - {user.id}):
                notify(user_id, "meeting_minutes", actor_id=user.id, meeting_id=meeting.id)
    published(meeting)
    return meeting


def minutes_visible(user, meeting: Meeting) -> bool:
    """Published minutes are for every reader; unpublished ones for whoever writes them."""
    return meeting.has_minutes or (
        bool(meeting.minutes_source) and can(user, "meeting.write_minutes", meeting)
    )


# --- outcomes: threads and drafts that came out of the meeting --------------------------------


def reference(address: str | None, kind: str | None, host: str) -> tuple[str, int]:
    """("thread" | "post" | "draft", id) of what someone wrote: an address of this forum (its
    path, or the whole URL), or a number, read as the kind chosen."""
    value = (address or "").strip()
    if (number := id_from_text(value)) is not None:
        if kind not in KINDS:
            raise field_error("kind", _("Say whether the number is a thread's or a draft's."))
        return kind, number
    parts = urlsplit(value)
    if parts.netloc and parts.netloc != host:
        raise field_error("address", _("Give the address of a thread or a draft of this forum."))
    found = ADDRESS.match(parts.path)
    number = id_from_text(found[2]) if found else None
    if number is None or (parts.scheme and parts.scheme not in ("http", "https")):
        raise field_error(
            "address",
            _("Give a thread's or a draft's address (like /threads/12) or its number."),
        )
    return found[1].removesuffix("s"), number


def outcome_target(
    thread_id: int | None, draft_id: int | None, address: str | None, kind: str | None, host: str
) -> tuple[str, int]:
    """What an API client named: exactly one of a thread's id, a draft's id, an address."""
    given = {
        name: value
        for name, value in (("thread_id", thread_id), ("draft_id", draft_id), ("address", address))
        if value is not None
    }
    if len(given) != 1:
        message = _("Give one of: a thread's id, a draft's id, an address.")
        raise ValidationError(message, {name: message for name in given or ["address"]})
    if address is not None:
        return reference(address, kind, host)
    return ("thread", thread_id) if thread_id is not None else ("draft", draft_id)


def link_outcome(
    user,
    meeting_id: int,
    *,
    thread_id: int | None = None,
    draft_id: int | None = None,
    post_id: int | None = None,
) -> MeetingOutcome:
    """Link a thread or a draft the user may read to the meeting's minutes (once); a post's
    address (what a post's link is) names its thread."""
    meeting = access_minutes(user, meeting_id)
    if [thread_id, draft_id, post_id].count(None) != 2:
        raise ValidationError(_("Give a thread or a draft."), {})
    if post_id is not None:
        thread_id = access_post(user, post_id).thread_id
    if thread_id is not None:
        thread = access_thread(user, thread_id)
        if thread.is_deleted:
            raise Conflict(_("This thread was deleted."), code="thread_deleted")
        values, keys = {"thread_id": thread.id}, ["meeting_id", "thread_id"]
        taken = _("This thread is linked to the meeting already.")
    else:
        draft = load_draft(draft_id, user)
        values, keys = {"draft_id": draft.id}, ["meeting_id", "draft_id"]
        taken = _("This draft is linked to the meeting already.")
    outcome_id = insert_unless_taken(MeetingOutcome, {"meeting_id": meeting.id, **values}, keys)
    if outcome_id is None:
        raise Conflict(taken, code="outcome_linked")
    db.session.expire(meeting, ["outcomes"])
    published(meeting)
    return db.session.get(MeetingOutcome, outcome_id)


def access_outcome(user, meeting_id: int, outcome_id: int) -> tuple[Meeting, MeetingOutcome]:
    meeting = access_minutes(user, meeting_id)
    outcome = db.session.get(MeetingOutcome, outcome_id)
    if outcome is None or outcome.meeting_id != meeting.id:
        raise NotFound(_("This meeting has no such outcome."))
    return meeting, outcome


def unlink_outcome(user, meeting_id: int, outcome_id: int) -> Meeting:
    meeting, outcome = access_outcome(user, meeting_id, outcome_id)
    db.session.delete(outcome)
    db.session.flush()
    db.session.expire(meeting, ["outcomes"])
    published(meeting)
    return meeting


def outcomes_of(meeting_id: int) -> list[MeetingOutcome]:
    return list(
        db.session.scalars(
            select(MeetingOutcome)
            .where(MeetingOutcome.meeting_id == meeting_id)
            .options(
                joinedload(MeetingOutcome.thread),
                joinedload(MeetingOutcome.draft),
            )
            .order_by(MeetingOutcome.id)
        )
    )


def readable_outcomes(user, meeting_id: int) -> list[MeetingOutcome]:
    """The outcomes the viewer may read (a thread may have moved to a room they cannot)."""
    return [
        outcome
        for outcome in outcomes_of(meeting_id)
        if (outcome.draft is not None and can(user, "draft.read", outcome.draft))
        or (
            outcome.thread is not None
            and not outcome.thread.is_deleted
            and can(user, "thread.read", outcome.thread)
        )
    ]


# --- attendance ------------------------------------------------------------------------------


@dataclass
class Attendance:
    signed_up: list[User]
    present: list[User]


def present_count(meeting_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MeetingAttendance)
        .where(MeetingAttendance.meeting_id == meeting_id)
    )


def attendance(user, meeting_id: int) -> tuple[Meeting, Attendance]:
    """Who signed up and who was present, by name (the host and the area's moderators)."""
    meeting = access_meeting(user, meeting_id)
    ensure(user, "meeting.read_attendance", meeting)
    signed_up = db.session.scalars(
        select(User)
        .join(MeetingSignup, MeetingSignup.user_id == User.id)
        .where(MeetingSignup.meeting_id == meeting.id)
        .order_by(func.lower(User.display_name), User.id)
    )
    present = db.session.scalars(
        select(User)
        .join(MeetingAttendance, MeetingAttendance.user_id == User.id)
        .where(MeetingAttendance.meeting_id == meeting.id)
        .order_by(func.lower(User.display_name), User.id)
    )
    return meeting, Attendance(list(signed_up), list(present))


# --- what a past meeting's page shows ----------------------------------------------------------


@dataclass
class AfterView:
    meeting: Meeting
    seq: int  # of the meeting's stream, read before the rest: a later change is caught up
    minutes_visible: bool
    can_write: bool
    can_read_attendance: bool
    signed_up: int
    present: int
    outcomes: list[MeetingOutcome]
    questions: list[MeetingQuestion]


def after_view(user, meeting: Meeting) -> AfterView:
    seq = last_seq(meeting_stream(meeting.id))
    db.session.refresh(meeting)  # as it is now, from this seq on
    return AfterView(
        meeting=meeting,
        seq=seq,
        minutes_visible=minutes_visible(user, meeting),
        can_write=can(user, "meeting.write_minutes", meeting),
        can_read_attendance=can(user, "meeting.read_attendance", meeting),
        signed_up=meeting.signup_count,
        present=present_count(meeting.id),
        outcomes=readable_outcomes(user, meeting.id),
        questions=questions_of(meeting.id),
    )


def draft_title(draft: Draft) -> str:
    return draft.title or _("Untitled draft")
