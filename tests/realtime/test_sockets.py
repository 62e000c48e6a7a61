"""Socket.IO: joining streams through the policy, catch-up, presence, and rights that change
under an open socket (logout, a withdrawn role, a room closed)."""

import pytest

from forum.accounts import services as accounts
from forum.accounts.models import RoleGrant
from forum.admin.services import set_room_visibility
from forum.discussion import services
from forum.extensions import db
from forum.realtime import events
from tests.conftest import (
    PASSWORD,
    app_context,
    make_member,
    make_user,
    room_by_slug,
    room_of,
    run,
    wait_until,
)


def logged_in(app, user):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


def published(sock) -> list[dict]:
    return [m for m in sock.get_received() if m["name"] in events.EVENTS]


def test_a_guest_may_connect_and_join_a_public_room(client, connect):
    ack = connect(client).emit(events.JOIN, {"room_id": room_of("XIII").id})
    assert ack["stream"] == f"room:{room_of('XIII').id}"
    assert ack["events"] == [] and ack["complete"] and not ack["reload"]


@pytest.mark.parametrize("form", ["stream", "thread_id"])
def test_a_thread_is_joined_by_name_or_id(client, connect, anna, thread, form):
    asked = {"stream": f"thread:{thread.id}"} if form == "stream" else {"thread_id": thread.id}
    ack = connect(client).emit(events.JOIN, asked)
    assert ack["stream"] == f"thread:{thread.id}"
    assert ack["can_reply"] is False  # a guest


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"room_id": 999_999}, "not_found"),
        ({"thread_id": 999_999}, "not_found"),
        ({"stream": "user:999999"}, "not_found"),
        ({"stream": "unit:1"}, "not_authenticated"),
        ({}, "invalid"),
        ({"room_id": 1, "thread_id": 1}, "invalid"),
        ({"room_id": "1"}, "invalid"),
        ({"stream": "room:01"}, "invalid"),
        ({"stream": "session:1"}, "invalid"),
        ({"stream": "thread:9999999999999999999"}, "invalid"),
        ({"room_id": 1, "after": -1}, "invalid"),
        ("room:1", "malformed_payload"),
    ],
)
def test_join_refuses_the_unknown_and_the_malformed(client, connect, payload, code):
    ack = connect(client).emit(events.JOIN, payload)
    assert ack["error"]["code"] == code


@pytest.mark.parametrize(
    "name", [events.JOIN, events.LEAVE, events.POST_REPLY, events.TYPING_STARTED]
)
def test_every_event_sent_without_data_gets_an_error_answer(client, connect, name):
    ack = connect(client).emit(name)
    assert ack["error"]["code"] == "malformed_payload"


def test_a_private_room_is_joined_only_through_the_policy(app, client, connect):
    with app_context():
        run(lambda _actor: set_room_visibility(None, room_of("XIII").id, False), None)
    assert connect(client).emit(events.JOIN, {"room_id": room_of("XIII").id})["error"]["code"] == (
        "not_found"
    )
    ambassador = logged_in(app, make_user("Amb", role="ambassador", scope="XIII"))
    assert connect(ambassador).emit(events.JOIN, {"room_id": room_of("XIII").id})["error"]
    member = logged_in(app, make_member(make_user("Członek"), room_of("XIII").id))
    assert "error" not in connect(member).emit(events.JOIN, {"room_id": room_of("XIII").id})


def test_a_person_stream_is_theirs_alone(app, connect, anna, jan):
    mine = connect(logged_in(app, anna)).emit(events.JOIN, {"stream": f"user:{anna.id}"})
    theirs = connect(logged_in(app, anna)).emit(events.JOIN, {"stream": f"user:{jan.id}"})
    assert mine["stream"] == f"user:{anna.id}" and mine["presence"] is None
    assert theirs["error"]["code"] == "not_found"


def test_a_unit_queue_is_for_its_experts_and_admins(app, connect):
    with app_context():
        from forum.accounts.models import ExpertUnit

        zzm = db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZZM")).one().id
    expert = connect(logged_in(app, make_user("Ewa", role="expert", scope="ZZM")))
    other = connect(logged_in(app, make_user("Olek", role="expert", scope="ZDMK")))
    admin = connect(logged_in(app, make_user("Koordynatorka", role="admin")))
    assert expert.emit(events.JOIN, {"stream": f"unit:{zzm}"})["stream"] == f"unit:{zzm}"
    assert admin.emit(events.JOIN, {"stream": f"unit:{zzm}"})["stream"] == f"unit:{zzm}"
    assert other.emit(events.JOIN, {"stream": f"unit:{zzm}"})["error"]["code"] == "forbidden"


def test_a_client_cannot_name_a_socket_room_it_was_not_given(client, connect, anna):
    sock = connect(client)
    thread = run(services.create_thread, anna, room_of("I").id, "Wątek", "a")
    sock.emit("join_room", {"room": f"thread:{thread.id}"}, callback=False)
    run(services.create_reply, anna, thread.id, "nikt tego nie dostanie")
    assert published(sock) == []


def test_join_with_after_catches_up_in_order_then_live(client, connect, anna, thread):
    for number in range(5):
        run(services.create_reply, anna, thread.id, f"Wpis {number}")
    sock = connect(client)
    ack = sock.emit(events.JOIN, {"thread_id": thread.id, "after": 2})
    assert [e["data"]["seq"] for e in ack["events"]] == [3, 4, 5]
    assert ack["last_seq"] == 5
    run(services.create_reply, anna, thread.id, "Na żywo")
    assert [m["args"][0]["seq"] for m in published(sock)] == [6]


def test_leave_stops_events(client, connect, anna, thread):
    sock = connect(client)
    sock.emit(events.JOIN, {"thread_id": thread.id})
    assert sock.emit(events.LEAVE, {"thread_id": thread.id}) == {"stream": f"thread:{thread.id}"}
    run(services.create_reply, anna, thread.id, "po wyjściu")
    assert published(sock) == []


def test_presence_counts_people_and_guests(app, client, connect, anna):
    room = {"room_id": room_of("XIII").id}
    guest = connect(client)
    guest.emit(events.JOIN, room)
    person = connect(logged_in(app, anna))
    ack = person.emit(events.JOIN, room)
    assert ack["presence"]["count"] == 2 and ack["presence"]["guests"] == 1
    assert [u["display_name"] for u in ack["presence"]["users"]] == ["Anna"]
    seen = []

    def guest_sees(count: int, names: list[str]) -> bool:
        seen.extend(guest.received_named(events.PRESENCE))
        return any(
            p["count"] == count and [u["display_name"] for u in p["users"]] == names for p in seen
        )

    wait_until(lambda: guest_sees(2, ["Anna"]), what="a presence of two, Anna among them")
    person.disconnect()
    seen.clear()
    wait_until(lambda: guest_sees(1, []), what="a presence of the guest alone")


def test_presence_updates_are_coalesced(app, connect):
    app.extensions["connections"].presence_interval = 0.2
    room = {"room_id": room_of("XIII").id}
    watcher = connect(app.test_client())
    watcher.emit(events.JOIN, room)
    for _ in range(10):
        connect(app.test_client()).emit(events.JOIN, room)
    updates = []

    def full_count() -> bool:
        updates.extend(watcher.received_named(events.PRESENCE))
        return bool(updates) and updates[-1]["count"] == 11

    wait_until(full_count, what="a presence update counting all eleven")
    assert len(updates) <= 2


# --- the socket's own login --------------------------------------------------------------


def test_a_socket_acts_as_its_own_login_not_the_last_request(app, client, auth, connect, thread):
    """An HTTP client logs in; a socket opened without that login stays a guest."""
    guest_socket = connect(app.test_client())
    auth.login(make_user("Jan"))
    assert client.get("/api/v1/session").get_json()["user"]["display_name"] == "Jan"
    ack = guest_socket.emit(events.POST_REPLY, {"thread_id": thread.id, "body": "Kto ja?"})
    assert ack["error"]["code"] == "not_authenticated"
    own = connect(client).emit(events.POST_REPLY, {"thread_id": thread.id, "body": "Jan tu"})
    assert own["post"]["author"]["display_name"] == "Jan"


def test_logout_closes_the_sockets_of_that_login_only(app, connect, anna, thread):
    browser, phone = logged_in(app, anna), logged_in(app, anna)
    here, elsewhere = connect(browser), connect(phone)
    for sock in (here, elsewhere):
        sock.emit(events.JOIN, {"thread_id": thread.id})
    assert browser.post("/logout").status_code == 302
    assert not here.is_connected()
    assert elsewhere.is_connected()
    ack = elsewhere.emit(events.POST_REPLY, {"thread_id": thread.id, "body": "z telefonu"})
    assert ack["post"]["author"]["id"] == anna.id


def test_a_socket_opened_before_logout_is_refused_after_it(app, connect, anna, thread):
    """Even a socket the server did not get to close acts as a guest once its login ended."""
    browser = logged_in(app, anna)
    sock = connect(browser)
    connections = app.extensions["connections"]
    sid = next(c.sid for c in connections.of_users([anna.id]))
    connections.disconnect(sid)  # this worker forgets it, as another worker would not know it
    browser.post("/logout")
    assert sock.is_connected()
    ack = sock.emit(events.POST_REPLY, {"thread_id": thread.id, "body": "po wylogowaniu"})
    assert ack["error"]["code"] == "not_authenticated"


def test_log_out_everywhere_closes_every_socket_of_the_person(app, connect, anna, jan):
    first, second = logged_in(app, anna), logged_in(app, anna)
    sockets = [connect(first), connect(second)]
    other = connect(logged_in(app, jan))
    assert first.delete("/api/v1/sessions").status_code == 204
    assert [s.is_connected() for s in sockets] == [False, False]
    assert other.is_connected()
    assert second.get("/api/v1/session").get_json() == {"user": None}


def test_a_copied_session_cookie_is_dead_after_logout(app, anna):
    browser = logged_in(app, anna)
    cookie = browser.get_cookie("session").value
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/api/v1/session").get_json() == {"user": None}
    response = thief.post("/api/v1/threads/1/posts", json={"body": "ukradzione"})
    assert response.status_code in (401, 404)


# --- rights withdrawn under an open socket ---------------------------------------------------


def test_a_withdrawn_role_stops_live_delivery_at_once(app, connect, anna):
    """An ambassador follows the moderation stream of an area; the role goes, and so does it."""
    with app_context():
        area_id = room_by_slug("zablocie").area_id
    ambassador = make_user("Amb", role="ambassador", scope="XIII")
    sock = connect(logged_in(app, ambassador))
    assert sock.emit(events.JOIN, {"stream": f"area:{area_id}"})["stream"] == f"area:{area_id}"
    admin = make_user("Admin", role="admin")

    def withdraw(actor):
        grant = db.session.scalars(
            db.select(RoleGrant).where(RoleGrant.user_id == ambassador.id)
        ).one()
        accounts.withdraw_role(actor, grant)

    run(withdraw, admin)
    closed = sock.received_named(events.STREAM_CLOSED)
    assert closed == [{"stream": f"area:{area_id}", "reason": "access_withdrawn"}]
    assert sock.emit(events.JOIN, {"stream": f"area:{area_id}"})["error"]["code"] == "forbidden"


def test_a_room_made_private_drops_its_readers_before_its_next_event(app, connect, anna, thread):
    room_id = room_of("XIII").id
    guest = connect(app.test_client())
    guest.emit(events.JOIN, {"room_id": room_id})
    guest.emit(events.JOIN, {"thread_id": thread.id})
    member = make_member(make_user("Członek"), room_id)
    ambassador = connect(logged_in(app, member))
    ambassador.emit(events.JOIN, {"thread_id": thread.id})
    guest.get_received()
    run(lambda _actor: set_room_visibility(None, room_id, False), None)
    closed = {signal["stream"] for signal in guest.received_named(events.STREAM_CLOSED)}
    assert closed == {f"room:{room_id}", f"thread:{thread.id}"}
    run(services.create_reply, make_user("Admin", role="admin"), thread.id, "Tylko dla nas")
    assert published(guest) == []
    assert [m["name"] for m in published(ambassador)] == ["post_created"]


def test_typing_asks_the_policy_on_every_event(app, connect, anna, thread):
    sock = connect(logged_in(app, make_user("Jan")))
    sock.emit(events.JOIN, {"thread_id": thread.id})
    assert sock.emit(events.TYPING_STARTED, {"thread_id": thread.id}) == {"sent": True}

    def lock(_actor):
        from forum.discussion.models import Thread

        db.session.get(Thread, thread.id).status = "locked"

    run(lock, None)
    ack = sock.emit(events.TYPING_STARTED, {"thread_id": thread.id})
    assert ack["error"]["code"] == "thread_locked"
