"""The admin area's pages: the area tree, rooms and their members, expert units, people and their
roles, suspensions, the audit log. Each destructive action has a confirmation page (GET) whose
form does it (POST), so it works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.admin import forms
from forum.admin import services as admin
from forum.errors import Conflict, NotFound, ValidationError
from forum.policy import ensure
from forum.schemas import id_from_text
from forum.transactions import transactional
from forum.web import page_number, show_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")
REFUSED = (ValidationError, Conflict)


@bp.before_request
def admins_only():
    """Every page here is for the admins: a guest is sent to log in, anyone else refused."""
    ensure(current_user, "admin.read", None)


def _refused(render, error, **form_of_error):
    """The page again with the service's refusal on the form that was sent."""
    for form in form_of_error.values():
        show_errors(form, error)
    page = render(**form_of_error)
    return page, error.status


@bp.get("")
def index():
    return redirect(url_for("admin.areas"))


# --- the area tree -----------------------------------------------------------------------


@bp.get("/areas")
def areas():
    tree = admin.load_areas(current_user)
    return render_template("admin/areas.html", areas=tree)


def render_area(area_id: int, name_form=None, subarea_form=None, room_form=None):
    area = admin.access_area(current_user, area_id)
    return render_template(
        "admin/area.html",
        area=area,
        name_form=name_form or forms.NameForm(name=area.name),
        subarea_form=subarea_form or forms.NameForm(prefix="subarea"),
        room_form=room_form or forms.RoomForm(prefix="room"),
    )


@bp.get("/areas/<int:area_id>")
def area(area_id: int):
    return render_area(area_id)


@bp.post("/areas/<int:area_id>/name")
@transactional
def rename_area(area_id: int):
    form = forms.NameForm()
    form.validate_on_submit()
    try:
        admin.rename_area(current_user, area_id, form.name.data)
    except REFUSED as error:
        return _refused(lambda **f: render_area(area_id, **f), error, name_form=form)
    flash(_("The area is renamed."))
    return redirect(url_for("admin.area", area_id=area_id))


@bp.post("/areas/<int:area_id>/subareas")
@transactional
def add_subarea(area_id: int):
    form = forms.NameForm(prefix="subarea")
    form.validate_on_submit()
    try:
        added = admin.add_subarea(current_user, area_id, form.name.data)
    except REFUSED as error:
        return _refused(lambda **f: render_area(area_id, **f), error, subarea_form=form)
    flash(_("The osiedle %(name)s is added.", name=added.name))
    return redirect(url_for("admin.area", area_id=added.id))


@bp.post("/areas/<int:area_id>/rooms")
@transactional
def add_room(area_id: int):
    form = forms.RoomForm(prefix="room")
    form.validate_on_submit()
    try:
        room = admin.add_room(
            current_user,
            area_id,
            form.name.data,
            form.description.data,
            public=form.visibility.data != "restricted",
        )
    except REFUSED as error:
        return _refused(lambda **f: render_area(area_id, **f), error, room_form=form)
    flash(_("The room %(name)s is added.", name=room.name))
    return redirect(url_for("admin.room", room_id=room.id))


@bp.route("/areas/<int:area_id>/archive", methods=["GET", "POST"])
@transactional
def archive_area(area_id: int):
    area = admin.access_area(current_user, area_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        admin.set_area_archived(current_user, area_id, True)
        flash(_("The area is archived."))
        return redirect(url_for("admin.area", area_id=area_id))
    return render_template(
        "admin/confirm.html",
        title=_("Archive %(name)s?", name=area.label),
        explanation=_(
            "Its rooms and those of its osiedla stay readable, but take no new threads or posts "
            "until the area is restored."
        ),
        form=form,
        button=_("Archive the area"),
        back=url_for("admin.area", area_id=area_id),
    )


@bp.post("/areas/<int:area_id>/restore")
@transactional
def restore_area(area_id: int):
    forms.ConfirmForm().validate_on_submit()
    admin.set_area_archived(current_user, area_id, False)
    flash(_("The area is restored."))
    return redirect(url_for("admin.area", area_id=area_id))


# --- rooms and their members -------------------------------------------------------------


def render_room(room_id: int, details_form=None, visibility_form=None, member_form=None):
    room, members = admin.room_members(current_user, room_id)
    query = request.args.get("q", "").strip()
    found = admin.search_users(current_user, query, per_page=10).items if query else []
    return render_template(
        "admin/room.html",
        room=room,
        members=members,
        query=query,
        found=found,
        details_form=details_form
        or forms.RoomDetailsForm(name=room.name, description=room.description),
        visibility_form=visibility_form
        or forms.VisibilityForm(visibility="public" if room.is_public else "restricted"),
        member_form=member_form or forms.EmailForm(),
        person_form=forms.PersonForm(),
    )


@bp.get("/rooms/<int:room_id>")
def room(room_id: int):
    return render_room(room_id)


@bp.post("/rooms/<int:room_id>/details")
@transactional
def rename_room(room_id: int):
    form = forms.RoomDetailsForm()
    form.validate_on_submit()
    try:
        admin.rename_room(current_user, room_id, form.name.data, form.description.data or "")
    except REFUSED as error:
        return _refused(lambda **f: render_room(room_id, **f), error, details_form=form)
    flash(_("The room is saved."))
    return redirect(url_for("admin.room", room_id=room_id))


@bp.post("/rooms/<int:room_id>/visibility")
@transactional
def room_visibility(room_id: int):
    form = forms.VisibilityForm()
    form.validate_on_submit()
    if form.visibility.data not in ("public", "restricted"):
        error = ValidationError(
            _("Some fields need correcting."), {"visibility": _("Choose who may read it.")}
        )
        return _refused(lambda **f: render_room(room_id, **f), error, visibility_form=form)
    admin.set_room_visibility(current_user, room_id, form.visibility.data == "public")
    flash(_("Who may read the room is saved."))
    return redirect(url_for("admin.room", room_id=room_id))


@bp.post("/rooms/<int:room_id>/members")
@transactional
def add_member(room_id: int):
    form = forms.EmailForm()
    form.validate_on_submit()
    try:
        _room, user = admin.add_member(current_user, room_id, email=form.email.data)
    except REFUSED as error:
        return _refused(lambda **f: render_room(room_id, **f), error, member_form=form)
    flash(_("%(name)s is a member now.", name=user.display_name))
    return redirect(url_for("admin.room", room_id=room_id))


@bp.post("/rooms/<int:room_id>/members/found")
@transactional
def add_found_member(room_id: int):
    form = forms.PersonForm()
    form.validate_on_submit()
    user_id = id_from_text(form.user_id.data)
    if user_id is None:
        raise NotFound(_("There is no such user."))
    _room, user = admin.add_member(current_user, room_id, user_id=user_id)
    flash(_("%(name)s is a member now.", name=user.display_name))
    return redirect(url_for("admin.room", room_id=room_id))


@bp.route("/rooms/<int:room_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
@transactional
def remove_member(room_id: int, user_id: int):
    room = admin.access_room(current_user, room_id)
    user = admin.access_user(current_user, user_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        admin.remove_member(current_user, room_id, user_id)
        flash(_("%(name)s is no longer a member.", name=user.display_name))
        return redirect(url_for("admin.room", room_id=room_id))
    return render_template(
        "admin/confirm.html",
        title=_("Remove %(name)s from %(room)s?", name=user.display_name, room=room.name),
        explanation=_("They can no longer read the room; an open page of it stops at once."),
        form=form,
        button=_("Remove the member"),
        back=url_for("admin.room", room_id=room_id),
    )


@bp.route("/rooms/<int:room_id>/archive", methods=["GET", "POST"])
@transactional
def archive_room(room_id: int):
    room = admin.access_room(current_user, room_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        admin.set_room_archived(current_user, room_id, True)
        flash(_("The room is archived."))
        return redirect(url_for("admin.room", room_id=room_id))
    return render_template(
        "admin/confirm.html",
        title=_("Archive %(name)s?", name=room.name),
        explanation=_(
            "The room stays readable, but takes no new threads or posts until it is restored."
        ),
        form=form,
        button=_("Archive the room"),
        back=url_for("admin.room", room_id=room_id),
    )


@bp.post("/rooms/<int:room_id>/restore")
@transactional
def restore_room(room_id: int):
    forms.ConfirmForm().validate_on_submit()
    admin.set_room_archived(current_user, room_id, False)
    flash(_("The room is restored."))
    return redirect(url_for("admin.room", room_id=room_id))


# --- expert units ------------------------------------------------------------------------


def render_units(unit_form=None):
    return render_template(
        "admin/units.html",
        units=admin.list_units(current_user),
        unit_form=unit_form or forms.UnitForm(),
    )


@bp.get("/units")
def units():
    return render_units()


@bp.post("/units")
@transactional
def add_unit():
    form = forms.UnitForm()
    form.validate_on_submit()
    try:
        unit = admin.add_unit(current_user, form.code.data, form.name.data)
    except REFUSED as error:
        return _refused(render_units, error, unit_form=form)
    flash(_("The unit %(code)s is added.", code=unit.code))
    return redirect(url_for("admin.unit", unit_id=unit.id))


def render_unit(unit_id: int, name_form=None, expert_form=None):
    unit, experts = admin.unit_experts(current_user, unit_id)
    return render_template(
        "admin/unit.html",
        unit=unit,
        experts=experts,
        name_form=name_form or forms.NameForm(name=unit.name),
        expert_form=expert_form or forms.EmailForm(),
    )


@bp.get("/units/<int:unit_id>")
def unit(unit_id: int):
    return render_unit(unit_id)


@bp.post("/units/<int:unit_id>/name")
@transactional
def rename_unit(unit_id: int):
    form = forms.NameForm()
    form.validate_on_submit()
    try:
        admin.rename_unit(current_user, unit_id, form.name.data)
    except REFUSED as error:
        return _refused(lambda **f: render_unit(unit_id, **f), error, name_form=form)
    flash(_("The unit is renamed."))
    return redirect(url_for("admin.unit", unit_id=unit_id))


@bp.post("/units/<int:unit_id>/experts")
@transactional
def add_expert(unit_id: int):
    form = forms.EmailForm()
    form.validate_on_submit()
    try:
        _unit, user = admin.add_expert(current_user, unit_id, form.email.data)
    except REFUSED as error:
        return _refused(lambda **f: render_unit(unit_id, **f), error, expert_form=form)
    flash(_("%(name)s is an expert of the unit now.", name=user.display_name))
    return redirect(url_for("admin.unit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/experts/<int:user_id>/remove", methods=["GET", "POST"])
@transactional
def remove_expert(unit_id: int, user_id: int):
    unit = admin.access_unit(current_user, unit_id)
    user = admin.access_user(current_user, user_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        admin.remove_expert(current_user, unit_id, user_id)
        flash(_("%(name)s is no longer an expert of the unit.", name=user.display_name))
        return redirect(url_for("admin.unit", unit_id=unit_id))
    return render_template(
        "admin/confirm.html",
        title=_("Remove %(name)s from %(unit)s?", name=user.display_name, unit=unit.code),
        explanation=_("They lose the unit's queue and their expert badge at once."),
        form=form,
        button=_("Remove the expert"),
        back=url_for("admin.unit", unit_id=unit_id),
    )


# --- people, their roles, suspensions ----------------------------------------------------


@bp.get("/users")
def users():
    query = request.args.get("q", "").strip()
    found = admin.search_users(current_user, query, page=page_number())
    return render_template("admin/users.html", query=query, found=found)


def _grant_form(form=None) -> forms.GrantForm:
    form = form or forms.GrantForm()
    form.area_id.choices = [("", _("— choose —"))] + [
        (str(a.id), a.label if a.kind == "district" else f"— {a.name}")
        for a in admin.assignable_areas()
    ]
    form.unit_id.choices = [("", _("— choose —"))] + [
        (str(u.id), f"{u.code}: {u.name}") for u in admin.list_units(current_user)
    ]
    return form


def render_user(user_id: int, grant_form=None):
    user = admin.access_user(current_user, user_id)
    return render_template(
        "admin/user.html",
        user=user,
        grant_form=_grant_form(grant_form),
        suspend_form=forms.SuspendForm(formdata=None),
        lift_form=forms.ConfirmForm(),
    )


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return render_user(user_id)


@bp.post("/users/<int:user_id>/roles")
@transactional
def grant_role(user_id: int):
    form = _grant_form()
    form.validate_on_submit()
    try:
        admin.grant(
            current_user,
            user_id,
            form.role.data,
            area_id=id_from_text(form.area_id.data),
            unit_id=id_from_text(form.unit_id.data),
        )
    except REFUSED as error:
        return _refused(lambda **f: render_user(user_id, **f), error, grant_form=form)
    flash(_("The role is granted."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/roles/<int:grant_id>/withdraw", methods=["GET", "POST"])
@transactional
def withdraw_role(user_id: int, grant_id: int):
    grant = admin.role_grant(current_user, user_id, grant_id)
    form = forms.WithdrawForm()
    status = 200
    if form.validate_on_submit():
        try:
            admin.withdraw(current_user, user_id, grant_id, form.message.data)
        except (ValidationError, Conflict) as error:
            show_errors(form, error)
            status = error.status
        else:
            flash(_("The role is withdrawn."))
            return redirect(url_for("admin.user", user_id=user_id))
    page = render_template(
        "admin/confirm.html",
        title=_("Withdraw this role from %(name)s?", name=grant.user.display_name),
        explanation=_(
            "They lose what the role gives them at once, open pages included. "
            "An ambassador is told, with your message if you write one."
        ),
        detail=grant,
        form=form,
        fields=[form.message],
        button=_("Withdraw the role"),
        back=url_for("admin.user", user_id=user_id),
    )
    return page, status


@bp.route("/users/<int:user_id>/suspend", methods=["GET", "POST"])
@transactional
def suspend(user_id: int):
    user = admin.access_user(current_user, user_id)
    form = forms.SuspendForm(formdata=request.form if request.method == "POST" else request.args)
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        days = None if form.duration.data == "indefinitely" else id_from_text(form.duration.data)
        if days is None and form.duration.data != "indefinitely":
            days = 0  # neither a number of days nor "until lifted": the service refuses it
        try:
            admin.suspend(current_user, user_id, days, form.reason.data)
        except (ValidationError, Conflict) as error:
            show_errors(form, error)
            status = error.status
        else:
            flash(_("%(name)s is suspended.", name=user.display_name))
            return redirect(url_for("admin.user", user_id=user_id))
    return render_template("admin/suspend.html", user=user, form=form), status


@bp.post("/users/<int:user_id>/suspension/lift")
@transactional
def lift_suspension(user_id: int):
    forms.ConfirmForm().validate_on_submit()
    user = admin.lift_suspension(current_user, user_id)
    flash(_("The suspension of %(name)s is lifted.", name=user.display_name))
    if request.form.get("back") == "suspensions":
        return redirect(url_for("admin.suspensions"))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/suspensions")
def suspensions():
    page = admin.list_suspensions(current_user, page=page_number())
    return render_template("admin/suspensions.html", page=page, lift_form=forms.ConfirmForm())


@bp.get("/audit")
def audit():
    page = admin.audit_log(current_user, page=page_number())
    return render_template("admin/audit.html", page=page)
