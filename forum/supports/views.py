"""Supporting a draft and taking the support back, from the draft's page or its supports page.

Withdrawing has a confirmation page (GET) whose form does it (POST), so it works without
JavaScript."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.drafts.services import load_draft
from forum.supports import services
from forum.supports.forms import SupportForm
from forum.transactions import transactional
from forum.web import local_url

bp = Blueprint("supports", __name__)


@bp.app_context_processor
def support_helpers():
    """`support_box(draft)` for the draft page's include (templates/supports/_supports.html)."""
    return {"support_box": lambda draft: services.support_box(current_user, draft)}


def _back(draft_id: int, form: SupportForm) -> str:
    here = url_for("supports.draft_supports", draft_id=draft_id)
    return local_url(form.next.data or here, "areas.index")


@bp.get("/drafts/<int:draft_id>/supports")
def draft_supports(draft_id: int):
    draft = load_draft(draft_id, current_user)
    return render_template("supports/supports.html", draft=draft)


@bp.post("/drafts/<int:draft_id>/support")
@transactional
def support(draft_id: int):
    form = SupportForm()
    form.validate_on_submit()
    draft = load_draft(draft_id, current_user)
    row = services.support(current_user, draft)
    if row.counts:
        flash(_("Thank you: your support is recorded."))
    else:
        flash(
            _(
                "Your support is recorded and shown, but it does not count toward the list BO "
                "requires: only residents of %(district)s count for this draft.",
                district=services.district_of(draft).label,
            )
        )
    return redirect(_back(draft_id, form))


@bp.route("/drafts/<int:draft_id>/support/withdraw", methods=["GET", "POST"])
@transactional
def withdraw(draft_id: int):
    draft = load_draft(draft_id, current_user)
    form = SupportForm(next=request.args.get("next"))
    if form.validate_on_submit():
        services.withdraw(current_user, draft)
        flash(_("Your support is withdrawn."))
        return redirect(_back(draft_id, form))
    if services.own_support(current_user, draft) is None:
        services.withdraw(current_user, draft)  # explains why there is nothing to withdraw
    return render_template(
        "supports/withdraw.html", draft=draft, form=form, back=_back(draft_id, form)
    )
