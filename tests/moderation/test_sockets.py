"""Moderation live: room and thread readers see locks, pins, moves and hidden posts as they
happen; a muted person's socket reply is refused."""

from forum.discussion import services
from forum.moderation import services as moderation
from forum.realtime import events
from tests.conftest import PASSWORD, room_by_slug, room_of, run


def joined(connect, client, **stream):
    sock = connect(client)
    ack = sock.emit(events.JOIN, stream)
    assert "error" not in ack, ack
    sock.get_received()
    return sock


def test_a_muted_persons_socket_reply_is_refused(app, connect, thread, jan, amb13):
    run(moderation.mute, amb13, room_of("XIII").id, jan.id, 60, "Spam")
    client = app.test_client()
    client.post("/login", data={"email": jan.email, "password": PASSWORD})
    sock = joined(connect, client, thread_id=thread.id)
    ack = sock.emit(events.POST_REPLY, {"thread_id": thread.id, "body": "Dalej piszę"})
    assert ack["error"]["code"] == "muted" and ack["error"]["message"]


def test_lock_and_pin_reach_the_room_and_the_thread_live(app, connect, thread, amb13):
    room_sock = joined(connect, app.test_client(), room_id=room_of("XIII").id)
    thread_sock = joined(connect, app.test_client(), thread_id=thread.id)
    run(moderation.lock_thread, amb13, thread.id, "Koniec")
    run(moderation.pin_thread, amb13, thread.id)
    for sock in (room_sock, thread_sock):
        updates = sock.received_named(events.THREAD_UPDATED)
        assert [(u["thread"]["status"], u["thread"]["pinned"]) for u in updates] == [
            ("locked", False),
            ("locked", True),
        ]


def test_a_move_leaves_the_old_room_and_arrives_in_the_new(app, connect, thread, amb13):
    zablocie = room_by_slug("zablocie")
    old_room = joined(connect, app.test_client(), room_id=room_of("XIII").id)
    new_room = joined(connect, app.test_client(), room_id=zablocie.id)
    thread_sock = joined(connect, app.test_client(), thread_id=thread.id)
    run(moderation.move_thread, amb13, thread.id, zablocie.id)
    [left] = old_room.received_named(events.THREAD_UPDATED)
    assert left["thread"]["room_id"] == zablocie.id
    [arrived] = new_room.received_named(events.THREAD_CREATED)
    assert arrived["thread"]["id"] == thread.id
    [moved] = thread_sock.received_named(events.THREAD_UPDATED)
    assert moved["thread"]["room_id"] == zablocie.id


def test_a_hidden_post_reaches_readers_as_its_reason(app, connect, thread, reply, amb13):
    sock = joined(connect, app.test_client(), thread_id=thread.id)
    run(moderation.hide_post, amb13, reply.id, "Obelgi")
    [hidden] = sock.received_named(events.POST_HIDDEN)
    assert hidden["post"]["hidden_reason"] == "Obelgi" and hidden["post"]["body_html"] == ""


def test_catching_up_after_a_hide_gives_no_words(app, connect, thread, amb13, jan):
    secret = run(services.create_reply, jan, thread.id, "Sekretne-słowo-xyz")
    run(moderation.hide_post, amb13, secret.id, "Obelgi")
    sock = connect(app.test_client())
    ack = sock.emit(events.JOIN, {"thread_id": thread.id, "after": 0})
    assert "Sekretne-słowo-xyz" not in str(ack) and "Obelgi" in str(ack)
