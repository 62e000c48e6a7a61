"""Odd input over HTTP gets a clear 4xx with the error object, never a 500: page numbers past
64 bits, JSON nested past what the decoder follows, lone surrogates, a method not allowed."""

import pytest
from werkzeug.exceptions import TooManyRequests

from forum.api.v1.openapi import document
from forum.discussion.models import Post, Thread
from forum.moderation import reasons
from forum.schemas import MAX_ID
from tests.api.conftest import count
from tests.conftest import opening_of, room_of

ODD_PAGES = ["9223372036854775807", "99999999999999999999999", "-5", "0", "abc", "1e3", "1.5", ""]


@pytest.fixture
def as_anna(api, anna):
    api.login(anna)
    return api


@pytest.mark.parametrize("page", ODD_PAGES)
@pytest.mark.parametrize("argument", ["page", "per_page"])
def test_an_api_list_refuses_an_odd_page_with_a_field_error(as_anna, argument, page):
    for path in (f"/api/v1/rooms/{room_of('XIII').id}/threads", "/api/v1/notifications"):
        answer = as_anna.get(path, query_string={argument: page})
        assert answer.status_code == 422, path
        assert set(answer.json["error"]["fields"]) == {argument}


@pytest.mark.parametrize("page", ODD_PAGES)
def test_a_listing_page_answers_an_odd_page_number_with_a_404(client, auth, anna, page):
    auth.login(anna)
    for path in (f"/rooms/{room_of('XIII').id}", "/notifications"):
        answer = client.get(path, query_string={"page": page})
        assert answer.status_code == 404, path
        assert "Nie ma takiej strony." in answer.text


def test_a_listing_page_far_past_the_last_is_empty_not_an_error(client):
    assert client.get(f"/rooms/{room_of('XIII').id}?page=1000000000").status_code == 200


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_past_the_decoder_is_a_400(as_anna, opening):
    closing = "]" if opening == "[" else "}"
    deep = opening * 5000 + "1" + closing * 5000
    answer = as_anna.post(
        f"/api/v1/rooms/{room_of('XIII').id}/threads", data=deep, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "malformed_json"
    assert count(Thread) == 0


def _raw(api, method: str, path: str, text: str):
    """A JSON body written by hand: JSON may spell what Python's encoder would not produce."""
    return api.open(path, method=method, data=text, content_type="application/json")


def test_a_lone_surrogate_in_any_string_is_a_field_error(as_anna, anna, thread):
    room = room_of("XIII").id
    opening = opening_of(thread.id).id
    posts = count(Post)
    cases = [
        (
            "POST",
            f"/api/v1/rooms/{room}/threads",
            '{"title": "Skwer \\ud800", "body": "b"}',
            "title",
        ),
        ("POST", f"/api/v1/rooms/{room}/threads", '{"title": "Skwer", "body": "\\udfff"}', "body"),
        ("POST", f"/api/v1/threads/{thread.id}/posts", '{"body": "a\\ud800b"}', "body"),
        ("PATCH", f"/api/v1/posts/{opening}", '{"body": "\\ud83d"}', "body"),
        ("PUT", f"/api/v1/posts/{opening}/hidden", '{"reason": "spam \\ud800"}', "reason"),
        ("POST", "/api/v1/session", '{"email": "\\ud800@x.pl", "password": "p"}', "email"),
        ("POST", "/api/v1/session", '{"email": "a@x.pl", "password": "\\ud800"}', "password"),
    ]
    for method, path, text, field in cases:
        answer = _raw(as_anna, method, path, text)
        assert answer.status_code == 422, (path, text)
        assert answer.json["error"]["fields"][field] == (
            "Zawiera uszkodzony znak (samotny surogat UTF-16)."
        )
    assert (count(Thread), count(Post)) == (1, posts)


def test_a_surrogate_pair_spelled_in_json_is_one_character_and_welcome(as_anna, thread):
    answer = _raw(
        as_anna, "POST", f"/api/v1/threads/{thread.id}/posts", '{"body": "\\ud83d\\ude00"}'
    )
    assert answer.status_code == 201
    assert answer.json["post"]["body_source"] == "\U0001f600"


def test_broken_utf_8_in_a_form_query_or_path_is_read_as_a_replacement(client, anna, auth):
    auth.login(anna)
    assert client.get(f"/rooms/{room_of('XIII').id}?page=%ED%A0%80").status_code == 404
    answer = client.post(
        f"/rooms/{room_of('XIII').id}/threads",
        data=b"title=Skwer+%ED%A0%80&body=Zielony",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 302
    assert count(Thread) == 1


@pytest.mark.parametrize("path", ["/api/v1/rooms/1", "/rooms/1"])
def test_a_method_not_allowed_says_which_are(client, path):
    answer = client.put(path)
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_an_http_error_keeps_its_retry_after(app, client):
    def busy():
        raise TooManyRequests(retry_after=7)

    app.add_url_rule("/api/v1/test-busy", "test_busy", busy)
    answer = client.get("/api/v1/test-busy")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert answer.json["error"]["code"] == "too_many_requests"


def test_the_document_carries_the_limits_the_server_enforces(app):
    schemas = {
        (method, path): operation.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
        for path, item in document()["paths"].items()
        for method, operation in item.items()
    }
    new_thread = schemas[("post", "/api/v1/rooms/{room_id}/threads")]["properties"]
    assert new_thread["title"]["minLength"] == 3
    assert new_thread["title"]["maxLength"] == app.config["TITLE_MAX_LENGTH"]
    for key in [
        ("post", "/api/v1/rooms/{room_id}/threads"),
        ("post", "/api/v1/threads/{thread_id}/posts"),
        ("patch", "/api/v1/posts/{post_id}"),
    ]:
        body = schemas[key]["properties"]["body"]
        assert (body["minLength"], body["maxLength"]) == (1, app.config["BODY_MAX_LENGTH"])
    reason = schemas[("put", "/api/v1/posts/{post_id}/hidden")]["properties"]["reason"]
    assert (reason["minLength"], reason["maxLength"]) == (
        reasons.REASON_MIN_LENGTH,
        reasons.REASON_MAX_LENGTH,
    )
    for path, item in document()["paths"].items():
        for operation in item.values():
            for parameter in operation["parameters"]:
                schema = parameter["schema"]
                if parameter["in"] == "path" and schema["type"] == "integer":
                    assert (schema["minimum"], schema["maximum"]) == (1, MAX_ID), path
                if parameter["name"] in ("page", "per_page"):
                    assert schema["minimum"] == 1, path


def test_what_the_document_refuses_the_server_refuses(as_anna, thread):
    """At the limits the document gives, the server answers the same way."""
    room = room_of("XIII").id
    short = as_anna.post(f"/api/v1/rooms/{room}/threads", json={"title": "ab", "body": "b"})
    assert short.status_code == 422 and "title" in short.json["error"]["fields"]
    empty = as_anna.post(f"/api/v1/threads/{thread.id}/posts", json={"body": ""})
    assert empty.status_code == 422 and "body" in empty.json["error"]["fields"]
    assert as_anna.get("/api/v1/posts/0").status_code == 404
