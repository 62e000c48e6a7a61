"""Socket.IO in a thread: replying with an acknowledgement, and "X is writing…"."""

import pytest

from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.realtime import events as realtime
from tests.conftest import count, get, make_user, room_of, run, update
from tests.sockets import CheckedSocket


@pytest.fixture
def thread(app):
    return run(
        services.create_thread, make_user("Autorka"), room_of("XIII").id, "Wątek", "Początek"
    )


@pytest.fixture
def socket_for(app):
    opened = []

    def open_socket(flask_client, thread=None):
        sock = CheckedSocket(app, flask_client)
        opened.append(sock)
        if thread is not None:
            sock.emit(realtime.JOIN, {"thread_id": thread.id}, callback=True)
            sock.get_received()
        return sock

    yield open_socket
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()


def post_count() -> int:
    return count(Post)


def test_reply_over_the_socket_acks_the_new_post_and_reaches_the_thread(
    app, client, auth, socket_for, thread
):
    watcher = socket_for(app.test_client(), thread)
    auth.login(make_user("Jan"))
    sock = socket_for(client, thread)
    ack = sock.emit(realtime.POST_REPLY, {"thread_id": thread.id, "body": "Hej"}, callback=True)
    post = get(Post, ack["post_id"])
    assert post.body_source == "Hej" and post.depth == 1
    assert ack["post"]["id"] == post.id and ack["post"]["can_edit"] is True
    created = watcher.received_named("post_created")
    assert created[0]["post"]["id"] == post.id and created[0]["seq"] == 1
    assert created[0]["post"]["can_edit"] is False  # live: as a guest sees it


def test_reply_to_a_reply_over_the_socket_nests(client, auth, socket_for, thread):
    auth.login(make_user("Jan"))
    sock = socket_for(client)
    first = sock.emit(realtime.POST_REPLY, {"thread_id": thread.id, "body": "1"}, callback=True)
    second = sock.emit(
        realtime.POST_REPLY,
        {"thread_id": thread.id, "body": "2", "parent_id": first["post_id"]},
        callback=True,
    )
    assert get(Post, second["post_id"]).parent_id == first["post_id"]


@pytest.mark.parametrize(
    ("payload", "status_code"),
    [
        ({"body": ""}, "invalid"),
        ({"body": 5}, "invalid"),
        ({"body": "x", "parent_id": 999_999}, "invalid"),
        ({"body": "x", "parent_id": "1"}, "invalid"),
    ],
)
def test_bad_reply_gets_the_api_error_and_writes_nothing(
    client, auth, socket_for, thread, payload, status_code
):
    auth.login(make_user("Jan"))
    ack = socket_for(client).emit(
        realtime.POST_REPLY, {"thread_id": thread.id} | payload, callback=True
    )
    assert ack["error"]["code"] == status_code
    assert ack["error"]["fields"]
    assert post_count() == 1


def test_guest_reply_is_not_authenticated(client, socket_for, thread):
    ack = socket_for(client).emit(
        realtime.POST_REPLY, {"thread_id": thread.id, "body": "x"}, callback=True
    )
    assert ack["error"]["code"] == "not_authenticated"
    assert post_count() == 1


def test_reply_to_locked_thread_over_the_socket_is_a_conflict(client, auth, socket_for, thread):
    update(Thread, thread.id, status="locked")
    auth.login(make_user("Jan"))
    ack = socket_for(client).emit(
        realtime.POST_REPLY, {"thread_id": thread.id, "body": "x"}, callback=True
    )
    assert ack["error"]["code"] == "thread_locked"


def test_socket_replies_share_the_rate_limit(app, client, auth, socket_for, thread):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_REPLY="2/minute")
    jan = make_user("Jan")
    run(services.create_reply, jan, thread.id, "przez formularz")
    auth.login(jan)
    sock = socket_for(client)
    ok = sock.emit(realtime.POST_REPLY, {"thread_id": thread.id, "body": "1"}, callback=True)
    limited = sock.emit(realtime.POST_REPLY, {"thread_id": thread.id, "body": "2"}, callback=True)
    assert "post_id" in ok
    assert limited["error"]["code"] == "rate_limited"


def test_typing_reaches_others_in_the_thread_and_is_throttled(
    app, client, auth, socket_for, thread
):
    watcher = socket_for(app.test_client(), thread)
    auth.login(make_user("Jan"))
    sock = socket_for(client, thread)
    first = sock.emit(realtime.TYPING_STARTED, {"thread_id": thread.id}, callback=True)
    second = sock.emit(realtime.TYPING_STARTED, {"thread_id": thread.id}, callback=True)
    assert first == {"sent": True} and second == {"sent": False}
    typing = watcher.received_named("typing")
    assert typing == [
        {
            "stream": f"thread:{thread.id}",
            "user": {"id": typing[0]["user"]["id"], "display_name": "Jan"},
        }
    ]
    assert not sock.received_named("typing")


def test_typing_needs_an_account_and_a_joined_thread(client, auth, socket_for, thread):
    guest = socket_for(client, thread)
    ack = guest.emit(realtime.TYPING_STARTED, {"thread_id": thread.id}, callback=True)
    assert ack["error"]["code"] == "not_authenticated"
    auth.login(make_user("Jan"))
    outsider = socket_for(client)
    ack = outsider.emit(realtime.TYPING_STARTED, {"thread_id": thread.id}, callback=True)
    assert ack["error"]["code"] == "forbidden"
