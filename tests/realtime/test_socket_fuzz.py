"""Every client event, sent what no client should send, gets an error acknowledgement in the API's
error object (never silence, never a server error), and the socket goes on working."""

import pytest

from forum.extensions import socketio
from forum.realtime import events
from tests.conftest import PASSWORD, room_of
from tests.sockets import CheckedSocket

HUGE = "x" * 200_000


def nested(depth: int):
    value = "deep"
    for _ in range(depth):
        value = [value]
    return value


# Whole arguments no event takes: (args...) as emitted.
ODD_ARGUMENTS = [
    (),
    (None,),
    (True,),
    (0,),
    (1.5,),
    ("room:1",),
    (HUGE,),
    ("\ud800",),
    ([],),
    ([{"thread_id": 1}],),
    (nested(200),),
    ({"thread_id": 1}, {"thread_id": 1}),
]
NOT_AN_ID = ["1", 1.5, True, [], {}, -1, 0, 2**63, 2**64, 10**30, HUGE, "\ud800", nested(200)]
NOT_TEXT = [1, 1.5, True, [], {"a": "b"}, HUGE, "\ud800", "a\udfffb", nested(200)]
NOT_A_SEQ = ["1", 1.5, True, [], -1, 2**63, HUGE, nested(200)]
# Each event's fields, and what each must not take (None is a valid "left out" where optional).
FIELDS = {
    events.JOIN: {
        "thread_id": NOT_AN_ID,
        "room_id": NOT_AN_ID,
        "stream": NOT_TEXT + ["thread:0", "thread:9223372036854775808"],
        "after": NOT_A_SEQ,
    },
    events.LEAVE: {"thread_id": NOT_AN_ID, "room_id": NOT_AN_ID, "stream": NOT_TEXT},
    events.TYPING_STARTED: {"thread_id": NOT_AN_ID + [None]},
    events.POST_REPLY: {
        "thread_id": NOT_AN_ID + [None],
        "body": NOT_TEXT + [None, "", "  \n "],
        "parent_id": NOT_AN_ID,
    },
}


@pytest.fixture
def resident_socket(app, anna):
    """A socket of Anna's, on her thread (so that each valid event below succeeds)."""
    flask_client = app.test_client()
    flask_client.post("/login", data={"email": anna.email, "password": PASSWORD})
    sock = CheckedSocket(app, flask_client)
    yield sock
    if sock.is_connected():
        sock.disconnect()


def valid(event: str, thread_id: int) -> dict:
    return (
        {"thread_id": thread_id, "body": "Zgoda."}
        if event == events.POST_REPLY
        else {"thread_id": thread_id}
    )


def test_every_client_event_is_fuzzed(app):
    registered = set(socketio.server.handlers["/"])
    assert registered - {"connect", "disconnect"} == set(events.CLIENT_EVENTS) == set(FIELDS)


def assert_refused(sock, event: str, *args) -> None:
    ack = sock.emit(event, *args)  # CheckedSocket checks a refusal against ErrorAnswer
    assert isinstance(ack, dict) and "error" in ack, f"{event} {str(args)[:80]}: {str(ack)[:200]}"
    assert ack["error"]["code"] != "server_error", f"{event} {str(args)[:80]}"


@pytest.mark.parametrize("event", events.CLIENT_EVENTS)
def test_odd_arguments_get_an_error_answer_and_the_socket_goes_on(resident_socket, thread, event):
    resident_socket.emit(events.JOIN, {"thread_id": thread.id})
    for args in ODD_ARGUMENTS:
        assert_refused(resident_socket, event, *args)
    assert "error" not in resident_socket.emit(event, valid(event, thread.id))


@pytest.mark.parametrize("event", events.CLIENT_EVENTS)
def test_each_field_given_a_wrong_value_gets_an_error_answer(resident_socket, thread, event):
    resident_socket.emit(events.JOIN, {"thread_id": thread.id})
    for field, wrong_values in FIELDS[event].items():
        for wrong in wrong_values:
            payload = valid(event, thread.id)
            if field in ("room_id", "stream") and event != events.POST_REPLY:
                del payload["thread_id"]  # one stream is named at a time
            assert_refused(resident_socket, event, payload | {field: wrong})
    assert "error" not in resident_socket.emit(event, valid(event, thread.id))


def test_a_socket_still_joins_after_a_storm_of_odd_events(client, thread):
    sock = CheckedSocket(client.application, client)
    for event in events.CLIENT_EVENTS:
        for args in ODD_ARGUMENTS:
            assert_refused(sock, event, *args)
    assert sock.emit(events.JOIN, {"room_id": room_of("XIII").id})["stream"].startswith("room:")
    sock.disconnect()
