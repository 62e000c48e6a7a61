"""GET /api/v1/rooms/<id>/events: the HTTP catch-up."""

import pytest

from forum.discussion import services
from tests.conftest import make_user, room_of


@pytest.fixture
def busy_room(app):
    anna = make_user("Anna")
    room_id = room_of("XIII").id
    one = services.create_thread(anna, room_id, "Jeden", "a")
    two = services.create_thread(anna, room_id, "Dwa", "b")
    services.create_reply(anna, one.id, "do jednego")
    services.create_reply(anna, two.id, "do dwóch")
    return room_id, one, two


def test_events_after_a_seq_in_order(api, busy_room):
    room_id, _one, _two = busy_room
    body = api.get(f"/api/v1/rooms/{room_id}/events?after=1").get_json()
    assert [e["data"]["seq"] for e in body["events"]] == [2, 3, 4]
    assert [e["name"] for e in body["events"]] == ["thread_created", "post_created", "post_created"]
    assert body["complete"] is True and body["last_seq"] == 4


def test_events_of_one_thread(api, busy_room):
    room_id, _one, two = busy_room
    body = api.get(f"/api/v1/rooms/{room_id}/events?after=0&thread_id={two.id}").get_json()
    assert [e["data"]["seq"] for e in body["events"]] == [2, 4]


@pytest.mark.parametrize("query", ["", "?after=-1", "?after=x", "?after=0&thread_id=0"])
def test_bad_after_is_422(api, busy_room, query):
    room_id, _one, _two = busy_room
    response = api.get(f"/api/v1/rooms/{room_id}/events{query}")
    assert response.status_code == 422


def test_unknown_room_or_thread_is_404(api, busy_room):
    room_id, _one, _two = busy_room
    assert api.get("/api/v1/rooms/999999/events?after=0").status_code == 404
    assert api.get(f"/api/v1/rooms/{room_id}/events?after=0&thread_id=999999").status_code == 404


def test_thread_of_another_room_is_404(api, busy_room):
    room_id, _one, _two = busy_room
    elsewhere = services.create_thread(make_user("Jan"), room_of("I").id, "Gdzie indziej", "c")
    response = api.get(f"/api/v1/rooms/{room_id}/events?after=0&thread_id={elsewhere.id}")
    assert response.status_code == 404
