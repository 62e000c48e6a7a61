"""The area tree and the rooms, read through the API."""

import pytest

from forum.areas.models import Room
from forum.discussion import services
from tests.conftest import make_member, make_user, room_of, run, update

NUMERALS = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII".split()


@pytest.fixture
def city(api):
    return api.get("/api/v1/areas").get_json()["area"]


def district_node(city: dict, number: str) -> dict:
    return next(d for d in city["children"] if d["number"] == number)


def test_the_tree_starts_at_krakow(city):
    assert (city["name"], city["kind"], city["parent_id"]) == ("Kraków", "city", None)


def test_krakow_has_18_districts_in_order(city):
    assert [d["number"] for d in city["children"]] == NUMERALS
    assert all(d["kind"] == "district" and d["parent_id"] == city["id"] for d in city["children"])


@pytest.mark.parametrize(
    ("position", "name"), [(0, "Stare Miasto"), (12, "Podgórze"), (-1, "Nowa Huta")]
)
def test_districts_have_their_names(city, position, name):
    assert city["children"][position]["name"] == name


@pytest.mark.parametrize(
    ("number", "osiedla"),
    [
        ("I", ["Kazimierz", "Kleparz", "Stradom"]),
        ("XIII", ["Stare Podgórze", "Zabłocie", "Płaszów", "Rybitwy"]),
        ("XVIII", ["Mogiła", "Branice", "Osiedle Centrum A"]),
    ],
)
def test_districts_hold_their_osiedla_in_order(city, number, osiedla):
    children = district_node(city, number)["children"]
    assert [a["name"] for a in children] == osiedla
    assert all(a["kind"] == "subarea" and a["children"] == [] for a in children)


def test_every_district_has_its_own_room(city):
    for district in city["children"]:
        names = [r["name"] for r in district["rooms"]]
        assert names == [f"{district['number']} {district['name']}"]
        assert district["rooms"][0]["track"] == "district"


@pytest.mark.parametrize(
    ("number", "osiedle", "rooms"),
    [("I", "Kazimierz", ["Kazimierz"]), ("I", "Kleparz", []), ("XIII", "Zabłocie", ["Zabłocie"])],
)
def test_some_osiedla_have_a_room_of_their_own(city, number, osiedle, rooms):
    node = next(a for a in district_node(city, number)["children"] if a["name"] == osiedle)
    assert [r["name"] for r in node["rooms"]] == rooms


def test_the_city_track_has_three_workshop_rooms(city):
    assert [r["name"][:11] for r in city["rooms"]] == ["Warsztat 1:", "Warsztat 2:", "Warsztat 3:"]
    assert {r["track"] for r in city["rooms"]} == {"city"}


def test_rooms_lists_every_public_room(api):
    rooms = api.get("/api/v1/rooms").get_json()["rooms"]
    assert len(rooms) == 18 + 5 + 3  # districts, osiedla with rooms, city workshops
    assert len({r["id"] for r in rooms}) == len(rooms)
    assert room_of("XIII").id in {r["id"] for r in rooms}


def test_a_quiet_room_has_no_activity(api):
    room = api.get(f"/api/v1/rooms/{room_of('XIII').id}").get_json()["room"]
    assert (room["thread_count"], room["post_count"], room["last_activity_at"]) == (0, 0, None)


def test_a_room_counts_its_live_threads_and_posts(api):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Ławki", "Więcej ławek")
    run(services.create_reply, anna, thread.id, "Tak")
    run(services.create_thread, anna, room_of("XIII").id, "Drzewa", "Więcej drzew")
    room = api.get(f"/api/v1/rooms/{room_of('XIII').id}").get_json()["room"]
    assert (room["thread_count"], room["post_count"]) == (2, 3)
    assert room["last_activity_at"] is not None


def test_the_rooms_of_the_tree_show_activity_too(api):
    anna = make_user("Anna")
    run(services.create_thread, anna, room_of("I").id, "Planty", "Ławki na Plantach")
    city = api.get("/api/v1/areas").get_json()["area"]
    assert district_node(city, "I")["rooms"][0]["thread_count"] == 1


@pytest.mark.parametrize("room_id", [999_999, 2**64])
def test_an_unknown_room_is_not_found(api, room_id):
    response = api.get(f"/api/v1/rooms/{room_id}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.fixture
def private_room(app):
    room = room_of("XIII")
    update(Room, room.id, is_public=False)
    return room


def test_a_private_room_is_not_found_for_a_guest(api, private_room):
    assert api.get(f"/api/v1/rooms/{private_room.id}").status_code == 404
    assert private_room.id not in {r["id"] for r in api.get("/api/v1/rooms").get_json()["rooms"]}


def test_a_private_room_is_left_out_of_the_tree_for_a_guest(api, private_room):
    city = api.get("/api/v1/areas").get_json()["area"]
    assert district_node(city, "XIII")["rooms"] == []


def test_a_member_sees_a_restricted_room_and_the_area_ambassador_does_not(api, private_room):
    api.login(make_user("Ambasador", role="ambassador", scope="XIII"))
    assert api.get(f"/api/v1/rooms/{private_room.id}").status_code == 404
    api.login(make_member(make_user("Członkini"), private_room.id))
    assert api.get(f"/api/v1/rooms/{private_room.id}").status_code == 200
    assert private_room.id in {r["id"] for r in api.get("/api/v1/rooms").get_json()["rooms"]}
