"""Draft pages: the list, a draft's page, starting one, promoting a thread or asking for it,
and the authors' edit form (with the conflict page when someone saved meanwhile)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forum.budget.services import allocation, categories
from forum.discussion.services import access_thread
from forum.drafts import editing, promotion, rules
from forum.drafts.forms import (
    SPARE_COST_ROWS,
    DraftForm,
    NewDraftForm,
    PromotionForm,
    RequestPromotionForm,
    fill,
    form_content,
    shown,
)
from forum.drafts.models import CONTENT_FIELDS, STATUSES
from forum.drafts.services import VersionConflict, load_draft
from forum.errors import Conflict, Forbidden, RateLimited, ValidationError
from forum.policy import ensure
from forum.realtime.streams import draft_stream, last_seq
from forum.schemas import id_from_text
from forum.transactions import transactional
from forum.web import page_number, show_errors

bp = Blueprint("drafts", __name__)


FORM_REFUSALS = (ValidationError, Forbidden, Conflict, RateLimited)
# Why an author may not edit the draft now (the edit page says so instead of the form).
EDIT_REFUSALS = ("suspended", "draft_closed")


def draft_url(draft_id: int) -> str:
    return url_for("drafts.draft", draft_id=draft_id)


@bp.get("/drafts")
def index():
    status = request.args.get("status") or None
    page = editing.list_drafts(status, page_number())
    return render_template("drafts/index.html", page=page, status=status, statuses=STATUSES)


@bp.get("/drafts/<int:draft_id>")
def draft(draft_id: int):
    seq = last_seq(draft_stream(draft_id))  # before the draft: a later change is caught up
    draft = editing.load_draft_page(draft_id, current_user)
    return render_template(
        "drafts/draft.html",
        draft=draft,
        seq=seq,
        missing=rules.missing(draft),
        labels=rules.field_labels(),
        cap=allocation(draft.edition_id, draft.area),
        cited=promotion.cited_posts(draft, current_user),
    )


def _area_choices() -> list[tuple[str, str]]:
    return [
        (str(area.id), ("— " if area.kind == "subarea" else "") + area.label)
        for area in editing.proposal_areas()
    ]


@bp.route("/drafts/new", methods=["GET", "POST"])
@transactional
def start():
    ensure(current_user, "draft.create", None)
    form = NewDraftForm()
    form.area_id.choices = [("", _("Choose…")), *_area_choices()]
    if request.method == "GET":
        home = current_user.home_area_id
        form.area_id.data = str(home) if home else ""
        return render_template("drafts/new.html", form=form)
    form.validate_on_submit()
    try:
        draft = editing.start_own_draft(
            current_user, id_from_text(form.area_id.data), {"title": form.title.data or ""}
        )
    except FORM_REFUSALS as error:
        show_errors(form, error)
        return render_template("drafts/new.html", form=form), error.status, error.headers
    flash(_("Your draft is started. Fill in the BO fields at your own pace."))
    return redirect(url_for("drafts.edit", draft_id=draft.id))


# --- the edit form ------------------------------------------------------------------------------


def _choices(form: DraftForm, draft) -> None:
    listed = categories()
    if draft.category is not None and draft.category not in listed:
        listed.append(draft.category)  # archived since it was chosen: still shown
    form.category_id.choices = [("", _("Not chosen yet"))] + [(str(c.id), c.name) for c in listed]
    form.area_id.choices = _area_choices()
    blank = [r for r in form.cost_items.entries if not (r.form.item.data or r.form.amount.data)]
    for _row in range(SPARE_COST_ROWS - len(blank)):
        if len(form.cost_items) < rules.COST_ITEMS_MAX:
            form.cost_items.append_entry()


def _render_edit(draft, form, status=200, conflict: VersionConflict | None = None):
    differences = []
    if conflict is not None:
        names = {
            "category_id": {int(k): v for k, v in form.category_id.choices if k},
            "area_id": {int(k): v.removeprefix("— ") for k, v in form.area_id.choices},
        }
        labels = rules.field_labels()
        for field in CONTENT_FIELDS:
            if conflict.current[field] != conflict.yours[field]:
                differences.append(
                    (
                        field,
                        labels[field],
                        shown(field, conflict.current[field], names),
                        shown(field, conflict.yours[field], names),
                    )
                )
    page = render_template(
        "drafts/edit.html",
        draft=draft,
        form=form,
        conflict=conflict,
        differences=differences,
        labels=rules.field_labels(),
    )
    return page, status


@bp.route("/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
@transactional
def edit(draft_id: int):
    draft = load_draft(draft_id, current_user)
    form = DraftForm()
    try:
        ensure(current_user, "draft.edit", draft)  # the form too, not only its submission
    except (Forbidden, Conflict) as error:
        if error.code not in EDIT_REFUSALS:
            raise  # not an author: no form
        _choices(form, draft)
        show_errors(form, error)
        page, status = _render_edit(draft, form, error.status)
        return page, status
    if request.method == "GET":
        fill(form, draft.content(), draft.version)
        _choices(form, draft)
        return _render_edit(draft, form)
    form.validate_on_submit()
    _choices(form, draft)
    version = id_from_text(form.version.data) or draft.version
    try:
        saved = editing.edit_draft(
            current_user, draft_id, form_content(form), version, form.note.data or ""
        )
    except VersionConflict as conflict:
        # Your words stay in the form; the current ones are shown beside them. Saving again
        # is based on the current revision.
        form.version.data = str(conflict.current_version)
        form.form_errors.append(conflict.message)
        page, status = _render_edit(draft, form, conflict.status, conflict)
        return page, status, conflict.headers
    except FORM_REFUSALS as error:
        show_errors(form, error)
        page, status = _render_edit(draft, form, error.status)
        return page, status, error.headers
    if saved is None:
        flash(_("You changed nothing, so nothing was saved."))
    else:
        flash(_("Saved as revision %(number)d.", number=saved.number))
    return redirect(draft_url(draft_id))


# --- promotion ----------------------------------------------------------------------------------


def _chosen_posts() -> tuple[int, ...]:
    # An id that names nothing becomes 0, which the service refuses as not of this thread.
    return tuple(id_from_text(v) or 0 for v in request.form.getlist("source_post_ids"))


@bp.route("/threads/<int:thread_id>/promote", methods=["GET", "POST"])
@transactional
def promote(thread_id: int):
    thread = access_thread(current_user, thread_id)
    ensure(current_user, "thread.promote", thread)
    posts = promotion.citable_posts(thread)
    form = PromotionForm()
    if request.method == "GET":
        form.title.data = thread.title
        chosen = {p.id for p in posts if p.is_opening}
        return render_template(
            "drafts/promote.html", thread=thread, posts=posts, form=form, chosen=chosen
        )
    form.validate_on_submit()
    chosen = set(_chosen_posts())
    try:
        draft = promotion.promote_thread(
            current_user, thread_id, source_post_ids=tuple(sorted(chosen)), title=form.title.data
        )
    except FORM_REFUSALS as error:
        show_errors(form, error)
        page = render_template(
            "drafts/promote.html", thread=thread, posts=posts, form=form, chosen=chosen
        )
        return page, error.status, error.headers
    flash(_("The thread is now a proposal draft. Its author was told and may edit it with you."))
    return redirect(draft_url(draft.id))


@bp.post("/threads/<int:thread_id>/request-promotion")
@transactional
def request_promotion(thread_id: int):
    RequestPromotionForm().validate_on_submit()
    told = promotion.request_promotion(current_user, thread_id)
    if told:
        flash(
            ngettext(
                "Your request went to %(num)d ambassador.",
                "Your request went to %(num)d ambassadors.",
                told,
            )
        )
    else:
        flash(_("Your request is waiting with the ambassadors already."))
    return redirect(url_for("discussion.thread", thread_id=thread_id, _anchor="draft-banner"))
