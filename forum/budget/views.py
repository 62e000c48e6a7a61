"""The admin pages of the budget's managed data: categories, editions (which one is current)
and each area's allocation in an edition. Archiving a category and changing the current
edition have a confirmation page (GET) whose form does it (POST)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.admin.forms import ConfirmForm
from forum.budget import forms, services
from forum.errors import Conflict, ValidationError
from forum.policy import ensure
from forum.schemas import id_from_text
from forum.transactions import transactional
from forum.web import show_errors

bp = Blueprint("budget", __name__, url_prefix="/admin/budget")
REFUSED = (ValidationError, Conflict)


@bp.before_request
def admins_only():
    ensure(current_user, "budget.manage", None)


def _refused(render, error, form):
    show_errors(form, error)
    return render(form), error.status


def render_index(category_form=None, edition_form=None):
    return render_template(
        "budget/index.html",
        categories=services.categories(include_archived=True),
        editions=services.editions(),
        category_form=category_form or forms.CategoryForm(),
        edition_form=edition_form or forms.EditionForm(),
    )


@bp.get("")
def index():
    return render_index()


@bp.post("/categories")
@transactional
def add_category():
    form = forms.CategoryForm()
    form.validate_on_submit()
    try:
        category = services.add_category(current_user, form.code.data, form.name.data)
    except REFUSED as error:
        return _refused(lambda f: render_index(category_form=f), error, form)
    flash(_("The category %(name)s is added.", name=category.name))
    return redirect(url_for("budget.index"))


def render_category(category_id: int, form=None):
    category = services.access_category(current_user, category_id)
    return render_template(
        "budget/category.html",
        category=category,
        form=form or forms.CategoryNameForm(name=category.name),
    )


@bp.get("/categories/<int:category_id>")
def category(category_id: int):
    return render_category(category_id)


@bp.post("/categories/<int:category_id>/name")
@transactional
def rename_category(category_id: int):
    form = forms.CategoryNameForm()
    form.validate_on_submit()
    try:
        services.rename_category(current_user, category_id, form.name.data)
    except REFUSED as error:
        return _refused(lambda f: render_category(category_id, f), error, form)
    flash(_("The category is renamed."))
    return redirect(url_for("budget.category", category_id=category_id))


@bp.route("/categories/<int:category_id>/archive", methods=["GET", "POST"])
@transactional
def archive_category(category_id: int):
    category = services.access_category(current_user, category_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.set_category_archived(current_user, category_id, True)
        flash(_("The category is archived."))
        return redirect(url_for("budget.category", category_id=category_id))
    return render_template(
        "admin/confirm.html",
        title=_("Archive the category %(name)s?", name=category.name),
        explanation=_(
            "New drafts can no longer choose it; drafts filed under it keep it. You can "
            "restore it later."
        ),
        form=form,
        button=_("Archive the category"),
        back=url_for("budget.category", category_id=category_id),
    )


@bp.post("/categories/<int:category_id>/restore")
@transactional
def restore_category(category_id: int):
    ConfirmForm().validate_on_submit()
    services.set_category_archived(current_user, category_id, False)
    flash(_("The category is restored."))
    return redirect(url_for("budget.category", category_id=category_id))


@bp.post("/editions")
@transactional
def add_edition():
    form = forms.EditionForm()
    form.validate_on_submit()
    year = id_from_text((form.year.data or "").strip())
    try:
        edition = services.add_edition(current_user, year, form.name.data)
    except REFUSED as error:
        return _refused(lambda f: render_index(edition_form=f), error, form)
    flash(_("The edition %(name)s is added.", name=edition.name))
    return redirect(url_for("budget.edition", edition_id=edition.id))


def render_edition(edition_id: int, form=None, typed=None, errors=None):
    edition = services.access_edition(edition_id)
    return render_template(
        "budget/edition.html",
        edition=edition,
        allocations=services.edition_allocations(edition),
        form=form or forms.AllocationsForm(),
        typed=typed or {},
        errors=errors or {},
    )


@bp.get("/editions/<int:edition_id>")
def edition(edition_id: int):
    return render_edition(edition_id)


@bp.post("/editions/<int:edition_id>/allocations")
@transactional
def set_allocations(edition_id: int):
    form = forms.AllocationsForm()
    form.validate_on_submit()
    edition = services.access_edition(edition_id)
    typed = {
        area.id: request.form.get(f"area-{area.id}", "")
        for area, _amount in services.edition_allocations(edition)
    }
    try:
        services.set_allocations(current_user, edition_id, typed)
    except REFUSED as error:
        form.form_errors.append(error.message)
        return render_edition(edition_id, form, typed, error.fields), error.status
    flash(_("The allocations are saved."))
    return redirect(url_for("budget.edition", edition_id=edition_id))


@bp.route("/editions/<int:edition_id>/current", methods=["GET", "POST"])
@transactional
def make_current(edition_id: int):
    edition = services.access_edition(edition_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.make_current(current_user, edition_id)
        flash(_("%(name)s is the current edition now.", name=edition.name))
        return redirect(url_for("budget.edition", edition_id=edition_id))
    return render_template(
        "admin/confirm.html",
        title=_("Make %(name)s the current edition?", name=edition.name),
        explanation=_(
            "Drafts started from now on belong to it and are capped by its allocations; "
            "drafts already started keep their edition."
        ),
        form=form,
        button=_("Make it current"),
        back=url_for("budget.edition", edition_id=edition_id),
    )
