"""Socket.IO: connecting, joining through the policy, catch-up, presence."""

import time

import pytest

from forum import realtime
from forum.discussion import services
from forum.extensions import db, socketio
from tests.conftest import make_user, room_of


@pytest.fixture
def connect(app):
    """Open socket clients that share a Flask test client's login cookie."""
    opened = []

    def open_socket(flask_client):
        sock = socketio.test_client(app, flask_test_client=flask_client)
        opened.append(sock)
        return sock

    yield open_socket
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()


def names(sock) -> list[str]:
    return [m["name"] for m in sock.get_received()]


def wait_for(sock, name: str, seconds: float = 2.0) -> list[dict]:
    """Messages received until one called `name` arrives (bounded)."""
    received = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        received += sock.get_received()
        if any(m["name"] == name for m in received):
            return received
        time.sleep(0.01)
    raise AssertionError(f"no {name} within {seconds} s: {received}")


def test_guest_may_connect_and_join_a_public_room(client, connect):
    sock = connect(client)
    assert sock.is_connected()
    ack = sock.emit(realtime.JOIN, {"room_id": room_of("XIII").id}, callback=True)
    assert ack["channel"] == f"room:{room_of('XIII').id}"
    assert ack["events"] == [] and ack["complete"] is True


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"room_id": 999_999}, "not_found"),
        ({"thread_id": 999_999}, "not_found"),
        ({}, "invalid"),
        ({"room_id": "1"}, "invalid"),
        ({"room_id": 1, "after": -1}, "invalid"),
        ("room:1", "malformed_payload"),
    ],
)
def test_join_refuses_unknown_or_malformed(client, connect, payload, code):
    ack = connect(client).emit(realtime.JOIN, payload, callback=True)
    assert ack["error"]["code"] == code


def test_private_room_is_joined_only_through_the_policy(client, auth, connect):
    room = room_of("XIII")
    room.is_public = False
    db.session.commit()
    guest = connect(client)
    assert guest.emit(realtime.JOIN, {"room_id": room.id}, callback=True)["error"]["code"] == (
        "not_found"
    )
    auth.login(make_user("Amb", role="ambassador", scope="XIII"))
    ambassador = connect(client)
    assert "error" not in ambassador.emit(realtime.JOIN, {"room_id": room.id}, callback=True)


def test_a_client_cannot_name_a_socket_room_it_was_not_given(client, connect):
    """Only `join` puts a client in a room; there is no way to pass a room name."""
    sock = connect(client)
    anna = make_user("Anna")
    thread = services.create_thread(anna, room_of("I").id, "Wątek", "a")
    sock.emit("join_room", {"room": f"thread:{thread.id}"})
    services.create_reply(anna, thread.id, "nikt tego nie dostanie")
    assert "post_created" not in names(sock)


def test_join_with_after_catches_up_in_order_then_live(client, connect):
    anna = make_user("Anna")
    room_id = room_of("XIII").id
    thread = services.create_thread(anna, room_id, "Wątek", "Początek")
    for number in range(5):
        services.create_reply(anna, thread.id, f"Wpis {number}")
    sock = connect(client)
    ack = sock.emit(realtime.JOIN, {"room_id": room_id, "after": 2}, callback=True)
    assert [e["data"]["seq"] for e in ack["events"]] == [3, 4, 5, 6]
    assert ack["last_seq"] == 6
    services.create_reply(anna, thread.id, "Na żywo")
    live = [m for m in sock.get_received() if m["name"] == "post_created"]
    assert [m["args"][0]["seq"] for m in live] == [7]


def test_thread_join_catches_up_that_thread_only(client, connect):
    anna = make_user("Anna")
    room_id = room_of("XIII").id
    one = services.create_thread(anna, room_id, "Jeden", "a")
    two = services.create_thread(anna, room_id, "Dwa", "b")
    services.create_reply(anna, one.id, "do jednego")
    sock = connect(client)
    ack = sock.emit(realtime.JOIN, {"thread_id": two.id, "after": 0}, callback=True)
    assert ack["channel"] == f"thread:{two.id}"
    assert [e["name"] for e in ack["events"]] == ["thread_created"]
    services.create_reply(anna, one.id, "znowu do jednego")
    services.create_reply(anna, two.id, "do dwóch")
    live = [m["args"][0] for m in sock.get_received() if m["name"] == "post_created"]
    assert [event["post"]["body_source"] for event in live] == ["do dwóch"]


def test_leave_stops_events(client, connect):
    anna = make_user("Anna")
    thread = services.create_thread(anna, room_of("XIII").id, "Wątek", "a")
    sock = connect(client)
    sock.emit(realtime.JOIN, {"thread_id": thread.id}, callback=True)
    assert sock.emit(realtime.LEAVE, {"thread_id": thread.id}, callback=True)["channel"]
    services.create_reply(anna, thread.id, "po wyjściu")
    assert "post_created" not in names(sock)


def test_presence_counts_people_and_guests(app, client, auth, connect):
    room_id = room_of("XIII").id
    guest = connect(app.test_client())
    guest.emit(realtime.JOIN, {"room_id": room_id}, callback=True)
    auth.login(make_user("Anna"))
    anna = connect(client)
    ack = anna.emit(realtime.JOIN, {"room_id": room_id}, callback=True)
    assert ack["presence"]["count"] == 2 and ack["presence"]["guests"] == 1
    assert [u["display_name"] for u in ack["presence"]["users"]] == ["Anna"]
    update = [m for m in wait_for(guest, "presence") if m["name"] == "presence"][-1]["args"][0]
    assert update["count"] == 2 and update["users"][0]["display_name"] == "Anna"
    anna.disconnect()
    received = wait_for(guest, "presence")
    update = [m for m in received if m["name"] == "presence"][-1]["args"][0]
    assert update["count"] == 1 and update["users"] == []


def test_presence_updates_are_coalesced(app, connect):
    app.extensions["presence"].interval = 0.2
    room_id = room_of("XIII").id
    watcher = connect(app.test_client())
    watcher.emit(realtime.JOIN, {"room_id": room_id}, callback=True)
    for _ in range(10):
        connect(app.test_client()).emit(realtime.JOIN, {"room_id": room_id}, callback=True)
    received = wait_for(watcher, "presence")
    time.sleep(0.3)
    received += watcher.get_received()
    updates = [m["args"][0] for m in received if m["name"] == "presence"]
    assert len(updates) <= 2
    assert updates[-1]["count"] == 11
