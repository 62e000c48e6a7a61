"""The list of districts with their rooms, area pages and room pages."""

from flask import Blueprint, render_template
from flask_login import current_user

from forum.areas.services import load_area, load_area_tree
from forum.discussion import services as discussion
from forum.discussion.forms import ThreadForm
from forum.moderation import services as moderation
from forum.realtime.streams import last_seq, room_stream
from forum.web import page_number

bp = Blueprint("areas", __name__)


@bp.get("/")
def index():
    tree = load_area_tree(current_user)
    return render_template("areas/index.html", tree=tree, rooms=tree.rooms, activity=tree.activity)


@bp.get("/areas/<int:area_id>")
def area(area_id: int):
    return render_template("areas/area.html", page=load_area(current_user, area_id))


def render_room(room_id: int, form: ThreadForm, page: int = 1, status: int = 200):
    seq = last_seq(room_stream(room_id))  # before the threads: a later change is caught up
    room, threads = discussion.list_threads(current_user, room_id, page=page)
    muted = moderation.muted_note(current_user, room)
    page_html = render_template(
        "areas/room.html", room=room, threads=threads, seq=seq, form=form, muted=muted
    )
    return page_html, status


@bp.get("/rooms/<int:room_id>")
def room(room_id: int):
    return render_room(room_id, ThreadForm(), page=page_number())
