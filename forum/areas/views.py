"""The list of districts with their rooms, and room pages."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from forum.areas.services import load_area_tree, room_activity
from forum.discussion.forms import ThreadForm
from forum.discussion.services import list_threads
from forum.policy import can

bp = Blueprint("areas", __name__)


@bp.get("/")
def index():
    tree = load_area_tree()
    readable = {
        area.id: [room for room in area.rooms if can(current_user, "room.read", room)]
        for area in tree.areas
    }
    activity = room_activity(room.id for rooms in readable.values() for room in rooms)
    return render_template("areas/index.html", tree=tree, rooms=readable, activity=activity)


@bp.get("/rooms/<int:room_id>")
def room(room_id: int):
    page = request.args.get("page", 1, type=int)
    room, threads = list_threads(current_user, room_id, page=page)
    return render_template("areas/room.html", room=room, threads=threads, form=ThreadForm())
