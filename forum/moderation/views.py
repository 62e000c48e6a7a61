"""Moderation pages: each destructive action's confirmation page (it works without JavaScript),
the buttons of the others, who is muted in a room, and the public moderation logs."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.discussion.services import access_post
from forum.errors import Conflict, ValidationError
from forum.moderation import services
from forum.moderation.forms import ActionForm, HideForm, MoveForm, MuteForm, ReasonForm
from forum.moderation.schemas import entry_view
from forum.policy import ensure
from forum.schemas import id_from_text
from forum.transactions import transactional
from forum.web import local_url, page_number, show_errors

bp = Blueprint("moderation", __name__)


def _thread_url(thread_id: int, post_id: int | None = None) -> str:
    """The thread, or the post (/posts/<id> opens the thread's slice that holds it)."""
    if post_id:
        return url_for("discussion.post", post_id=post_id)
    return url_for("discussion.thread", thread_id=thread_id)


def _confirm(form, page: Callable[[], str], act: Callable[[], str]):
    """Show the confirmation page; once sent, act (which answers with where to go next), or show
    the page again with what is wrong."""
    if form.validate_on_submit():
        try:
            return redirect(act())
        except (ValidationError, Conflict) as error:
            show_errors(form, error)
            return page(), error.status
    return page(), 422 if form.errors else 200


def _button(act: Callable[[], str]):
    """A one-click action: done and back, or back with the refusal said."""
    ActionForm().validate_on_submit()
    try:
        return redirect(act())
    except Conflict as error:
        flash(error.message, "error")
        return redirect(local_url(request.referrer)), 303


# --- posts -----------------------------------------------------------------------------------


@bp.route("/posts/<int:post_id>/hide", methods=["GET", "POST"])
@transactional
def hide_post(post_id: int):
    post = access_post(current_user, post_id)
    ensure(current_user, "post.hide", post)
    form = HideForm()

    def act():
        services.hide_post(current_user, post_id, form.reason.data)
        flash(_("The post is hidden."))
        return _thread_url(post.thread_id, post.id)

    return _confirm(
        form, lambda: render_template("moderation/hide.html", post=post, form=form), act
    )


@bp.post("/posts/<int:post_id>/restore")
@transactional
def restore_post(post_id: int):
    def act():
        post = services.restore_post(current_user, post_id)
        flash(_("The post is shown again."))
        return _thread_url(post.thread_id, post.id)

    return _button(act)


# --- threads ---------------------------------------------------------------------------------


@bp.route("/threads/<int:thread_id>/lock", methods=["GET", "POST"])
@transactional
def lock_thread(thread_id: int):
    thread = services.access_thread_to_moderate(current_user, thread_id)
    form = ReasonForm()

    def act():
        services.lock_thread(current_user, thread_id, form.reason.data)
        flash(_("The thread is locked."))
        return _thread_url(thread_id)

    return _confirm(
        form, lambda: render_template("moderation/lock.html", thread=thread, form=form), act
    )


def _thread_button(thread_id: int, service, done: str):
    def act():
        service(current_user, thread_id)
        flash(done)
        return _thread_url(thread_id)

    return _button(act)


@bp.post("/threads/<int:thread_id>/unlock")
@transactional
def unlock_thread(thread_id: int):
    return _thread_button(thread_id, services.unlock_thread, _("The thread is open again."))


@bp.post("/threads/<int:thread_id>/pin")
@transactional
def pin_thread(thread_id: int):
    return _thread_button(thread_id, services.pin_thread, _("The thread is pinned."))


@bp.post("/threads/<int:thread_id>/unpin")
@transactional
def unpin_thread(thread_id: int):
    return _thread_button(thread_id, services.unpin_thread, _("The thread is no longer pinned."))


@bp.route("/threads/<int:thread_id>/move", methods=["GET", "POST"])
@transactional
def move_thread(thread_id: int):
    thread = services.access_thread_to_moderate(current_user, thread_id)
    rooms = services.move_destinations(current_user, thread)
    form = MoveForm()
    form.room_id.choices = [("", _("Choose a room"))] + [
        (str(room.id), f"{room.area.label}: {room.name}") for room in rooms
    ]

    def act():
        room_id = id_from_text(form.room_id.data)
        if room_id is None:
            raise ValidationError(
                _("Some fields need correcting."), {"room_id": _("Choose a room.")}
            )
        services.move_thread(current_user, thread_id, room_id, form.reason.data)
        flash(_("The thread was moved."))
        return _thread_url(thread_id)

    def page():
        return render_template("moderation/move.html", thread=thread, rooms=rooms, form=form)

    return _confirm(form, page, act)


# --- people in a room ------------------------------------------------------------------------


@bp.get("/rooms/<int:room_id>/mutes")
def room_mutes(room_id: int):
    room, mutes = services.room_mutes(current_user, room_id, page=page_number())
    return render_template("moderation/mutes.html", room=room, mutes=mutes, form=ActionForm())


@bp.route("/rooms/<int:room_id>/mutes/new", methods=["GET", "POST"])
@transactional
def mute(room_id: int):
    room = services.access_room_to_moderate(current_user, room_id)
    form = MuteForm(user_id=request.args.get("user_id"))
    person = services.access_person(id_from_text(form.user_id.data) or 0)

    def act():
        minutes = id_from_text(form.minutes.data)
        if minutes is None:
            raise ValidationError(
                _("Some fields need correcting."), {"minutes": _("Choose how long.")}
            )
        services.mute(current_user, room_id, person.id, minutes, form.reason.data)
        flash(_("%(name)s is muted in this room.", name=person.display_name))
        return url_for("moderation.room_mutes", room_id=room_id)

    def page():
        return render_template("moderation/mute.html", room=room, person=person, form=form)

    return _confirm(form, page, act)


@bp.post("/mutes/<int:mute_id>/lift")
@transactional
def unmute(mute_id: int):
    def act():
        lifted = services.unmute(current_user, mute_id)
        flash(_("%(name)s may write in this room again.", name=lifted.user.display_name))
        return url_for("moderation.room_mutes", room_id=lifted.room_id)

    return _button(act)


# --- the public log --------------------------------------------------------------------------


@bp.get("/rooms/<int:room_id>/moderation-log")
def room_log(room_id: int):
    room, entries = services.room_log(current_user, room_id, page=page_number())
    return _render_log(room, room.area, entries)


@bp.get("/areas/<int:area_id>/moderation-log")
def area_log(area_id: int):
    area, entries = services.area_log(current_user, area_id, page=page_number())
    return _render_log(None, area, entries)


def _render_log(room, area, entries):
    return render_template(
        "moderation/log.html", room=room, area=area, entries=entries, entry_view=entry_view
    )
