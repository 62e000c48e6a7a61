"""Published events: numbered per room, logged with the write, sent only after commit."""

import pytest
from sqlalchemy import func, select

from forum import realtime
from forum.areas.models import RoomEvent
from forum.discussion import services
from forum.errors import ValidationError
from forum.extensions import db, socketio
from tests.conftest import make_user, room_of


@pytest.fixture
def listener(app, client):
    """A socket client following the XIII Podgórze room."""
    sock = socketio.test_client(app, flask_test_client=client)
    ack = sock.emit(realtime.JOIN, {"room_id": room_of("XIII").id}, callback=True)
    assert ack["channel"] == f"room:{room_of('XIII').id}"
    sock.get_received()
    yield sock
    sock.disconnect()


def published(sock) -> list[dict]:
    return [m for m in sock.get_received() if m["name"] in realtime.PUBLISHED]


def test_writes_publish_numbered_events_in_order(listener):
    anna = make_user("Anna")
    thread = services.create_thread(anna, room_of("XIII").id, "Wątek", "Początek")
    reply = services.create_reply(anna, thread.id, "Odpowiedź")
    services.edit_post(anna, reply.id, "Poprawiona")
    services.delete_post(anna, reply.id)
    events = published(listener)
    assert [e["name"] for e in events] == [
        "thread_created",
        "post_created",
        "post_updated",
        "post_deleted",
    ]
    seqs = [e["args"][0]["seq"] for e in events]
    assert seqs == [1, 2, 3, 4]
    assert [e["args"][0]["thread_prev_seq"] for e in events] == [0, 1, 2, 3]
    assert events[1]["args"][0]["post"]["body_source"] == "Odpowiedź"
    assert events[3]["args"][0]["post"]["deleted"] is True


def test_event_log_matches_what_was_sent(listener):
    anna = make_user("Anna")
    thread = services.create_thread(anna, room_of("XIII").id, "Wątek", "Początek")
    services.create_reply(anna, thread.id, "Odpowiedź")
    sent = [e["args"][0] for e in published(listener)]
    logged, complete = realtime.events_after(room_of("XIII").id, 0)
    assert complete
    assert [event["data"] for event in logged] == sent


def test_sequences_are_per_room(app):
    anna = make_user("Anna")
    services.create_thread(anna, room_of("XIII").id, "W XIII", "a")
    services.create_thread(anna, room_of("I").id, "W I", "b")
    assert room_of("XIII").last_event_seq == 1
    assert room_of("I").last_event_seq == 1


def test_rolled_back_write_emits_nothing_and_logs_nothing(listener):
    anna = make_user("Anna")
    thread = services.create_thread(anna, room_of("XIII").id, "Wątek", "Początek")
    listener.get_received()
    realtime.publish(realtime.THREAD_UPDATED, thread.room_id, {"thread": {}}, thread)
    db.session.rollback()
    assert published(listener) == []
    assert db.session.scalar(select(func.count(RoomEvent.id))) == 1
    assert room_of("XIII").last_event_seq == 1


def test_refused_write_emits_nothing(listener):
    anna = make_user("Anna")
    with pytest.raises(ValidationError):
        services.create_thread(anna, room_of("XIII").id, "", "")
    assert published(listener) == []


def test_failed_commit_emits_nothing(listener):
    anna = make_user("Anna")
    thread = services.create_thread(anna, room_of("XIII").id, "Wątek", "Początek")
    listener.get_received()
    realtime.publish(realtime.THREAD_UPDATED, thread.room_id, {"thread": {}}, thread)
    # A second event with the same seq breaks the unique (room, seq) constraint at commit.
    db.session.add(RoomEvent(room_id=thread.room_id, seq=2, name="x", payload={}))
    with pytest.raises(Exception):  # noqa: B017 (the driver's IntegrityError)
        db.session.commit()
    db.session.rollback()
    assert published(listener) == []


def test_undeclared_payload_field_is_an_error(app):
    with pytest.raises(TypeError):
        realtime.publish(realtime.POST_CREATED, room_of("XIII").id, {"post": {}, "extra": 1})


def test_signals_are_not_published(app):
    with pytest.raises(ValueError):
        realtime.publish(realtime.TYPING, room_of("XIII").id, {"thread_id": 1, "user": {}})


def test_catch_up_is_limited_and_says_so(app, monkeypatch):
    monkeypatch.setattr(realtime, "CATCH_UP_LIMIT", 3)
    anna = make_user("Anna")
    thread = services.create_thread(anna, room_of("XIII").id, "Wątek", "Początek")
    for number in range(4):
        services.create_reply(anna, thread.id, f"Wpis {number}")
    first, complete = realtime.events_after(thread.room_id, 0)
    assert [e["data"]["seq"] for e in first] == [1, 2, 3] and not complete
    rest, complete = realtime.events_after(thread.room_id, 3)
    assert [e["data"]["seq"] for e in rest] == [4, 5] and complete


def test_thread_catch_up_has_only_that_thread(app):
    anna = make_user("Anna")
    room_id = room_of("XIII").id
    one = services.create_thread(anna, room_id, "Jeden", "a")
    two = services.create_thread(anna, room_id, "Dwa", "b")
    services.create_reply(anna, one.id, "do jednego")
    services.create_reply(anna, two.id, "do dwóch")
    events, _complete = realtime.events_after(room_id, 0, thread_id=two.id)
    assert [e["data"]["seq"] for e in events] == [2, 4]
    assert events[1]["data"]["thread_prev_seq"] == 2
