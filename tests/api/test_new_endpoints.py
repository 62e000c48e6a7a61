"""The API's streams, notifications, hiding and logins, checked against the document."""

import pytest

from forum.discussion import services
from tests.conftest import make_user, room_of, run


@pytest.fixture
def as_anna(api, anna):
    api.login(anna)
    return api


# --- catch-up over HTTP ----------------------------------------------------------------------


def test_stream_events_after_a_seq_in_order(api, anna, thread):
    for number in range(3):
        run(services.create_reply, anna, thread.id, f"Wpis {number}")
    body = api.get(f"/api/v1/streams/thread:{thread.id}/events?after=1").get_json()
    assert [e["data"]["seq"] for e in body["events"]] == [2, 3]
    assert body["complete"] and not body["reload"] and body["last_seq"] == 3
    room = api.get(f"/api/v1/streams/room:{room_of('XIII').id}/events?after=0").get_json()
    assert [e["name"] for e in room["events"]] == ["thread_created"] + ["thread_updated"] * 3


@pytest.mark.parametrize("query", ["", "?after=-1", "?after=x", "?after=1.5", "?after=%EF%BC%91"])
def test_a_bad_after_is_invalid(api, thread, query):
    response = api.get(f"/api/v1/streams/thread:{thread.id}/events{query}")
    assert response.status_code == 422 and "after" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "stream",
    [
        "thread:999999",
        "room:999999",
        "nonsense:1",
        "thread:x",
        "user:1",
        "thread:9999999999999999999",
        "thread:0",
        "thread:１",
    ],
)
def test_an_unknown_or_unreadable_stream_is_refused(api, anna, stream):
    response = api.get(f"/api/v1/streams/{stream}/events?after=0")
    assert response.status_code in (401, 404)


def test_a_persons_stream_is_theirs_alone(api, anna, jan):
    api.login(jan)
    assert api.get(f"/api/v1/streams/user:{anna.id}/events?after=0").status_code == 404
    assert api.get(f"/api/v1/streams/user:{jan.id}/events?after=0").status_code == 200


# --- one post, as the viewer sees it -------------------------------------------------------


def test_a_post_carries_the_viewers_flags(api, anna, jan, thread):
    reply = run(services.create_reply, jan, thread.id, "Moje")
    guest = api.get(f"/api/v1/posts/{reply.id}").get_json()["post"]
    assert guest["can_edit"] is False and guest["can_delete"] is False
    api.login(jan)
    own = api.get(f"/api/v1/posts/{reply.id}").get_json()["post"]
    assert own["can_edit"] is True and own["can_delete"] is True
    thread_view = api.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]
    assert thread_view["can_reply"] is True


# --- hiding and restoring ------------------------------------------------------------------


def test_a_moderator_hides_and_restores_a_post(api, jan, thread):
    reply = run(services.create_reply, jan, thread.id, "Spam spam")
    api.login(make_user("Amb", role="ambassador", scope="XIII"))
    hidden = api.put(f"/api/v1/posts/{reply.id}/hidden", json={"reason": "Reklama"})
    assert hidden.status_code == 200
    post = hidden.get_json()["post"]
    assert post["hidden"] and post["hidden_reason"] == "Reklama" and post["body_source"]
    again = api.put(f"/api/v1/posts/{reply.id}/hidden", json={"reason": "Reklama"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "post_hidden"
    restored = api.delete(f"/api/v1/posts/{reply.id}/hidden")
    assert restored.status_code == 200 and not restored.get_json()["post"]["hidden"]


def test_a_resident_may_not_hide(as_anna, jan, thread):
    reply = run(services.create_reply, jan, thread.id, "Słowa")
    response = as_anna.put(f"/api/v1/posts/{reply.id}/hidden", json={"reason": "Nie lubię"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "status"), [({}, 422), ({"reason": 5}, 422), ({"reason": "a"}, 422)]
)
def test_hiding_needs_a_reason(api, jan, thread, payload, status):
    reply = run(services.create_reply, jan, thread.id, "Słowa")
    api.login(make_user("Admin", role="admin"))
    response = api.put(f"/api/v1/posts/{reply.id}/hidden", json=payload)
    assert response.status_code == status
    assert "reason" in response.get_json()["error"]["fields"]


# --- notifications -------------------------------------------------------------------------


def test_notifications_list_and_mark_read(as_anna, jan, thread):
    run(services.create_reply, jan, thread.id, "1")
    run(services.create_reply, jan, thread.id, "2")
    page = as_anna.get("/api/v1/notifications").get_json()
    assert page["unread"] == 2 and page["meta"]["total"] == 2
    newest, oldest = page["notifications"]
    one = as_anna.patch(f"/api/v1/notifications/{oldest['id']}", json={"read": True})
    assert one.get_json()["unread"] == 1 and one.get_json()["notification"]["read"]
    upto = as_anna.post("/api/v1/notifications/read", json={"up_to": oldest["id"]})
    assert upto.get_json() == {"unread": 1}
    assert as_anna.post("/api/v1/notifications/read", json={}).get_json() == {"unread": 0}


def test_notifications_need_a_login_and_belong_to_one_person(api, anna, jan, thread):
    assert api.get("/api/v1/notifications").status_code == 401
    run(services.create_reply, jan, thread.id, "1")
    api.login(anna)
    (note,) = api.get("/api/v1/notifications").get_json()["notifications"]
    api.login(jan)
    response = api.patch(f"/api/v1/notifications/{note['id']}", json={"read": True})
    assert response.status_code == 404


@pytest.mark.parametrize("payload", [{}, {"read": "yes"}, {"read": 1}])
def test_a_bad_notification_change_is_invalid(as_anna, jan, thread, payload):
    run(services.create_reply, jan, thread.id, "1")
    (note,) = as_anna.get("/api/v1/notifications").get_json()["notifications"]
    response = as_anna.patch(f"/api/v1/notifications/{note['id']}", json=payload)
    assert response.status_code == 422


# --- logins --------------------------------------------------------------------------------


def test_log_out_everywhere_ends_every_login(app, api, anna):
    other = app.test_client()
    other.post("/api/v1/session", json={"email": anna.email, "password": "correct horse battery"})
    api.login(anna)
    assert api.delete("/api/v1/sessions").status_code == 204
    assert api.get("/api/v1/session").get_json() == {"user": None}
    assert other.get("/api/v1/session").get_json() == {"user": None}
