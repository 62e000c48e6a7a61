"""Flags through the API: each answer checked against the OpenAPI document (tests/api)."""

from datetime import timedelta

import pytest

from forum.accounts.models import User
from forum.discussion import services as discussion
from forum.discussion.models import Post
from forum.extensions import utcnow
from forum.flags import services
from forum.flags.models import Flag
from forum.notifications.models import Notification
from tests.conftest import count, get, run, update


def flag(api, post_id, **body):
    return api.post(f"/api/v1/posts/{post_id}/flags", json={"reason": "spam", **body})


def test_flag_a_post(api, post, jan):
    api.login(jan)
    answer = flag(api, post.id, reason="other", text=" Reklama sklepu ")
    assert answer.status_code == 201
    data = answer.get_json()["flag"]
    assert data["reason"] == "other" and data["text"] == "Reklama sklepu"
    assert data["flagger"] == {"id": jan.id, "display_name": "Jan"}
    assert data["resolved_at"] is None and data["outcome"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "nope"}, "reason"),
        ({"reason": "other"}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"reason": 5}, "reason"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, post, jan, body, field):
    api.login(jan)
    answer = flag(api, post.id, **body)
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["fields"]
    assert count(Flag) == 0


def test_every_refusal_of_flagging(api, post, jan, author):
    assert flag(api, post.id).status_code == 401
    api.login(author)
    assert flag(api, post.id).get_json()["error"]["code"] == "own_post"
    api.login(jan)
    assert flag(api, 999_999).status_code == 404
    assert flag(api, post.id).status_code == 201
    again = flag(api, post.id)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_flagged")
    update(User, jan.id, suspended_until=utcnow() + timedelta(days=1))
    suspended = flag(api, post.id)
    assert (suspended.status_code, suspended.get_json()["error"]["code"]) == (403, "suspended")
    update(User, jan.id, suspended_until=None)
    run(discussion.delete_post, author, post.id)
    gone = flag(api, post.id)
    assert (gone.status_code, gone.get_json()["error"]["code"]) == (409, "post_deleted")


def test_the_queue(api, post, jan, ola, piotr, marek):
    run(services.flag_post, jan, post.id, "spam")
    run(services.flag_post, ola, post.id, "offensive", "Wulgarne")
    assert api.get("/api/v1/flags").status_code == 401
    api.login(jan)
    assert api.get("/api/v1/flags").status_code == 403
    api.login(piotr)
    queue = api.get("/api/v1/flags").get_json()
    assert queue["open"] == 2
    [entry] = queue["posts"]
    assert entry["post"]["id"] == post.id and entry["needs_attention"] is True
    assert [f["flagger"]["id"] for f in entry["flags"]] == [ola.id, jan.id]
    area_id = entry["area"]["id"]
    assert api.get(f"/api/v1/flags?area_id={area_id}").get_json()["open"] == 2
    api.login(marek)
    empty = {"page": 1, "per_page": 20, "total": 0, "pages": 0}
    assert api.get("/api/v1/flags").get_json() == {"posts": [], "open": 0, "meta": empty}
    refused = api.get(f"/api/v1/flags?area_id={area_id}")
    assert refused.status_code == 403
    assert api.get("/api/v1/flags?area_id=999999").status_code == 404
    assert api.get("/api/v1/flags?area_id=x").status_code == 422
    assert api.get(f"/api/v1/flags?area_id={2**64}").status_code == 422


def test_dismiss(api, post, jan, piotr):
    run(services.flag_post, jan, post.id, "spam")
    api.login(piotr)
    answer = api.post(f"/api/v1/posts/{post.id}/flags/dismiss", json={"note": "W porządku"})
    assert answer.status_code == 200
    [resolved] = answer.get_json()["flags"]
    assert resolved["outcome"] == "dismissed" and resolved["resolution_note"] == "W porządku"
    again = api.post(f"/api/v1/posts/{post.id}/flags/dismiss", json={})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "flag_resolved")
    assert count(Notification, Notification.kind == "flag_dismissed") == 1


def test_hide(api, post, jan, piotr):
    run(services.flag_post, jan, post.id, "spam")
    api.login(piotr)
    short = api.post(f"/api/v1/posts/{post.id}/flags/hide", json={"reason": "x"})
    assert short.status_code == 422 and "reason" in short.get_json()["error"]["fields"]
    answer = api.post(f"/api/v1/posts/{post.id}/flags/hide", json={"reason": "Reklama"})
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["post"]["hidden"] and data["post"]["hidden_reason"] == "Reklama"
    assert data["post"]["body_source"] == "Kupcie auta!"  # the moderator still reads it
    assert data["flags"][0]["outcome"] == "hidden"
    assert get(Post, post.id).is_hidden
    again = api.post(f"/api/v1/posts/{post.id}/flags/hide", json={"reason": "Reklama"})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "flag_resolved")


@pytest.mark.parametrize("action", ["dismiss", "hide"])
def test_who_may_not_resolve(api, post, jan, marek, action):
    run(services.flag_post, jan, post.id, "spam")
    url = f"/api/v1/posts/{post.id}/flags/{action}"
    assert api.post(url, json={"reason": "Reklama"}).status_code == 401
    for user in (jan, marek):
        api.login(user)
        assert api.post(url, json={"reason": "Reklama"}).status_code == 403
    missing = api.post(f"/api/v1/posts/999999/flags/{action}", json={"reason": "Abc"})
    assert missing.status_code == 404
    assert get(Flag, 1).is_open


def test_hiding_a_deleted_post(api, post, jan, piotr, author):
    run(services.flag_post, jan, post.id, "spam")
    run(discussion.delete_post, author, post.id)
    api.login(piotr)
    answer = api.post(f"/api/v1/posts/{post.id}/flags/hide", json={"reason": "Reklama"})
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (409, "post_deleted")
    # Dismissing still clears the queue of a post its author deleted.
    assert api.post(f"/api/v1/posts/{post.id}/flags/dismiss", json={}).status_code == 200
