"""The moderation API: status and error codes, each answer checked against the OpenAPI document."""

import pytest

from forum.api.v1.openapi import document
from forum.discussion import services
from forum.moderation import services as moderation
from forum.moderation.models import ModerationEntry, Mute
from tests.api.conftest import count
from tests.conftest import make_user, room_by_slug, room_of, run


@pytest.fixture
def as_amb13(api, amb13):
    api.login(amb13)
    return api


def test_the_document_lists_the_moderation_operations():
    paths = document()["paths"]
    for path, method in [
        ("/api/v1/posts/{post_id}/hidden", "put"),
        ("/api/v1/posts/{post_id}/hidden", "delete"),
        ("/api/v1/threads/{thread_id}/lock", "put"),
        ("/api/v1/threads/{thread_id}/lock", "delete"),
        ("/api/v1/threads/{thread_id}/pin", "put"),
        ("/api/v1/threads/{thread_id}/pin", "delete"),
        ("/api/v1/threads/{thread_id}/move", "post"),
        ("/api/v1/rooms/{room_id}/mutes", "get"),
        ("/api/v1/rooms/{room_id}/mutes", "post"),
        ("/api/v1/mutes/{mute_id}", "delete"),
        ("/api/v1/rooms/{room_id}/moderation-log", "get"),
        ("/api/v1/areas/{area_id}/moderation-log", "get"),
    ]:
        assert method in paths[path], (method, path)


def test_lock_unlock_pin_unpin(as_amb13, thread):
    url = f"/api/v1/threads/{thread.id}"
    locked = as_amb13.put(f"{url}/lock", json={"reason": "Koniec dyskusji"})
    assert locked.status_code == 200 and locked.get_json()["thread"]["status"] == "locked"
    again = as_amb13.put(f"{url}/lock", json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "thread_locked"
    assert as_amb13.delete(f"{url}/lock").get_json()["thread"]["status"] == "open"
    unlocked = as_amb13.delete(f"{url}/lock")
    assert unlocked.status_code == 409
    assert unlocked.get_json()["error"]["code"] == "thread_not_locked"
    assert as_amb13.put(f"{url}/pin", json={}).get_json()["thread"]["pinned"] is True
    assert as_amb13.put(f"{url}/pin", json={}).get_json()["error"]["code"] == "thread_pinned"
    assert as_amb13.delete(f"{url}/pin").get_json()["thread"]["pinned"] is False
    assert count(ModerationEntry) == 4


def test_move_and_its_field_errors(as_amb13, thread):
    url = f"/api/v1/threads/{thread.id}/move"
    elsewhere = as_amb13.post(url, json={"room_id": room_of("I").id})
    assert elsewhere.status_code == 422 and "room_id" in elsewhere.get_json()["error"]["fields"]
    moved = as_amb13.post(url, json={"room_id": room_by_slug("zablocie").id, "reason": "Temat"})
    assert moved.status_code == 200
    assert moved.get_json()["thread"]["room_id"] == room_by_slug("zablocie").id


def test_mute_list_and_lift(as_amb13, jan):
    url = f"/api/v1/rooms/{room_of('XIII').id}/mutes"
    created = as_amb13.post(url, json={"user_id": jan.id, "minutes": 60, "reason": "Spam"})
    assert created.status_code == 201
    mute = created.get_json()["mute"]
    assert mute["user"]["id"] == jan.id and mute["active"] and mute["reason"] == "Spam"
    assert [m["id"] for m in as_amb13.get(url).get_json()["mutes"]] == [mute["id"]]
    lifted = as_amb13.delete(f"/api/v1/mutes/{mute['id']}")
    assert lifted.status_code == 200 and lifted.get_json()["mute"]["active"] is False
    assert as_amb13.get(url).get_json()["mutes"] == []
    again = as_amb13.delete(f"/api/v1/mutes/{mute['id']}")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "mute_not_active"


@pytest.mark.parametrize(
    ("whom", "payload", "status", "code"),
    [
        (None, {"minutes": 60, "reason": "Spam"}, 422, "invalid"),
        ("jan", {"minutes": 0, "reason": "Spam"}, 422, "invalid"),
        ("jan", {"minutes": 525_601, "reason": "Spam"}, 422, "invalid"),
        ("jan", {"minutes": 60, "reason": ""}, 422, "invalid"),
        ("jan", {"minutes": 60}, 422, "invalid"),
        ("self", {"minutes": 60, "reason": "Spam"}, 409, "cannot_mute_self"),
        ("admin", {"minutes": 60, "reason": "Spam"}, 409, "cannot_mute_moderator"),
    ],
)
def test_mute_refusals(as_amb13, amb13, jan, whom, payload, status, code):
    people = {"jan": jan, "self": amb13, "admin": make_user("Admin", role="admin")}
    body = {"user_id": people[whom].id, **payload} if whom else payload
    answer = as_amb13.post(f"/api/v1/rooms/{room_of('XIII').id}/mutes", json=body)
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code
    assert count(Mute) == 0


def test_a_muted_persons_writes_are_refused_with_muted(api, amb13, thread, jan):
    own = run(services.create_reply, jan, thread.id, "Moje słowa")
    run(moderation.mute, amb13, room_of("XIII").id, jan.id, 60, "Spam")
    api.login(jan)
    for answer in [
        api.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Jeszcze"}),
        api.post(
            f"/api/v1/rooms/{room_of('XIII').id}/threads", json={"title": "Nowy", "body": "Treść"}
        ),
        api.patch(f"/api/v1/posts/{own.id}", json={"body": "Zmiana"}),
    ]:
        error = answer.get_json()["error"]
        assert answer.status_code == 403 and error["code"] == "muted"
        assert error["message"]


def test_the_logs_by_room_and_area(as_amb13, api, thread, reply):
    assert (
        as_amb13.put(f"/api/v1/posts/{reply.id}/hidden", json={"reason": "Obelgi"}).status_code
        == 200
    )
    as_amb13.logout()
    room_log = api.get(f"/api/v1/rooms/{room_of('XIII').id}/moderation-log").get_json()
    [entry] = room_log["entries"]
    assert entry["action"] == "post_hidden" and entry["reason"] == "Obelgi"
    assert entry["post_id"] == reply.id and entry["thread"]["id"] == thread.id
    assert "Odpowiedź Jana" not in str(room_log)
    area_log = api.get(f"/api/v1/areas/{room_of('XIII').area_id}/moderation-log").get_json()
    assert [e["id"] for e in area_log["entries"]] == [entry["id"]]
    assert api.get("/api/v1/areas/999999/moderation-log").status_code == 404
    assert api.get("/api/v1/rooms/999999/moderation-log").status_code == 404
