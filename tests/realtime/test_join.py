"""Joining a thread's stream: decided by the policy on the thread's facts (one statement of
columns, forum/discussion/facts.py) exactly as on the thread itself, in few statements."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from forum.areas.models import Area, Room
from forum.discussion.models import Thread
from forum.extensions import db, utcnow
from forum.moderation.services import mute
from forum.policy import can, decide
from forum.realtime import events
from tests.conftest import (
    actor,
    app_context,
    make_member,
    make_user,
    room_of,
    run,
    update,
)
from tests.realtime.test_sockets import logged_in

# What is changed about the thread, its room or its room's area before joining.
SITUATIONS = {
    "open": {},
    "locked": {Thread: {"status": "locked"}},
    "deleted": {Thread: {"deleted_at": utcnow()}},
    "room archived": {Room: {"archived_at": utcnow()}},
    "area archived": {Area: {"archived_at": utcnow()}},
    "room restricted": {Room: {"is_public": False}},
    "restricted and locked": {Room: {"is_public": False}, Thread: {"status": "locked"}},
}


@pytest.mark.parametrize("situation", SITUATIONS)
def test_a_thread_join_is_decided_as_the_policy_decides_on_the_thread(
    app, client, connect, anna, thread, situation
):
    room = room_of("XIII")
    admin = make_user("Koordynatorka", role="admin")
    viewers = {
        "guest": None,
        "author": anna,
        "ambassador here": make_user("Amb", role="ambassador", scope="XIII"),
        "ambassador elsewhere": make_user("Amb2", role="ambassador", scope="I"),
        "admin": admin,
        "member": make_member(make_user("Członek"), room.id),
        "muted": make_user("Wyciszony"),
    }
    run(mute, admin, room.id, viewers["muted"].id, 60, "test")
    for model, values in SITUATIONS[situation].items():
        target = {Thread: thread.id, Room: room.id, Area: room.area_id}[model]
        update(model, target, **values)
    for name, user in viewers.items():
        with app_context():
            orm_thread = db.session.get(Thread, thread.id)
            may_read = bool(decide(actor(user), "thread.read", orm_thread))
            may_reply = can(actor(user), "post.reply", orm_thread)
        sock = connect(client if user is None else logged_in(app, user))
        ack = sock.emit(events.JOIN, {"thread_id": thread.id})
        if may_read:
            assert ack.get("can_reply") is may_reply, (situation, name, ack)
        else:
            assert ack["error"]["code"] == "not_found", (situation, name, ack)


def test_a_thread_one_may_not_read_is_refused_in_the_words_of_a_missing_thread(
    client, connect, thread
):
    update(Room, room_of("XIII").id, is_public=False)
    sock = connect(client)
    refused = sock.emit(events.JOIN, {"thread_id": thread.id})["error"]
    missing = sock.emit(events.JOIN, {"thread_id": 999_999})["error"]
    assert refused == missing and refused["code"] == "not_found"


@pytest.fixture
def statements(app):
    """The SQL statements run while the test looks (a list, cleared by the test as it goes)."""
    with app_context():
        engine = db.engine
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_a_guest_joins_a_thread_in_two_statements(client, connect, thread, statements):
    """The thread's facts, and the stream's last seq (after joining the room)."""
    client.get(f"/threads/{thread.id}")  # a browser has the page's session cookie
    sock = connect(client)
    statements.clear()
    ack = sock.emit(events.JOIN, {"thread_id": thread.id})
    assert "error" not in ack
    assert len(statements) == 2, statements
    statements.clear()
    assert "error" not in sock.emit(events.JOIN, {"thread_id": thread.id, "after": ack["last_seq"]})
    assert len(statements) == 2, statements


def test_a_logged_in_join_adds_one_statement_the_login_check(
    app, connect, anna, thread, statements
):
    """Every event checks the login against the server's live logins (revocable sessions): one
    statement (login, person, grants, mutes), then the guest's two."""
    sock = connect(logged_in(app, anna))
    statements.clear()
    assert sock.emit(events.JOIN, {"thread_id": thread.id})["can_reply"] is True
    assert len(statements) == 3, statements
    assert "user_session" in statements[0]


def test_a_mute_that_ended_no_longer_stops_replies_on_a_join(app, connect, anna, thread):
    """The mute is read with the login on every event: once it ends, a join may reply again."""
    admin = make_user("Koordynatorka", role="admin")
    run(mute, admin, room_of("XIII").id, anna.id, 60, "test")
    sock = connect(logged_in(app, anna))
    assert sock.emit(events.JOIN, {"thread_id": thread.id})["can_reply"] is False
    with app_context():
        from forum.moderation.models import Mute

        mute_id = db.session.scalars(db.select(Mute.id).where(Mute.user_id == anna.id)).one()
    update(Mute, mute_id, until=utcnow() - timedelta(minutes=1))
    assert sock.emit(events.JOIN, {"thread_id": thread.id})["can_reply"] is True


def test_later_events_reuse_the_connections_session_yet_check_the_login(app, connect, anna):
    """From its second event on, a socket's session is the one kept for the connection (not
    the cookie decoded again); its login is still checked on every event: once it ends, even a
    socket the server did not close is refused what the login gave it."""
    browser = logged_in(app, anna)
    sock = connect(browser)
    own = {"stream": f"user:{anna.id}"}
    assert sock.emit(events.JOIN, own)["stream"] == own["stream"]
    assert sock.emit(events.JOIN, own)["stream"] == own["stream"]
    connections = app.extensions["connections"]
    sid = next(c.sid for c in connections.of_users([anna.id]))
    connections.disconnect(sid)  # this worker forgets it, as another worker would not know it
    assert browser.post("/logout").status_code == 302
    assert sock.is_connected()
    assert sock.emit(events.JOIN, own)["error"]["code"] == "not_authenticated"


def test_a_socket_event_opens_no_session_from_the_cookie_after_the_first(
    app, client, connect, thread, monkeypatch
):
    from flask.sessions import SecureCookieSessionInterface

    client.get(f"/threads/{thread.id}")
    sock = connect(client)  # the connection's first event opens it from the cookie
    opened = []
    original = SecureCookieSessionInterface.open_session
    monkeypatch.setattr(
        SecureCookieSessionInterface,
        "open_session",
        lambda self, app_, request: opened.append(1) or original(self, app_, request),
    )
    for _ in range(3):
        assert "error" not in sock.emit(events.JOIN, {"thread_id": thread.id})
    assert opened == []
    assert client.get(f"/threads/{thread.id}").status_code == 200
    assert opened == [1]  # pages still open theirs
