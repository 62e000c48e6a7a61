"""Applying to be an ambassador, withdrawing an application, and the admins' review page."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.ambassadors import services
from forum.ambassadors.forms import ApplicationForm, DecisionForm, WithdrawForm
from forum.errors import Conflict, ValidationError
from forum.policy import ensure
from forum.transactions import transactional
from forum.web import page_number, show_errors

bp = Blueprint("ambassadors", __name__)


@bp.route("/areas/<int:area_id>/apply", methods=["GET", "POST"])
@transactional
def apply(area_id: int):
    area = services.access_area(area_id)
    ensure(current_user, "ambassador.apply", area)  # the form too, not only its submission
    form = ApplicationForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.apply(current_user, area_id, form.motivation.data, form.contact.data)
        except (ValidationError, Conflict) as error:
            show_errors(form, error)
            status = error.status
            area = services.access_area(area_id)  # the refusal rolled the session back
        else:
            flash(_("Thank you! The city's coordinators will read your application."))
            return redirect(url_for("accounts.profile", user_id=current_user.id))
    pending = current_user.is_authenticated and services.has_pending(current_user.id, area.id)
    page = render_template("ambassadors/apply.html", area=area, form=form, pending=pending)
    return page, status


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@transactional
def withdraw(application_id: int):
    """A confirmation page (that works without JavaScript) and the withdrawal itself."""
    application = services.access_application(application_id)
    ensure(current_user, "application.withdraw", application)
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw(current_user, application_id)
        flash(_("Your application was withdrawn."))
        return redirect(url_for("accounts.profile", user_id=current_user.id))
    return render_template("ambassadors/withdraw.html", application=application, form=form)


def render_review(failed: dict | None = None, status: int = 200, page: int = 1):
    """A page of the applications; a decision's form comes back to its page (?page=)."""
    found = services.applications_for_review(current_user, page=page)
    html = render_template(
        "ambassadors/review.html", applications=found.items, page=found, failed=failed or {}
    )
    return html, status


@bp.get("/admin/applications")
def review():
    return render_review(page=page_number())


def _decide(application_id: int, action: str):
    page = page_number()  # the review's page the form was on, read before anything is decided
    form = DecisionForm()
    form.validate_on_submit()
    decide = services.approve if action == "approve" else services.reject
    try:
        application = decide(current_user, application_id, form.message.data or "")
    except (ValidationError, Conflict) as error:
        failed = {
            "id": application_id,
            "action": action,
            "message": form.message.data or "",
            "error": error.fields.get("message", error.message),
        }
        return render_review(failed, error.status, page)
    if action == "approve":
        flash(
            _(
                "%(name)s is now an ambassador of %(area)s.",
                name=application.user.display_name,
                area=application.area.label,
            )
        )
    else:
        flash(_("The application of %(name)s was rejected.", name=application.user.display_name))
    return redirect(url_for("ambassadors.review", page=page if page > 1 else None))


@bp.post("/admin/applications/<int:application_id>/approve")
@transactional
def approve(application_id: int):
    return _decide(application_id, "approve")


@bp.post("/admin/applications/<int:application_id>/reject")
@transactional
def reject(application_id: int):
    return _decide(application_id, "reject")
