"""A draft's co-authors page: inviting, answering an invitation, removing, leaving.

Declining, removing and leaving ask first on a page of their own (GET), which works without
JavaScript; the form on it POSTs.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.drafts import coauthors
from forum.drafts.coauthor_forms import ConfirmForm, InviteForm
from forum.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationError
from forum.policy import ensure
from forum.transactions import transactional
from forum.web import show_errors

bp = Blueprint("coauthors", __name__)

FORM_REFUSALS = (ValidationError, Forbidden, Conflict, RateLimited)


def _page(draft_id: int, form: InviteForm, status: int = 200, headers=None):
    draft = coauthors.authors_of(current_user, draft_id)
    page = render_template(
        "drafts/coauthors.html",
        draft=draft,
        form=form,
        invitation=coauthors.pending_invitation(current_user, draft),
        place=coauthors.place_of(current_user, draft),
        answer_form=ConfirmForm(),
    )
    return page, status, headers or {}


def _back(draft_id: int):
    return redirect(url_for("coauthors.index", draft_id=draft_id))


@bp.get("/drafts/<int:draft_id>/coauthors")
def index(draft_id: int):
    return _page(draft_id, InviteForm())


@bp.post("/drafts/<int:draft_id>/coauthors")
@transactional
def invite(draft_id: int):
    form = InviteForm()
    form.validate_on_submit()
    try:
        invitation = coauthors.invite(current_user, draft_id, form.email.data)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        return _page(draft_id, form, error.status, error.headers)
    flash(
        _(
            "%(name)s is invited: they will see it in their notifications.",
            name=invitation.user.display_name,
        )
    )
    return _back(draft_id)


@bp.post("/drafts/<int:draft_id>/invitation/accept")
@transactional
def accept(draft_id: int):
    ConfirmForm().validate_on_submit()
    coauthors.accept(current_user, draft_id)
    flash(_("You are a co-author of this draft now: you may edit it."))
    return _back(draft_id)


def _confirm(draft_id: int, template: str, **context):
    return render_template(
        template,
        draft=coauthors.authors_of(current_user, draft_id),
        form=ConfirmForm(),
        **context,
    )


@bp.route("/drafts/<int:draft_id>/invitation/decline", methods=["GET", "POST"])
@transactional
def decline(draft_id: int):
    if request.method == "GET":
        draft = coauthors.authors_of(current_user, draft_id)
        invitation = coauthors.place_of(current_user, draft)
        if invitation is None:
            raise NotFound(_("There is no such invitation."))
        ensure(current_user, "invitation.answer", invitation)
        return _confirm(draft_id, "drafts/decline.html", invitation=invitation)
    ConfirmForm().validate_on_submit()
    coauthors.decline(current_user, draft_id)
    flash(_("You declined the invitation."))
    return _back(draft_id)


@bp.route("/drafts/<int:draft_id>/coauthors/<int:user_id>/remove", methods=["GET", "POST"])
@transactional
def remove(draft_id: int, user_id: int):
    if request.method == "GET":
        draft = coauthors.authors_of(current_user, draft_id)
        member = next((a for a in draft.authors if a.user_id == user_id), None)
        if member is None:
            raise NotFound(_("This person is not an author of this draft."))
        ensure(current_user, "coauthor.remove", member)
        return _confirm(draft_id, "drafts/remove_coauthor.html", member=member)
    ConfirmForm().validate_on_submit()
    member = coauthors.remove(current_user, draft_id, user_id)
    if member.is_pending:
        flash(_("The invitation is withdrawn."))
    else:
        flash(_("%(name)s is no longer a co-author.", name=member.user.display_name))
    return _back(draft_id)


@bp.route("/drafts/<int:draft_id>/leave", methods=["GET", "POST"])
@transactional
def leave(draft_id: int):
    if request.method == "GET":
        draft = coauthors.authors_of(current_user, draft_id)
        place = coauthors.place_of(current_user, draft)
        if place is None:
            raise NotFound(_("You are not an author of this draft."))
        ensure(current_user, "coauthor.leave", place)
        return _confirm(draft_id, "drafts/leave.html")
    ConfirmForm().validate_on_submit()
    coauthors.leave(current_user, draft_id)
    flash(_("You are no longer a co-author of this draft."))
    return _back(draft_id)
