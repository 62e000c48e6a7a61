"""Expert units' pages: a unit's live queue, tagging a thread or a draft, claiming an item,
marking and taking back official answers."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.discussion import services as discussion
from forum.errors import Conflict, ValidationError
from forum.policy import ensure
from forum.realtime.streams import last_seq, unit_stream
from forum.transactions import transactional
from forum.units import services
from forum.units.forms import ActionForm, OfficialForm, UnitsForm
from forum.web import local_url, page_number, show_errors

bp = Blueprint("units", __name__)

START_PAGE_ITEMS = 5  # of each queue on an expert's start page; the queue's page has the rest


@bp.app_context_processor
def unit_helpers():
    """For the thread page, the start page and the header: asked only where shown."""

    def my_queues():
        """Each unit the person is an expert of: the start of its queue, how many wait, and
        the stream's seq."""
        queues = []
        for unit in services.units_of(current_user):
            seq = last_seq(unit_stream(unit.id))  # before the items: later changes catch up
            items = services.queue(current_user, unit.id, per_page=START_PAGE_ITEMS)[1]
            queues.append((unit, items, services.waiting(unit), seq))
        return queues

    return {
        "thread_units": services.thread_unit_view,
        "answering_units": services.answering_units,
        "my_units": lambda: services.units_of(current_user),
        "my_queues": my_queues,
    }


@bp.get("/units/<int:unit_id>")
def queue(unit_id: int):
    seq = last_seq(unit_stream(unit_id))  # before the items: a later change is caught up
    unit, items = services.queue(current_user, unit_id, page=page_number())
    waiting = services.waiting(unit)
    return render_template("units/queue.html", unit=unit, items=items, waiting=waiting, seq=seq)


def _back(default: str) -> str:
    return local_url(request.values.get("next") or default)


def _choose_units(form: UnitsForm, tags) -> None:
    form.unit_ids.choices = [(u.id, f"{u.code}: {u.name}") for u in services.all_units()]
    if not form.is_submitted():
        form.unit_ids.data = [tag.unit_id for tag in tags]


@bp.route("/threads/<int:thread_id>/units", methods=["GET", "POST"])
@transactional
def tag_thread(thread_id: int):
    thread, tags = services.thread_units(current_user, thread_id)
    ensure(current_user, "thread.tag_units", thread)  # the form too, not only its sending
    form = UnitsForm()
    _choose_units(form, tags)
    back = url_for("discussion.thread", thread_id=thread.id)
    if form.validate_on_submit():
        try:
            services.tag_thread(current_user, thread_id, form.unit_ids.data, add_only=False)
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(_("The thread's expert units were saved."))
            return redirect(back)
    page = render_template(
        "units/tag.html", form=form, title=thread.title, back=back, what="thread"
    )
    return page, 422 if form.errors or form.form_errors else 200


@bp.route("/drafts/<int:draft_id>/units", methods=["GET", "POST"])
@transactional
def tag_draft(draft_id: int):
    draft, tags = services.draft_units(current_user, draft_id)
    ensure(current_user, "draft.tag_units", draft)
    form = UnitsForm()
    _choose_units(form, tags)
    back = f"/drafts/{draft.id}"  # the draft's page (drafts.draft)
    if form.validate_on_submit():
        try:
            services.tag_draft(current_user, draft_id, form.unit_ids.data, add_only=False)
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(_("The draft's expert units were saved."))
            return redirect(back)
    page = render_template("units/tag.html", form=form, title=draft.title, back=back, what="draft")
    return page, 422 if form.errors or form.form_errors else 200


def _queue_action(service, item_id: int, done: str):
    """Claim or give back, then back to the page the button was on (the queue, the start
    page); a refusal (taken on by someone else meanwhile) is said there."""
    ActionForm().validate_on_submit()
    try:
        tag = service(current_user, item_id)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(_back(url_for("areas.index")))
    flash(done)
    return redirect(_back(url_for("units.queue", unit_id=tag.unit_id)))


@bp.post("/units/items/<int:item_id>/claim")
@transactional
def claim(item_id: int):
    return _queue_action(services.claim, item_id, _("You took the item on."))


@bp.post("/units/items/<int:item_id>/release")
@transactional
def release(item_id: int):
    return _queue_action(services.release, item_id, _("You gave the item back to the queue."))


@bp.route("/posts/<int:post_id>/official", methods=["GET", "POST"])
@transactional
def mark_official(post_id: int):
    """GET asks which unit's answer it is (and confirms); POST marks it."""
    post = discussion.access_post(current_user, post_id)
    ensure(current_user, "post.mark_official", post)
    units = services.answering_units(current_user, post)
    form = OfficialForm()
    form.unit_id.choices = [(u.id, f"{u.code}: {u.name}") for u in units]
    if form.is_submitted():
        form.validate()
        try:
            answer = services.mark_official(current_user, post_id, form.unit_id.data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            flash(_("The reply is now %(unit)s's official answer.", unit=answer.unit.code))
            return redirect(url_for("discussion.thread", thread_id=post.thread_id))
    elif len(units) == 1:
        form.unit_id.data = units[0].id
    page = render_template("units/official.html", post=post, units=units, form=form)
    return page, 422 if form.errors or form.form_errors else 200


@bp.route("/threads/<int:thread_id>/official/<int:unit_id>/remove", methods=["GET", "POST"])
@transactional
def remove_official(thread_id: int, unit_id: int):
    """GET asks for confirmation (without JavaScript too); POST takes the answer back."""
    answer = services.access_official_answer(current_user, thread_id, unit_id)
    ensure(current_user, "official_answer.remove", answer)
    form = ActionForm()
    if form.validate_on_submit():
        services.remove_official(current_user, thread_id, unit_id)
        flash(_("%(unit)s's official answer was taken back.", unit=answer.unit.code))
        return redirect(url_for("discussion.thread", thread_id=thread_id))
    thread = discussion.access_thread(current_user, thread_id)
    return render_template("units/remove_official.html", answer=answer, thread=thread, form=form)
