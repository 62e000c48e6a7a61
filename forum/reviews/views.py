"""Pages of a draft's status moves and its reviews, and the forms that move, review and decide.

The draft's own page (forum/drafts) shows the same through the include files
templates/drafts/_status.html and templates/reviews/_reviews.html; the helpers they call are
given to every template here.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from forum.drafts import status
from forum.drafts.models import CONTENT_FIELDS
from forum.drafts.rules import categories_by_id, field_labels
from forum.drafts.services import load_draft
from forum.errors import Conflict, Forbidden, ValidationError
from forum.policy import DraftMove, can, ensure, status_label
from forum.reviews import services
from forum.reviews.forms import (
    DecideForm,
    DeclineForm,
    MoveForm,
    ReviewForm,
    checklist_labels,
    opinion_choices,
)
from forum.schemas import id_from_text
from forum.transactions import transactional
from forum.web import local_url, show_errors

bp = Blueprint("reviews", __name__)

# Refusals a form shows in itself: the writer keeps their words.
FORM_REFUSALS = (ValidationError, Forbidden, Conflict)


def draft_url(draft_id: int) -> str:
    """The draft's page (forum/drafts: drafts.draft)."""
    return f"/drafts/{draft_id}"


def reviews_url(draft_id: int, anchor: str = "") -> str:
    return f"/drafts/{draft_id}/reviews" + (f"#{anchor}" if anchor else "")


# --- status moves ----------------------------------------------------------------------------


@bp.get("/drafts/<int:draft_id>/status")
def draft_status(draft_id: int):
    draft = load_draft(draft_id, current_user)
    return render_template("reviews/status.html", draft=draft)


@bp.route("/drafts/<int:draft_id>/status/<to>", methods=["GET", "POST"])
@transactional
def move(draft_id: int, to: str):
    """GET shows what the move does (and asks for a word); POST makes it."""
    draft = load_draft(draft_id, current_user)
    ensure(current_user, "draft.move", DraftMove(draft, to))
    form = MoveForm()
    if form.validate_on_submit():
        try:
            status.move(current_user, draft_id, to, form.message.data)
        except FORM_REFUSALS as error:
            show_errors(form, error)
            return _render_move(draft, to, form), error.status
        flash(_("The draft is now %(status)s.", status=status_label(to)))
        return redirect(draft_url(draft_id))
    return _render_move(draft, to, form), 422 if form.errors else 200


def _render_move(draft, to: str, form: MoveForm) -> str:
    problem = status.unmet(draft, to)
    return render_template("reviews/move.html", draft=draft, to=to, form=form, problem=problem)


# --- reviews ---------------------------------------------------------------------------------


@bp.get("/drafts/<int:draft_id>/reviews")
def draft_reviews(draft_id: int):
    draft = load_draft(draft_id, current_user)
    return render_template("reviews/reviews.html", draft=draft)


@bp.route("/drafts/<int:draft_id>/reviews/new", methods=["GET", "POST"])
@transactional
def new_review(draft_id: int):
    draft = load_draft(draft_id, current_user)
    ensure(current_user, "draft.review", draft)
    units = [tag.unit for tag in draft.unit_tags if current_user.is_expert_of(tag.unit)]
    form = ReviewForm()
    form.fill_choices(units)
    status_code = 200
    if form.validate_on_submit():
        changes, slot_of, readable = form.proposed_changes()
        if not readable:
            form.form_errors.append(_("Some fields need correcting."))
            status_code = 422
        else:
            try:
                review = services.add_review(
                    current_user,
                    draft_id,
                    unit_id=id_from_text(form.unit_id.data) if len(units) > 1 else None,
                    opinion=form.opinion.data or "",
                    checklist=form.checklist(),
                    cost_remarks=form.cost_remarks.data,
                    body=form.body.data,
                    changes=changes,
                )
            except FORM_REFUSALS as error:
                form.show_change_errors(error.fields, slot_of)
                show_errors(form, _without_changes(error))
                status_code = error.status
            else:
                flash(_("Your review was added."))
                return redirect(reviews_url(draft_id, f"review-{review.id}"))
    done = services.reviewed_now(draft)
    page = render_template(
        "reviews/new.html",
        draft=draft,
        form=form,
        units=units,
        reviewed=[unit for unit in units if unit.id in done],
    )
    return page, 422 if status_code == 200 and form.errors else status_code


def _without_changes(error):
    """The error with only the fields the form has by name (the slots get theirs apart)."""
    fields = {k: v for k, v in error.fields.items() if not k.startswith("changes.")}
    if error.fields and not fields:
        return type(error)(error.message, {}, code=error.code)
    return type(error)(error.message, fields, code=error.code)


# --- decisions on proposed changes -----------------------------------------------------------


def _back(form, change) -> str:
    if form.next.data:
        return local_url(form.next.data)
    return reviews_url(change.draft_id, f"change-{change.id}")


def _render_change(change, decline: DeclineForm, status_code: int = 200, accept=None):
    draft = load_draft(change.draft_id, current_user)
    page = render_template(
        "reviews/change.html",
        draft=draft,
        change=change,
        review=services.load_review(change.review_id),
        accept_form=accept or DecideForm(),
        decline_form=decline,
    )
    return page, status_code


@bp.get("/proposed-changes/<int:change_id>")
def change(change_id: int):
    return _render_change(services.access_change(change_id), DeclineForm())


@bp.post("/proposed-changes/<int:change_id>/accept")
@transactional
def accept_change(change_id: int):
    form = DecideForm()
    form.validate_on_submit()
    try:
        change = services.accept_change(current_user, change_id)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        return _render_change(services.access_change(change_id), DeclineForm(), error.status, form)
    flash(_("The change was applied as a new revision of the draft."))
    return redirect(_back(form, change))


@bp.post("/proposed-changes/<int:change_id>/decline")
@transactional
def decline_change(change_id: int):
    form = DeclineForm()
    form.validate_on_submit()
    try:
        change = services.decline_change(current_user, change_id, form.reason.data)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        return _render_change(services.access_change(change_id), form, error.status)
    flash(_("The change was declined; the unit reads your reason."))
    return redirect(_back(form, change))


# --- what the include files call -------------------------------------------------------------


def shown_value(field: str, value) -> str | list[str]:
    """A field's value in words: a list for places and cost items."""
    if field == "locations":
        return list(value or [])
    if field == "cost_items":
        return [f"{item['item']}: {item['amount']:,} zł".replace(",", " ") for item in value or []]
    if field == "deliverable_in_year":
        return {True: _("Yes"), False: _("No")}.get(value, _("Not answered"))
    if field == "category_id":
        category = categories_by_id().get(value)
        return category.name if category is not None else _("None")
    if field == "kind":
        return {"district": _("District"), "city": _("City-wide")}.get(value, str(value))
    if field == "area_id":
        from forum.areas.models import Area
        from forum.extensions import db

        area = db.session.get(Area, value) if isinstance(value, int) else None
        return area.label if area is not None else str(value)
    return "" if value is None else str(value)


def move_label(start: str, to: str) -> str:
    """The button that makes a move."""
    return {
        ("draft", "in_review"): _("Send for review"),
        ("revised", "in_review"): _("Send for review again"),
        ("in_review", "revised"): _("Mark as revised after the reviews"),
        ("ready", "revised"): _("Reopen for revision"),
        ("revised", "ready"): _("Mark as ready to file"),
        ("withdrawn", "draft"): _("Reopen as a draft"),
    }.get((start, to), _("Withdraw the draft") if to == "withdrawn" else status_label(to))


@bp.app_context_processor
def review_helpers() -> dict:
    return {
        "draft_moves": lambda draft: status.moves_for(current_user, draft),
        "draft_status_history": lambda draft: status.status_history(draft.id),
        "draft_reviews": lambda draft: services.list_reviews(draft.id),
        "draft_move_label": move_label,
        "draft_field_label": lambda field: field_labels().get(field, field),
        "draft_field_value": shown_value,
        "review_opinion_label": lambda opinion: dict(opinion_choices()).get(opinion, opinion),
        "review_checklist_labels": checklist_labels,
        "draft_content_fields": CONTENT_FIELDS,
        "can_review": lambda draft: can(current_user, "draft.review", draft),
    }
