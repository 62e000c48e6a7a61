"""Idempotency keys: a write sent again with the same key gets the first answer and stores
nothing new; the same key with another request is refused; a refused attempt keeps nothing.

Parallel submissions against a real server: tests/e2e/test_idempotency_parallel.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.api.v1.openapi import document
from forum.cli import prune_idempotency_keys
from forum.discussion import services
from forum.discussion.models import Post, PostRevision, Thread
from forum.extensions import db, utcnow
from forum.idempotency import IdempotencyKey
from forum.realtime import events as realtime
from tests.api.conftest import ApiClient
from tests.conftest import app_context, count, make_user, opening_of, room_of, run

KEY = re.compile(r'name="idempotency_key"[^>]*value="([^"]*)"')


def keys_in(page: str) -> list[str]:
    return KEY.findall(page)


def composer_key(page: str) -> str:
    """The key of the thread page's own reply form (at its foot)."""
    return keys_in(page.split('id="reply-form"', 1)[1])[0]


def posts_in(thread) -> int:
    return count(Post, Post.thread_id == thread.id)


def age_keys(hours: float) -> None:
    with app_context():
        for row in db.session.scalars(db.select(IdempotencyKey)):
            row.created_at = utcnow() - timedelta(hours=hours)
        db.session.commit()


@pytest.fixture
def api(app) -> ApiClient:
    return ApiClient(app, app.response_class, use_cookies=True)


# Forms


def test_each_rendered_writing_form_carries_its_own_key(client, auth, thread):
    jan = make_user("Jan")
    reply = run(services.create_reply, jan, thread.id, "Moja odpowiedź")
    auth.login(jan)
    page = client.get(f"/threads/{thread.id}").text
    keys = keys_in(page)
    # The reply form at the foot and a reply box under each post; deleting Jan's post has its
    # own confirmation page, with its own form.
    assert len(keys) == 3 and len(set(keys)) == 3
    [delete_key] = keys_in(client.get(f"/posts/{reply.id}/delete").text)
    assert delete_key not in keys
    assert all(re.fullmatch(r"[!-~]{1,255}", key) for key in keys)
    assert composer_key(client.get(f"/threads/{thread.id}").text) != composer_key(page)


def test_a_replayed_reply_form_stores_one_post_and_answers_with_the_same_redirect(
    client, auth, thread
):
    auth.login(make_user("Jan"))
    key = composer_key(client.get(f"/threads/{thread.id}").text)
    form = {"body": "Popieram", "idempotency_key": key}
    first = client.post(f"/threads/{thread.id}/replies", data=form)
    again = client.post(f"/threads/{thread.id}/replies", data=form)
    assert first.status_code == again.status_code == 302
    assert again.location == first.location and "#post-" in first.location
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert posts_in(thread) == 2


def test_a_reply_form_without_a_key_still_works(client, auth, thread):
    """Forms a script builds (a post that arrived live) may have none: no deduplication then."""
    auth.login(make_user("Jan"))
    for _ in range(2):
        response = client.post(f"/threads/{thread.id}/replies", data={"body": "Bez klucza"})
        assert response.status_code == 302
    assert posts_in(thread) == 3


def test_the_same_form_key_with_other_content_is_refused_clearly(client, auth, thread):
    auth.login(make_user("Jan"))
    key = composer_key(client.get(f"/threads/{thread.id}").text)
    sent = client.post(
        f"/threads/{thread.id}/replies", data={"body": "Pierwsza", "idempotency_key": key}
    )
    assert sent.status_code == 302
    other = client.post(
        f"/threads/{thread.id}/replies", data={"body": "Druga", "idempotency_key": key}
    )
    assert other.status_code == 422
    assert "Ten formularz został już wysłany z inną treścią" in other.text
    assert posts_in(thread) == 2


def test_a_refused_form_keeps_nothing_so_the_corrected_one_goes_through_with_its_key(
    client, auth, thread
):
    auth.login(make_user("Jan"))
    key = composer_key(client.get(f"/threads/{thread.id}").text)
    refused = client.post(
        f"/threads/{thread.id}/replies", data={"body": "", "idempotency_key": key}
    )
    assert refused.status_code == 422
    assert composer_key(refused.text) == key  # shown again with the key it was sent with
    assert count(IdempotencyKey) == 0 and posts_in(thread) == 1
    corrected = client.post(
        f"/threads/{thread.id}/replies", data={"body": "Poprawiona", "idempotency_key": key}
    )
    assert corrected.status_code == 302
    assert posts_in(thread) == 2


def test_a_form_with_a_malformed_key_is_refused_and_stores_nothing(client, auth, thread):
    auth.login(make_user("Jan"))
    for key in ("a\nb", "x" * 256, "zażółć"):
        form = {"body": "Tak", "idempotency_key": key}
        refused = client.post(f"/threads/{thread.id}/replies", data=form)
        assert refused.status_code == 400
        assert "Klucz idempotencji to od 1 do 255 widocznych znaków ASCII" in refused.text
    assert posts_in(thread) == 1


def test_a_replayed_thread_form_starts_one_thread(client, auth):
    auth.login(make_user("Jan"))
    room = room_of("XIII")
    key = keys_in(client.get(f"/rooms/{room.id}").text)[0]
    form = {"title": "Ławki na Rynku Podgórskim", "body": "Więcej ławek?", "idempotency_key": key}
    first = client.post(f"/rooms/{room.id}/threads", data=form)
    again = client.post(f"/rooms/{room.id}/threads", data=form)
    assert first.status_code == again.status_code == 302 and again.location == first.location
    assert count(Thread) == 1


def test_a_replayed_edit_form_makes_one_revision(client, auth, thread):
    opening = opening_of(thread.id)
    auth.login(thread.author)
    key = keys_in(client.get(f"/posts/{opening.id}/edit").text)[0]
    form = {"body": "Zielony skwer z ławkami?", "idempotency_key": key}
    for _ in range(2):
        assert client.post(f"/posts/{opening.id}/edit", data=form).status_code == 302
    assert count(PostRevision) == 1


def test_deleting_twice_with_one_key_answers_the_same(client, auth, thread):
    jan = make_user("Jan")
    reply = run(services.create_reply, jan, thread.id, "Do usunięcia")
    auth.login(jan)
    form = {"idempotency_key": "usun-1"}
    first = client.post(f"/posts/{reply.id}/delete", data=form)
    again = client.post(f"/posts/{reply.id}/delete", data=form)
    assert first.status_code == again.status_code == 302 and again.location == first.location


def test_another_persons_edit_form_is_never_shown(client, auth, thread):
    """Finding 7's second half: the form itself is refused, not only its submission."""
    opening = opening_of(thread.id)
    auth.login(make_user("Jan"))
    page = client.get(f"/posts/{opening.id}/edit")
    assert page.status_code == 403
    assert "Zielony skwer?" not in page.text and "<textarea" not in page.text
    auth.logout()
    guest = client.get(f"/posts/{opening.id}/edit")
    assert guest.status_code == 302 and "/login" in guest.location


# The API


def reply_url(thread) -> str:
    return f"/api/v1/threads/{thread.id}/posts"


def test_an_api_replay_answers_with_the_same_status_and_body_and_stores_nothing(api, thread):
    api.login(make_user("Jan"))
    headers = {"Idempotency-Key": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"}
    first = api.post(reply_url(thread), json={"body": "Popieram"}, headers=headers)
    again = api.post(reply_url(thread), json={"body": "Popieram"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert posts_in(thread) == 2


def test_an_api_key_sent_with_another_body_or_path_is_refused(api, thread):
    other_thread = run(
        services.create_thread, thread.author, room_of("XIII").id, "Drugi wątek", "Treść"
    )
    api.login(make_user("Jan"))
    headers = {"Idempotency-Key": "klucz-1"}
    assert api.post(reply_url(thread), json={"body": "A"}, headers=headers).status_code == 201
    for url, body in ((reply_url(thread), "B"), (reply_url(other_thread), "A")):
        refused = api.post(url, json={"body": body}, headers=headers)
        assert refused.status_code == 422
        assert refused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert posts_in(thread) == 2 and posts_in(other_thread) == 1


def test_a_refused_api_request_keeps_nothing_so_its_key_can_be_sent_again(api, thread):
    api.login(make_user("Jan"))
    headers = {"Idempotency-Key": "klucz-2"}
    refused = api.post(reply_url(thread), json={"body": "   "}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "invalid"
    assert count(IdempotencyKey) == 0
    first = api.post(reply_url(thread), json={"body": "Teraz dobrze"}, headers=headers)
    again = api.post(reply_url(thread), json={"body": "Teraz dobrze"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and posts_in(thread) == 2


def test_keys_of_different_people_do_not_collide(app, api, thread):
    api.login(make_user("Jan"))
    other = ApiClient(app, app.response_class, use_cookies=True)
    other.login(make_user("Ola"))
    headers = {"Idempotency-Key": "ten-sam"}
    jans = api.post(reply_url(thread), json={"body": "Tak"}, headers=headers)
    olas = other.post(reply_url(thread), json={"body": "Tak"}, headers=headers)
    assert jans.status_code == olas.status_code == 201
    assert jans.get_json()["post"]["id"] != olas.get_json()["post"]["id"]
    assert posts_in(thread) == 3


def test_guests_requests_are_not_deduplicated_but_still_answered(api, thread):
    headers = {"Idempotency-Key": "gosc"}
    refused = api.post(reply_url(thread), json={"body": "Tak"}, headers=headers)
    assert refused.status_code == 401 and count(IdempotencyKey) == 0


@pytest.mark.parametrize("key", ["", "   ", "dwa słowa", "é", "x" * 256, "tab\there"])
def test_a_malformed_key_is_a_400_that_names_the_header(api, thread, key):
    api.login(make_user("Jan"))
    refused = api.post(reply_url(thread), json={"body": "Tak"}, headers={"Idempotency-Key": key})
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_idempotency_key" and "Idempotency-Key" in error["fields"]
    assert posts_in(thread) == 1


def test_the_longest_key_is_accepted(api, thread):
    api.login(make_user("Jan"))
    headers = {"Idempotency-Key": "~" * 255}
    assert api.post(reply_url(thread), json={"body": "Tak"}, headers=headers).status_code == 201


def test_an_expired_key_starts_afresh(api, thread):
    api.login(make_user("Jan"))
    headers = {"Idempotency-Key": "stary"}
    first = api.post(reply_url(thread), json={"body": "Tak"}, headers=headers)
    age_keys(hours=25)
    later = api.post(reply_url(thread), json={"body": "Tak"}, headers=headers)
    assert first.status_code == later.status_code == 201
    assert later.get_json()["post"]["id"] != first.get_json()["post"]["id"]
    assert count(IdempotencyKey) == 1 and posts_in(thread) == 3


def test_pruning_drops_keys_older_than_the_window(app, api, thread):
    api.login(make_user("Jan"))
    api.post(reply_url(thread), json={"body": "Stary"}, headers={"Idempotency-Key": "a"})
    age_keys(hours=25)
    api.post(reply_url(thread), json={"body": "Nowy"}, headers={"Idempotency-Key": "b"})
    with app_context():
        assert prune_idempotency_keys() == 1
        assert db.session.scalars(db.select(IdempotencyKey.key)).all() == ["b"]


def test_a_replayed_delete_answers_as_the_first_did(api, thread):
    jan = make_user("Jan")
    reply = run(services.create_reply, jan, thread.id, "Do usunięcia")
    api.login(jan)
    headers = {"Idempotency-Key": "usun"}
    first = api.delete(f"/api/v1/posts/{reply.id}", headers=headers)
    again = api.delete(f"/api/v1/posts/{reply.id}", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    without_key = api.delete(f"/api/v1/posts/{reply.id}")
    assert without_key.status_code != 200  # a plain repeat is refused: the key made the replay


def test_deleting_a_post_drops_the_stored_answers_that_carry_its_words(api, thread):
    jan = make_user("Jan")
    api.login(jan)
    kept = api.post(reply_url(thread), json={"body": "Zostaje"}, headers={"Idempotency-Key": "a"})
    gone = api.post(reply_url(thread), json={"body": "Tajne"}, headers={"Idempotency-Key": "b"})
    post_id = gone.get_json()["post"]["id"]
    api.patch(
        f"/api/v1/posts/{post_id}", json={"body": "Tajne 2"}, headers={"Idempotency-Key": "c"}
    )
    assert api.delete(f"/api/v1/posts/{post_id}").status_code == 200
    with app_context():
        bodies = db.session.scalars(db.select(IdempotencyKey.body)).all()
    assert len(bodies) == 1 and "Zostaje" in bodies[0]
    assert kept.status_code == 201
    # Sent again, the deleted post's request is a new write: nothing remembers its words.
    again = api.post(reply_url(thread), json={"body": "Tajne"}, headers={"Idempotency-Key": "b"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers


def test_the_document_declares_the_header_on_every_write_and_only_there():
    writes = 0
    for path, methods in document()["paths"].items():
        for method, spec in methods.items():
            headers = [p for p in spec["parameters"] if p["in"] == "header"]
            if method == "get":
                assert headers == [], f"{method} {path}"
                continue
            writes += 1
            assert [h["name"] for h in headers] == ["Idempotency-Key"], f"{method} {path}"
            assert headers[0]["schema"]["maxLength"] == 255
            codes = {
                status: response["content"]["application/json"]["schema"]["properties"]["error"][
                    "properties"
                ]["code"]["enum"]
                for status, response in spec["responses"].items()
                if status in ("400", "422")
            }
            assert "invalid_idempotency_key" in codes["400"], f"{method} {path}"
            assert "idempotency_key_reused" in codes["422"], f"{method} {path}"
    assert writes >= 10


# The socket


def test_a_socket_reply_sent_again_with_its_key_is_acknowledged_as_before(
    client, auth, connect, thread
):
    auth.login(make_user("Jan"))
    sock = connect(client)
    reply = {"thread_id": thread.id, "body": "Hej", "idempotency_key": "gniazdo-1"}
    first = sock.emit(realtime.POST_REPLY, reply, callback=True)
    again = sock.emit(realtime.POST_REPLY, reply, callback=True)
    assert "post" in first and again == first
    assert posts_in(thread) == 2
    other = sock.emit(realtime.POST_REPLY, reply | {"body": "Inne"}, callback=True)
    assert other["error"]["code"] == "idempotency_key_reused"
    malformed = sock.emit(realtime.POST_REPLY, reply | {"idempotency_key": ""}, callback=True)
    assert malformed["error"]["fields"].keys() == {"idempotency_key"}
    assert posts_in(thread) == 2
