"""The list of districts with their rooms, and room pages."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from forum.areas.services import load_area_tree
from forum.discussion.forms import ThreadForm
from forum.discussion.services import list_threads

bp = Blueprint("areas", __name__)


@bp.get("/")
def index():
    tree = load_area_tree(current_user)
    return render_template("areas/index.html", tree=tree, rooms=tree.rooms, activity=tree.activity)


@bp.get("/rooms/<int:room_id>")
def room(room_id: int):
    page = request.args.get("page", 1, type=int)
    room, threads = list_threads(current_user, room_id, page=page)
    return render_template("areas/room.html", room=room, threads=threads, form=ThreadForm())
