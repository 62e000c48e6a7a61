"""After a meeting: the host's minutes page (write, preview, publish, link outcomes) and the
attendance page; the meeting page's after-section gets its data from `meeting_after`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.errors import Conflict, Forbidden, NotFound, ValidationError
from forum.meetings import minutes
from forum.meetings.minutes_forms import MinutesForm, OutcomeForm, RemoveOutcomeForm
from forum.transactions import transactional
from forum.web import show_errors

bp = Blueprint("minutes", __name__)

# Refusals a form shows in itself: the host keeps what they wrote.
FORM_REFUSALS = (ValidationError, Conflict, Forbidden)


@bp.app_context_processor
def after_helpers():
    """`meeting_after(meeting)` for the meeting page's after-section (meetings/_after.html)."""
    return {"meeting_after": lambda meeting: minutes.after_view(current_user, meeting)}


def _meeting_url(meeting_id: int, anchor: str = "minutes") -> str:
    return url_for("meetings.meeting", meeting_id=meeting_id, _anchor=anchor)


def _minutes_form(meeting) -> MinutesForm:
    return MinutesForm(source=meeting.minutes_source or minutes.minutes_template(meeting))


def render_edit(meeting, form=None, outcome_form=None, preview: str | None = None, status=200):
    page = render_template(
        "meetings/minutes.html",
        meeting=meeting,
        form=form or _minutes_form(meeting),
        outcome_form=outcome_form or OutcomeForm(prefix="outcome"),
        preview=preview,
        outcomes=minutes.outcomes_of(meeting.id),
    )
    return page, status


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@transactional
def edit(meeting_id: int):
    """The host's minutes: the saved text, or a template made from the agenda to start from."""
    meeting = minutes.access_minutes(current_user, meeting_id)
    form = _minutes_form(meeting)
    if form.validate_on_submit():
        publish = request.form.get("action") == "publish"
        was_published = meeting.has_minutes
        try:
            minutes.save_minutes(current_user, meeting_id, form.source.data, publish=publish)
        except FORM_REFUSALS as error:
            show_errors(form, error)
            return render_edit(meeting, form, status=error.status)
        if publish and not was_published:
            flash(_("The minutes are published; everyone signed up or present is told."))
        elif was_published:
            flash(_("The minutes are saved and stay published."))
        else:
            flash(_("The minutes are saved. Only you see them until you publish them."))
        return redirect(_meeting_url(meeting_id))
    return render_edit(meeting, form, status=422 if form.errors else 200)


@bp.post("/meetings/<int:meeting_id>/minutes/preview")
def preview(meeting_id: int):
    """The minutes as they would show, without saving anything (no JavaScript needed)."""
    meeting = minutes.access_minutes(current_user, meeting_id)
    form = MinutesForm()
    try:
        _source, html = minutes.render_minutes(form.source.data)
    except ValidationError as error:
        show_errors(form, error)
        return render_edit(meeting, form, status=error.status)
    return render_edit(meeting, form, preview=html)


@bp.post("/meetings/<int:meeting_id>/outcomes")
@transactional
def link(meeting_id: int):
    meeting = minutes.access_minutes(current_user, meeting_id)
    form = OutcomeForm(prefix="outcome")
    form.validate_on_submit()
    try:
        kind, target = minutes.reference(form.address.data, form.kind.data, request.host)
        minutes.link_outcome(current_user, meeting_id, **{f"{kind}_id": target})
    except (NotFound, Conflict) as error:  # of the thread or draft named: said beside it
        form.address.errors = [error.message]
        return render_edit(meeting, outcome_form=form, status=422)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        return render_edit(meeting, outcome_form=form, status=error.status)
    flash(_("Linked to the meeting's minutes."))
    return redirect(url_for("minutes.edit", meeting_id=meeting_id, _anchor="outcomes"))


@bp.route("/meetings/<int:meeting_id>/outcomes/<int:outcome_id>/remove", methods=["GET", "POST"])
@transactional
def remove(meeting_id: int, outcome_id: int):
    """GET asks for confirmation (without JavaScript too); POST unlinks."""
    meeting, outcome = minutes.access_outcome(current_user, meeting_id, outcome_id)
    form = RemoveOutcomeForm()
    if form.validate_on_submit():
        minutes.unlink_outcome(current_user, meeting_id, outcome_id)
        flash(_("It is no longer linked to the meeting."))
        return redirect(url_for("minutes.edit", meeting_id=meeting_id, _anchor="outcomes"))
    return render_template(
        "meetings/remove_outcome.html", meeting=meeting, outcome=outcome, form=form
    )


@bp.get("/meetings/<int:meeting_id>/attendance")
def attendance(meeting_id: int):
    meeting, people = minutes.attendance(current_user, meeting_id)
    return render_template("meetings/attendance.html", meeting=meeting, people=people)
