"""Register, log in, log out, profile pages."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from forum.accounts import services
from forum.accounts.forms import LoginForm, LogoutForm, RegisterForm
from forum.errors import NotAuthenticated, NotFound, ValidationError
from forum.web import local_url, show_errors

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    form.home_area_id.choices = [("", _("— choose —"))] + [
        (str(area.id), area.label) for area in services.districts()
    ]
    if form.validate_on_submit():
        try:
            user = services.register(
                form.display_name.data, form.email.data, form.password.data, form.home_area_id.data
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name))
            return redirect(url_for("areas.index"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except NotAuthenticated as error:
            show_errors(form, error)
        else:
            login_user(user)
            return redirect(local_url(form.next.data))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
    return redirect(url_for("areas.index"))


@bp.get("/users/<int:user_id>")
def profile(user_id: int):
    user = services.load_user(user_id)
    if user is None:
        raise NotFound(_("There is no such user."))
    return render_template("accounts/profile.html", user=user)
