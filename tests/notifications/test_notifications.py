"""Notifications: who is told of a reply, the inbox, marking read, and the live unread count."""

import pytest

from forum.discussion import services
from forum.notifications import services as notifications
from forum.notifications.models import Notification
from forum.realtime import events
from tests.conftest import PASSWORD, count, get, make_user, opening_of, room_of, run
from tests.sockets import CheckedSocket


def notified(user) -> list[tuple[str, int]]:
    """(kind, post id) of each of the person's notifications, newest first."""
    page = run(notifications.list_notifications, user)
    return [(n.kind, n.post_id) for n in page.items]


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


@pytest.fixture
def ola(app):
    return make_user("Ola")


def test_a_reply_to_the_thread_tells_its_author(thread, anna, jan):
    reply = run(services.create_reply, jan, thread.id, "Tak!")
    assert notified(anna) == [("thread_reply", reply.id)]
    assert notified(jan) == []


def test_a_reply_to_a_post_tells_its_author_and_the_threads(thread, anna, jan, ola):
    first = run(services.create_reply, jan, thread.id, "Pierwsza")
    answer = run(services.create_reply, ola, thread.id, "Do Jana", parent_id=first.id)
    assert notified(jan) == [("post_reply", answer.id)]
    assert notified(anna) == [("thread_reply", answer.id), ("thread_reply", first.id)]


def test_nobody_is_told_of_their_own_reply_nor_twice(thread, anna, jan):
    own = run(services.create_reply, anna, thread.id, "Dopowiadam")
    run(services.create_reply, anna, thread.id, "Do siebie", parent_id=own.id)
    assert notified(anna) == []
    reply = run(services.create_reply, jan, thread.id, "Do Anny", parent_id=own.id)
    assert notified(anna) == [("post_reply", reply.id)]


def test_a_refused_reply_makes_no_notification(thread, jan):
    with pytest.raises(Exception):  # noqa: B017 (ValidationError: the body is empty)
        run(services.create_reply, jan, thread.id, "   ")
    assert count(Notification) == 0


def test_marking_one_read_and_all_read(thread, anna, jan):
    first = run(services.create_reply, jan, thread.id, "1")
    run(services.create_reply, jan, thread.id, "2")
    ids = [n.id for n in run(notifications.list_notifications, anna).items]
    run(notifications.mark_read, anna, ids[-1])
    assert run(notifications.unread, anna) == 1
    run(notifications.mark_read, anna, ids[-1], False)
    assert run(notifications.unread, anna) == 2
    assert run(notifications.mark_all_read, anna, up_to=ids[-1]) == 1  # the newer stays unread
    assert run(notifications.unread, anna) == 1
    assert run(notifications.mark_all_read, anna) == 1
    assert run(notifications.unread, anna) == 0
    assert get(Notification, ids[-1]).post_id == first.id


def test_another_persons_notification_is_not_found(thread, anna, jan):
    run(services.create_reply, jan, thread.id, "1")
    (mine,) = run(notifications.list_notifications, anna).items
    with pytest.raises(Exception) as raised:  # noqa: B017
        run(notifications.mark_read, jan, mine.id)
    assert raised.value.code == "not_found"


def test_the_header_counts_unread_and_the_inbox_lists_them(app, thread, anna, jan):
    run(services.create_reply, jan, thread.id, "Odpowiedź dla Anny")
    client = logged_in(app, anna)
    page = client.get("/").text
    assert 'id="notifications-link"' in page and 'data-count="1"' in page
    inbox = client.get("/notifications").text
    assert "Jan" in inbox and "Skwer przy Lipowej" in inbox


def test_opening_a_notification_marks_it_read_and_leads_to_the_post(app, thread, anna, jan):
    reply = run(services.create_reply, jan, thread.id, "Odpowiedź")
    (note,) = run(notifications.list_notifications, anna).items
    client = logged_in(app, anna)
    response = client.get(f"/notifications/{note.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/posts/{reply.id}"
    landing = client.get(response.headers["Location"])
    assert landing.headers["Location"] == f"/threads/{thread.id}#post-{reply.id}"
    assert run(notifications.unread, anna) == 0
    assert logged_in(app, jan).get(f"/notifications/{note.id}").status_code == 404


def test_mark_all_read_from_the_inbox(app, thread, anna, jan):
    run(services.create_reply, jan, thread.id, "1")
    client = logged_in(app, anna)
    response = client.post("/notifications/read", data={"up_to": ""})
    assert response.status_code == 302
    assert run(notifications.unread, anna) == 0


def test_a_guest_is_sent_to_log_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_notification_arrives_live_on_the_persons_stream(app, thread, anna, jan):
    sock = CheckedSocket(app, logged_in(app, anna))
    ack = sock.emit(events.JOIN, {"stream": f"user:{anna.id}", "after": 0})
    assert ack["events"] == [] and ack["last_seq"] == 0
    reply = run(services.create_reply, jan, thread.id, "Na żywo")
    (arrived,) = sock.received_named(events.NOTIFICATION)
    assert arrived["notification"]["post_id"] == reply.id and arrived["unread"] == 1
    assert arrived["notification"]["actor"]["display_name"] == "Jan"
    run(notifications.mark_all_read, anna)
    (read,) = sock.received_named(events.NOTIFICATIONS_READ)
    assert read == {"stream": f"user:{anna.id}", "seq": 2, "unread": 0}


def test_a_notification_of_a_deleted_reply_names_nobody(app, thread, anna, jan):
    reply = run(services.create_reply, jan, thread.id, "Zaraz usunę")
    run(services.delete_post, jan, reply.id)
    client = logged_in(app, anna)
    (note,) = client.get("/api/v1/notifications").get_json()["notifications"]
    assert note["actor"] is None and note["thread"]["id"] == thread.id
    assert "Jan" not in client.get("/notifications").text.split("<main")[1]


def test_the_opening_post_of_a_thread_notifies_nobody(anna):
    thread = run(services.create_thread, anna, room_of("XIII").id, "Nowy", "Start")
    assert opening_of(thread.id).parent_id is None
    assert count(Notification) == 0
