"""The city workshop series' pages: the list, creating a series (admins), a series with its
stages and pipeline (where residents add needs and ideas), marking the stage rooms' threads
(moderators), unmarking with a confirmation, and the needs an idea answers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.budget.models import BudgetEdition
from forum.budget.services import current_edition
from forum.errors import Conflict, Forbidden, RateLimited, ValidationError
from forum.extensions import db
from forum.policy import can, ensure
from forum.realtime.streams import last_seq, meeting_stream
from forum.schemas import id_from_text, parse
from forum.transactions import transactional
from forum.units.services import all_units
from forum.web import page_number, show_errors
from forum.workshops import services
from forum.workshops.forms import ItemForm, MarkForm, NeedsForm, SeriesForm, UnmarkForm
from forum.workshops.schemas import SeriesInput

bp = Blueprint("workshops", __name__)

# Refusals a form shows in itself, as it shows a field error: the writer keeps their text.
FORM_REFUSALS = (ValidationError, Forbidden, Conflict, RateLimited)
ITEM_FORM_PREFIX = {1: "need", 2: "idea"}


@bp.app_context_processor
def workshop_helpers():
    """For the banners of a thread that is a need or an idea (workshops/_thread_banner.html)
    and of a meeting that is a workshop (workshops/_meeting_banner.html)."""
    return {
        "workshop_item_of": lambda thread: services.item_of_thread(thread.id),
        "workshop_stage_of": lambda meeting: services.stage_of_meeting(meeting.id),
        "workshop_stage_name": services.stage_name,
    }


def series_url(series_id: int, anchor: str | None = None) -> str:
    return url_for("workshops.series", series_id=series_id, _anchor=anchor)


@bp.get("/workshops")
def index():
    listed = services.list_series(page=page_number())
    return render_template(
        "workshops/index.html",
        listed=listed,
        counts=services.item_counts(series.id for series in listed.items),
        stage_name=services.stage_name,
    )


# --- a series' page ------------------------------------------------------------------------


def render_series(series_id: int, forms: dict[int, ItemForm] | None = None, status: int = 200):
    page = page_number()  # a form sent from any page comes back on the first
    series = services.load_series(series_id)
    # Before the pipeline: a change made meanwhile is caught up by the page's script.
    keys = [meeting_stream(stage.meeting_id) for stage in series.stages]
    streams = [[str(key), last_seq(key)] for key in keys]
    forms = dict(forms or {})
    sent = set(forms)  # the form sent and refused keeps its key: corrected, it goes through once
    for number, prefix in ITEM_FORM_PREFIX.items():
        forms.setdefault(number, ItemForm(prefix=prefix, formdata=None))
    stages = {stage.number: stage for stage in series.stages}
    chosen = set(_chosen_needs()) if request.method == "POST" else set()
    rendered = render_template(
        "workshops/series.html",
        series=series,
        streams=streams,
        stages=stages,
        pipeline=services.pipeline(current_user, series, page),
        forms=forms,
        keys={n: request.form.get("idempotency_key") for n in sent},
        chosen=chosen,
        stage_name=services.stage_name,
        # A thread of the stage's room answers "may I mark it?" as any of them would.
        can_mark={
            n: can(current_user, "workshop_item.mark", s.meeting.thread) for n, s in stages.items()
        },
        can_add={
            n: n in ITEM_FORM_PREFIX and can(current_user, "thread.create", s.meeting.room)
            for n, s in stages.items()
        },
    )
    return rendered, status


@bp.get("/workshops/<int:series_id>")
def series(series_id: int):
    page, status = render_series(series_id)
    return page, status


def _chosen_needs() -> tuple[int, ...]:
    # An id that names nothing becomes 0, which the service refuses as not of this series.
    return tuple(id_from_text(value) or 0 for value in request.form.getlist("need_ids"))


@bp.post("/workshops/<int:series_id>/stages/<int:number>/threads")
@transactional
def start_item(series_id: int, number: int):
    form = ItemForm(prefix=ITEM_FORM_PREFIX.get(number, "item"))
    form.validate_on_submit()
    try:
        item = services.start_item(
            current_user, series_id, number, form.title.data, form.body.data, _chosen_needs()
        )
    except FORM_REFUSALS as error:
        show_errors(form, error)
        page, status = render_series(series_id, {number: form}, error.status)
        return page, status, error.headers
    if item.kind == "need":
        flash(_("Your need is added to the workshop. Everyone can follow what becomes of it."))
    else:
        flash(_("Your idea is added to the workshop. Everyone can follow what becomes of it."))
    return redirect(url_for("discussion.thread", thread_id=item.thread_id))


# --- creating a series ---------------------------------------------------------------------


def _choices(form: SeriesForm) -> None:
    editions = db.session.scalars(db.select(BudgetEdition).order_by(BudgetEdition.year.desc()))
    form.edition_id.choices = [(str(e.id), e.name) for e in editions]
    rooms = [(str(room.id), room.name) for room in services.workshop_rooms()]
    for number in (1, 2, 3):
        getattr(form, f"stage_{number}_room_id").choices = rooms


def _render_new(form: SeriesForm, chosen: set[int]) -> str:
    return render_template(
        "workshops/new.html",
        form=form,
        stage_name=services.stage_name,
        units=all_units(),
        chosen=chosen,
    )


def _chosen_units() -> list[int]:
    # An id that names nothing becomes 0, which the service refuses as not a unit.
    return [id_from_text(value) or 0 for value in request.form.getlist("invited_unit_ids")]


def _form_input(form: SeriesForm) -> dict:
    return {
        "invited_unit_ids": _chosen_units(),
        "edition_id": id_from_text(form.edition_id.data),
        "title": form.title.data or "",
        "description": form.description.data or "",
        "stages": [
            {
                "room_id": id_from_text(getattr(form, f"stage_{n}_room_id").data),
                "starts_at": getattr(form, f"stage_{n}_starts_at").data or "",
                "ends_at": getattr(form, f"stage_{n}_ends_at").data or "",
            }
            for n in (1, 2, 3)
        ],
    }


def _on_form(error: ValidationError | Conflict | Forbidden | RateLimited) -> None:
    """The error with each stage's field named as the form names it (stages.0.x: stage_1_x)."""
    fields = {}
    for name, message in error.fields.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "stages" and parts[1].isdigit():
            name = f"stage_{int(parts[1]) + 1}_{parts[2]}"
        fields[name] = message
    error.fields = fields


@bp.route("/workshops/new", methods=["GET", "POST"])
@transactional
def new():
    ensure(current_user, "series.manage", None)
    form = SeriesForm()
    _choices(form)
    if request.method == "GET":
        edition = current_edition()
        form.edition_id.data = str(edition.id) if edition else ""
        for number, room in enumerate(services.default_rooms(), start=1):
            getattr(form, f"stage_{number}_room_id").data = str(room.id) if room else ""
        return _render_new(form, set())
    form.validate_on_submit()
    try:
        data = parse(SeriesInput, _form_input(form))
        created = services.create_series(current_user, data)
    except FORM_REFUSALS as error:
        _on_form(error)
        show_errors(form, error)
        return _render_new(form, set(_chosen_units())), error.status, error.headers
    flash(_("The series is created with its three workshop meetings."))
    return redirect(series_url(created.id))


# --- marking the stage rooms' threads ------------------------------------------------------


def _render_mark(series_id: int, number: int, form: MarkForm, status: int = 200):
    stage = services.stage_of(series_id, number)
    services.item_kind(stage)  # the third stage has nothing to mark
    threads = services.markable_threads(current_user, stage)
    page = render_template(
        "workshops/mark.html",
        stage=stage,
        series=stage.series,
        threads=threads,
        form=form,
        stage_name=services.stage_name,
    )
    return page, status


@bp.route("/workshops/<int:series_id>/stages/<int:number>/mark", methods=["GET", "POST"])
@transactional
def mark(series_id: int, number: int):
    form = MarkForm()
    if request.method == "GET":
        return _render_mark(series_id, number, form)
    form.validate_on_submit()
    try:
        item = services.mark_thread(
            current_user, series_id, number, id_from_text(form.thread_id.data) or 0
        )
    except (ValidationError, Conflict) as error:
        show_errors(form, error)
        page, status = _render_mark(series_id, number, form, error.status)
        return page, status
    if item.kind == "need":
        flash(_("“%(title)s” is now a need of the workshop.", title=item.thread.title))
    else:
        flash(_("“%(title)s” is now an idea of the workshop.", title=item.thread.title))
    return redirect(url_for("workshops.mark", series_id=series_id, number=number))


@bp.route("/workshop-items/<int:item_id>/unmark", methods=["GET", "POST"])
@transactional
def unmark(item_id: int):
    """GET asks for confirmation (without JavaScript too); POST unmarks."""
    item = services.access_item(current_user, item_id)
    ensure(current_user, "workshop_item.mark", item.thread)
    form = UnmarkForm()
    series_id = item.stage.series_id
    if request.method == "GET":
        return render_template("workshops/unmark.html", item=item, form=form)
    form.validate_on_submit()
    title, kind = item.thread.title, item.kind
    services.unmark(current_user, item_id)
    if kind == "need":
        flash(_("“%(title)s” is no longer a need of the workshop.", title=title))
    else:
        flash(_("“%(title)s” is no longer an idea of the workshop.", title=title))
    return redirect(series_url(series_id))


# --- the needs an idea answers -------------------------------------------------------------


@bp.route("/workshop-items/<int:item_id>/needs", methods=["GET", "POST"])
@transactional
def needs(item_id: int):
    idea = services.access_item(current_user, item_id)
    ensure(current_user, "idea.link_needs", idea)
    if idea.kind != "idea":
        raise Conflict(_("Only an idea answers needs."), code="not_an_idea")
    form = NeedsForm()
    listed = services.series_needs(idea.stage.series_id)
    if request.method == "GET":
        chosen = {link.need_id for link in idea.answers}
        return render_template(
            "workshops/needs.html", idea=idea, needs=listed, chosen=chosen, form=form
        )
    form.validate_on_submit()
    try:
        services.link_needs(current_user, item_id, _chosen_needs())
    except ValidationError as error:
        show_errors(form, error)
        chosen = set(_chosen_needs())
        page = render_template(
            "workshops/needs.html", idea=idea, needs=listed, chosen=chosen, form=form
        )
        return page, error.status
    flash(_("The needs this idea answers are saved."))
    return redirect(series_url(idea.stage.series_id, f"item-{idea.id}"))
