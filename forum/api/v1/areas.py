"""GET the area tree and the rooms."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.areas.schemas import AreaTreeAnswer, RoomAnswer, RoomsAnswer, area_view, room_view
from forum.areas.services import load_area_tree, room_activity
from forum.discussion.services import access_room


@operation(
    "GET",
    "/areas",
    summary="The area tree: Kraków, its 18 districts in order, their osiedla.",
    answer=AreaTreeAnswer,
)
def area_tree():
    tree = load_area_tree(current_user)
    return AreaTreeAnswer(area=area_view(tree.city, tree, current_user))


@operation("GET", "/rooms", summary="Every room the user may read.", answer=RoomsAnswer)
def rooms():
    tree = load_area_tree(current_user)
    return RoomsAnswer(
        rooms=[room_view(r, tree.activity.get(r.id), current_user) for r in tree.all_rooms]
    )


@operation(
    "GET",
    "/rooms/<int:room_id>",
    summary="One room.",
    answer=RoomAnswer,
    errors={404: ("not_found",)},
)
def room(room_id: int):
    found = access_room(current_user, room_id)
    return RoomAnswer(room=room_view(found, room_activity([found.id]).get(found.id), current_user))
