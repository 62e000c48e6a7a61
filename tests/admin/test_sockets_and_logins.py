"""Admin changes under open sockets, and a suspended person's logins."""

from forum.admin import services as admin
from forum.discussion import services as discussion
from forum.realtime import events
from tests.admin.conftest import logged_in
from tests.conftest import PASSWORD, make_member, make_user, room_of, run


def test_removing_a_member_closes_their_room_stream_at_once(app, connect, boss):
    room_id = room_of("XIII").id
    run(admin.set_room_visibility, boss, room_id, False)
    member = make_member(make_user("Członkini"), room_id)
    thread = run(discussion.create_thread, boss, room_id, "Wątek", "Treść")
    sock = connect(logged_in(app, member))
    assert sock.emit(events.JOIN, {"room_id": room_id})["stream"] == f"room:{room_id}"
    assert sock.emit(events.JOIN, {"thread_id": thread.id})["stream"] == f"thread:{thread.id}"
    sock.get_received()
    run(admin.remove_member, boss, room_id, member.id)
    closed = {signal["stream"] for signal in sock.received_named(events.STREAM_CLOSED)}
    assert closed == {f"room:{room_id}", f"thread:{thread.id}"}
    run(discussion.create_reply, boss, thread.id, "Już bez niej")
    assert [m for m in sock.get_received() if m["name"] in events.EVENTS] == []
    assert sock.emit(events.JOIN, {"room_id": room_id})["error"]["code"] == "not_found"


def test_adding_a_member_lets_their_open_socket_join(app, connect, boss, anna):
    room_id = room_of("XIII").id
    run(admin.set_room_visibility, boss, room_id, False)
    sock = connect(logged_in(app, anna))
    assert sock.emit(events.JOIN, {"room_id": room_id})["error"]["code"] == "not_found"
    run(admin.add_member, boss, room_id, user_id=anna.id)
    assert sock.emit(events.JOIN, {"room_id": room_id})["stream"] == f"room:{room_id}"


def test_suspending_closes_every_socket_of_the_person(app, connect, boss, anna):
    phone, laptop = connect(logged_in(app, anna)), connect(logged_in(app, anna))
    bystander = connect(logged_in(app, make_user("Jan")))
    for sock in (phone, laptop, bystander):
        sock.emit(events.JOIN, {"room_id": room_of("XIII").id})
    run(admin.suspend, boss, anna.id, 7, "Spam")
    assert not phone.is_connected() and not laptop.is_connected()
    assert bystander.is_connected()


def test_a_suspended_person_cannot_log_in_and_is_told_until_when(app, boss, anna):
    run(admin.suspend, boss, anna.id, 7, "Spam w wątkach")
    client = app.test_client()
    refused = client.post("/login", data={"email": anna.email, "password": PASSWORD})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Spam w wątkach" in page and "2" in page  # the reason and the end date
    assert client.get("/api/v1/session").get_json() == {"user": None}
    wrong = client.post("/login", data={"email": anna.email, "password": "nie to hasło"})
    assert wrong.status_code == 422  # a wrong password says nothing of the suspension
    assert "Spam" not in wrong.get_data(as_text=True)


def test_the_api_refuses_a_suspended_login_too(app, api, boss, anna):
    run(admin.suspend, boss, anna.id, None, "Spam")
    refused = api.post("/api/v1/session", json={"email": anna.email, "password": PASSWORD})
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "suspended" and "Spam" in error["message"]
    run(admin.lift_suspension, boss, anna.id)
    assert (
        api.post("/api/v1/session", json={"email": anna.email, "password": PASSWORD}).status_code
        == 200
    )
