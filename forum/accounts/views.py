"""Register (confirmed by an e-mailed link), log in, log out (here or everywhere), profile pages
and one's bio."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.accounts import services, sessions
from forum.accounts.forms import ConfirmRegistrationForm, LoginForm, LogoutForm, RegisterForm
from forum.ambassadors import services as ambassadors
from forum.ambassadors.forms import BioForm
from forum.errors import (
    DomainError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationError,
)
from forum.transactions import transactional
from forum.web import local_url, show_errors

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
@transactional
def register():
    form = RegisterForm()
    form.home_area_id.choices = [("", _("— choose —"))] + [
        (str(area.id), area.label) for area in services.districts()
    ]
    if form.validate_on_submit():
        try:
            email = services.register(
                form.display_name.data, form.email.data, form.password.data, form.home_area_id.data
            )
        except ValidationError as error:
            show_errors(form, error)
        except RateLimited as error:
            show_errors(form, error)
            page = render_template("accounts/register.html", form=form)
            return page, error.status, error.headers
        else:
            # The same page whether or not the address has an account: only its mailbox knows.
            return render_template("accounts/register_sent.html", email=email)
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@transactional
def confirm_registration(token: str):
    """The link from the registration message: a page with one button that makes the account.

    Following the link only shows the page, so a mail scanner that opens links neither uses
    the link up nor gets logged in.
    """
    form = ConfirmRegistrationForm()
    try:
        if form.validate_on_submit():
            user = services.finish_registration(token)
            sessions.begin(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name))
            return redirect(url_for("areas.index"))
        pending = services.pending_registration(token)
    except DomainError as error:
        page = render_template("accounts/register_link_refused.html", error=error)
        return page, error.status
    return render_template("accounts/register_confirm.html", form=form, pending=pending)


@bp.route("/login", methods=["GET", "POST"])
@transactional
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except NotAuthenticated as error:
            show_errors(form, error)
        except Forbidden as error:  # a suspended account
            show_errors(form, error)
            return render_template("accounts/login.html", form=form), error.status
        except RateLimited as error:
            show_errors(form, error)
            return render_template("accounts/login.html", form=form), error.status, error.headers
        else:
            sessions.begin(user)
            return redirect(local_url(form.next.data))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@transactional
def logout():
    if LogoutForm().validate_on_submit():
        sessions.end()
    return redirect(url_for("areas.index"))


@bp.post("/logout/everywhere")
@transactional
def logout_everywhere():
    if LogoutForm().validate_on_submit() and current_user.is_authenticated:
        sessions.end(everywhere=True)
        flash(_("You are logged out on every device."))
    return redirect(url_for("areas.index"))


def render_profile(user_id: int, bio_form: BioForm | None = None, status: int = 200):
    user = services.load_user(user_id)
    if user is None:
        raise NotFound(_("There is no such user."))
    own = current_user.is_authenticated and current_user.id == user.id
    page = render_template(
        "accounts/profile.html",
        user=user,
        own=own,
        logins=services.active_session_count(user) if own else None,
        logout_form=LogoutForm(),
        bio_form=bio_form or BioForm(bio=user.bio),
        applications=ambassadors.own_applications(user) if own else [],
    )
    return page, status


@bp.get("/users/<int:user_id>")
def profile(user_id: int):
    return render_profile(user_id)


@bp.post("/profile/bio")
@transactional
def edit_bio():
    form = BioForm()
    form.validate_on_submit()
    try:
        user = ambassadors.update_bio(current_user, form.bio.data)
    except ValidationError as error:
        show_errors(form, error)
        return render_profile(current_user.id, form, error.status)
    flash(_("Your bio was saved."))
    return redirect(url_for("accounts.profile", user_id=user.id))
