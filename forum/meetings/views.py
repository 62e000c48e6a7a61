"""A meeting's page: before it (details, sign-up), while it runs (agenda, thread, questions,
who is here) and after it (minutes, outcomes, attendance). Scheduling, editing and cancelling a
meeting, signing up and withdrawing, the lists of meetings, and the calendar files."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from forum.areas.services import load_area
from forum.discussion.services import access_room
from forum.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationError
from forum.extensions import db, utcnow
from forum.meetings import calendar, scheduling, services, times
from forum.meetings.forms import (
    CancelForm,
    MeetingForm,
    SignupForm,
    WithdrawForm,
    add_spare_rows,
    fill,
    form_values,
    show_errors,
)
from forum.meetings.models import Meeting
from forum.meetings.schemas import MeetingInput
from forum.policy import ensure
from forum.schemas import id_from_text, parse
from forum.transactions import transactional
from forum.web import page_number

bp = Blueprint("meetings", __name__)

FORM_REFUSALS = (ValidationError, Forbidden, Conflict, RateLimited)


@bp.app_context_processor
def meeting_helpers():
    """For the room's and the area's pages: `upcoming_meetings(room=…)` or
    `upcoming_meetings(area=…)`, the next meetings the viewer may read there."""
    return {
        "upcoming_meetings": lambda area=None, room=None: scheduling.upcoming_for(
            current_user, area=area, room=room
        ),
        "same_day": lambda start, end: times.local(start).date() == times.local(end).date(),
    }


@bp.app_template_filter("local_clock")
def local_clock(value) -> str:
    """Only the hour and minute, in Kraków (the day is shown beside it)."""
    return format_datetime(value, "HH:mm")


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    meeting = services.access_meeting(current_user, meeting_id)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        status=meeting.status(),
        signup=services.signup_of(current_user, meeting.id),
    )


@bp.get("/meetings")
def index():
    """City-wide, or in an area (?area_id=, with its osiedla): upcoming, past or cancelled."""
    when = scheduling.filter_choice(request.args.get("when"))
    area = None
    if "area_id" in request.args:
        area = load_area(current_user, id_from_text(request.args["area_id"]) or 0).area
    page = scheduling.list_meetings(
        current_user, area_id=area.id if area else None, when=when, page=page_number()
    )
    return render_template("meetings/index.html", page=page, when=when, area=area)


# --- scheduling and editing -----------------------------------------------------------------


def _choices(form: MeetingForm) -> None:
    form.invited_unit_ids.choices = [
        (str(unit.id), f"{unit.name} ({unit.code})") for unit in scheduling.invitable_units()
    ]
    form.invited_expert_ids.choices = [
        (str(user.id), f"{user.display_name}" + (f" ({unit.code})" if unit else ""))
        for user, unit in scheduling.invitable_experts()
    ]
    add_spare_rows(form)


def _input(form: MeetingForm) -> MeetingInput:
    return parse(MeetingInput, form_values(form))


@bp.route("/rooms/<int:room_id>/meetings/new", methods=["GET", "POST"])
@transactional
def schedule(room_id: int):
    room = access_room(current_user, room_id)
    ensure(current_user, "meeting.schedule", room)
    form = MeetingForm()
    if request.method == "GET":
        _choices(form)
        return render_template("meetings/schedule.html", room=room, form=form)
    form.validate_on_submit()
    try:
        meeting = services.schedule_meeting(current_user, room.id, _input(form))
    except FORM_REFUSALS as error:
        show_errors(form, error)
        _choices(form)
        page = render_template("meetings/schedule.html", room=room, form=form)
        return page, error.status, error.headers
    flash(_("The meeting is scheduled. Its page and its thread are open to the room's readers."))
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@transactional
def edit(meeting_id: int):
    meeting = services.access_meeting(current_user, meeting_id)
    ensure(current_user, "meeting.edit", meeting)
    form = MeetingForm()
    if request.method == "GET":
        fill(form, meeting)
        _choices(form)
        return render_template("meetings/edit.html", meeting=meeting, form=form)
    form.validate_on_submit()
    try:
        scheduling.edit_meeting(current_user, meeting.id, _input(form))
    except FORM_REFUSALS as error:
        db.session.rollback()  # the agenda or invitations may be half-changed in the session
        meeting = services.access_meeting(current_user, meeting_id)
        show_errors(form, error)
        _choices(form)
        page = render_template("meetings/edit.html", meeting=meeting, form=form)
        return page, error.status, error.headers
    flash(_("The meeting is changed."))
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@transactional
def cancel(meeting_id: int):
    meeting = services.access_meeting(current_user, meeting_id)
    ensure(current_user, "meeting.edit", meeting)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            scheduling.cancel_meeting(current_user, meeting.id, form.reason.data or "")
        except FORM_REFUSALS as error:
            show_errors(form, error)
            page = render_template("meetings/cancel.html", meeting=meeting, form=form)
            return page, error.status, error.headers
        flash(_("The meeting is cancelled; the people signed up and invited are told."))
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))
    return render_template("meetings/cancel.html", meeting=meeting, form=form)


# --- signing up -------------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/signup")
@transactional
def sign_up(meeting_id: int):
    SignupForm().validate_on_submit()
    services.sign_up(current_user, meeting_id)
    flash(_("You are signed up. You will be reminded before the meeting starts."))
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id, _anchor="signup"))


@bp.route("/meetings/<int:meeting_id>/signup/withdraw", methods=["GET", "POST"])
@transactional
def withdraw(meeting_id: int):
    meeting = services.access_meeting(current_user, meeting_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw_signup(current_user, meeting.id)
        flash(_("You are no longer signed up for this meeting."))
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id, _anchor="signup"))
    signup = services.signup_of(current_user, meeting.id)
    if signup is None:
        if not current_user.is_authenticated:
            ensure(current_user, "meeting.signup", meeting)  # to the login form
        raise NotFound(_("You are not signed up for this meeting."))
    ensure(current_user, "signup.withdraw", signup)
    return render_template("meetings/withdraw.html", meeting=meeting, form=form)


# --- calendars --------------------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    meeting = services.access_meeting(current_user, meeting_id)
    return _ics(calendar.calendar([meeting], meeting.title), f"spotkanie-{meeting.id}.ics")


@bp.get("/areas/<int:area_id>/meetings.ics")
def area_ics(area_id: int):
    area = load_area(current_user, area_id).area
    rooms = scheduling.readable_room_ids(current_user, scheduling.rooms_within(area))
    query = (
        scheduling.meetings_query(rooms, "all")
        .where(Meeting.ends_at > calendar.feed_since(utcnow()))
        .limit(calendar.FEED_LIMIT)
    )
    meetings = scheduling.load_meetings_for(m.id for m in db.session.scalars(query))
    name = _("Meetings: %(area)s", area=area.label)
    return _ics(calendar.calendar(meetings, name), f"spotkania-{area.slug}.ics")
