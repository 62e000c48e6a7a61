"""GET the area tree and the rooms."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from forum import realtime, serialize
from forum.api.v1.base import bp, query_number
from forum.areas.services import load_area_tree, room_activity
from forum.discussion.services import access_room, access_thread
from forum.errors import NotFound


@bp.get("/areas")
def area_tree():
    tree = load_area_tree(current_user)

    def node(area):
        return serialize.area(
            area,
            children=[node(child) for child in tree.children_of(area)],
            rooms=[serialize.room(r, tree.activity.get(r.id)) for r in tree.rooms[area.id]],
        )

    return jsonify({"area": node(tree.city)})


@bp.get("/rooms")
def rooms():
    tree = load_area_tree(current_user)
    return jsonify({"rooms": [serialize.room(r, tree.activity.get(r.id)) for r in tree.all_rooms]})


@bp.get("/rooms/<int:room_id>")
def room(room_id: int):
    found = access_room(current_user, room_id)
    activity = room_activity([found.id]).get(found.id)
    return jsonify({"room": serialize.room(found, activity)})


@bp.get("/rooms/<int:room_id>/events")
def room_events(room_id: int):
    """The HTTP twin of joining with `after`: every logged event since a seq, in order."""
    found = access_room(current_user, room_id)
    after = query_number("after", required=True)
    thread_id = query_number("thread_id", low=1)
    if thread_id is not None and access_thread(current_user, thread_id).room_id != found.id:
        raise NotFound(_("There is no such thread in this room."))
    events, complete = realtime.events_after(found.id, after, thread_id)
    return jsonify({"events": events, "complete": complete, "last_seq": found.last_event_seq})
