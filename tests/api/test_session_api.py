"""Logging in and out through the API: the session cookie, as in the browser."""

import pytest

from forum.discussion.models import Thread
from tests.api.conftest import count
from tests.conftest import PASSWORD, make_user, room_of


@pytest.fixture
def anna(app):
    return make_user("Anna")


def test_guest_has_no_user(api):
    response = api.get("/api/v1/session")
    assert response.status_code == 200
    assert response.get_json() == {"user": None}


def test_log_in_answers_with_the_user(api, anna):
    response = api.post("/api/v1/session", json={"email": anna.email, "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["user"] == {"id": anna.id, "display_name": "Anna", "badges": []}


def test_log_in_ignores_case_and_spaces_in_the_email(api, anna):
    response = api.post(
        "/api/v1/session", json={"email": f"  {anna.email.upper()} ", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_session_shows_the_logged_in_user(api, anna):
    api.login(anna)
    assert api.get("/api/v1/session").get_json()["user"]["id"] == anna.id


@pytest.mark.parametrize(
    ("role", "scope", "badge"),
    [
        ("ambassador", "XIII", {"role": "ambassador", "scope": "XIII Podgórze"}),
        ("expert", "ZZM", {"role": "expert", "scope": "ZZM"}),
        ("admin", None, {"role": "admin", "scope": ""}),
    ],
)
def test_session_shows_the_users_badges(api, role, scope, badge):
    user = make_user("Ktoś", role=role, scope=scope)
    api.login(user)
    assert api.get("/api/v1/session").get_json()["user"]["badges"] == [badge]


def test_the_session_cookie_authenticates_later_requests(api, anna):
    api.login(anna)
    response = api.post(
        f"/api/v1/rooms/{room_of('XIII').id}/threads", json={"title": "Ławki", "body": "Tak"}
    )
    assert response.status_code == 201
    assert response.get_json()["thread"]["author"]["id"] == anna.id


@pytest.mark.parametrize("password", ["wrong password", "", PASSWORD.upper()])
def test_wrong_password_is_refused(api, anna, password):
    response = api.post("/api/v1/session", json={"email": anna.email, "password": password})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "wrong_credentials"
    assert api.get("/api/v1/session").get_json()["user"] is None


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(api, anna):
    wrong_password = api.post("/api/v1/session", json={"email": anna.email, "password": "nie"})
    unknown = api.post("/api/v1/session", json={"email": "nobody@example.pl", "password": "nie"})
    assert unknown.status_code == wrong_password.status_code == 401
    assert unknown.get_json() == wrong_password.get_json()


def test_log_out_ends_the_session(api, anna):
    api.login(anna)
    response = api.delete("/api/v1/session")
    assert response.status_code == 204
    assert api.get("/api/v1/session").get_json()["user"] is None


def test_after_log_out_writing_needs_a_log_in(api, anna):
    api.login(anna)
    api.logout()
    response = api.post(
        f"/api/v1/rooms/{room_of('XIII').id}/threads", json={"title": "Ławki", "body": "Tak"}
    )
    assert response.status_code == 401
    assert count(Thread) == 0


def test_log_out_as_a_guest_is_harmless(api):
    assert api.delete("/api/v1/session").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": 42, "password": PASSWORD}, "email"),
        ({"email": "anna@example.pl"}, "password"),
        ({"email": "anna@example.pl", "password": ["x"]}, "password"),
    ],
)
def test_log_in_without_string_credentials_is_invalid(api, body, field):
    response = api.post("/api/v1/session", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("options", "status", "code"),
    [
        ({"data": "{email:", "content_type": "application/json"}, 400, "malformed_json"),
        ({"data": '["a", "b"]', "content_type": "application/json"}, 400, "malformed_json"),
        ({"data": {"email": "a@b.pl", "password": "x"}}, 415, "unsupported_media_type"),
        ({"json": {"email": "a@b.pl", "password": "x" * 70_000}}, 413, "too_large"),
    ],
)
def test_log_in_with_a_body_that_is_not_a_small_json_object(api, anna, options, status, code):
    response = api.post("/api/v1/session", **options)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert api.get("/api/v1/session").get_json()["user"] is None
