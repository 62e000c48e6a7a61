"""Logging in and out, profiles with badges, through the browser's forms."""

import pytest

from forum.accounts.services import authenticate
from forum.errors import NotAuthenticated
from tests.conftest import PASSWORD, app_context, make_user


def test_login_and_logout(client, auth):
    user = make_user("Jan")
    response = auth.login(user)
    assert response.status_code == 302
    assert "Jan" in client.get("/").text
    auth.logout()
    assert "/register" in client.get("/").text


def test_login_with_wrong_password_is_refused(client, auth):
    user = make_user("Jan")
    response = auth.login(user, password="wrong password")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text


def test_login_redirects_only_to_local_pages(client):
    user = make_user("Jan")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/"


def test_authenticate_same_error_for_unknown_email(app):
    with app_context(), pytest.raises(NotAuthenticated) as raised:
        authenticate("nobody@example.pl", PASSWORD)
    assert raised.value.code == "wrong_credentials"


@pytest.mark.parametrize(
    ("role", "scope", "badge"),
    [
        ("ambassador", "XIII", "XIII Podgórze"),
        ("expert", "ZZM", "ZZM"),
        ("admin", None, "badge-admin"),
    ],
)
def test_profile_shows_role_badges(client, role, scope, badge):
    user = make_user("Ktoś", role=role, scope=scope)
    page = client.get(f"/users/{user.id}").text
    assert f"badge-{role}" in page and badge in page


def test_profile_of_unknown_user_is_404(client):
    assert client.get("/users/424242").status_code == 404


def test_logout_without_csrf_token_is_refused(csrf_app, client, auth):
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    auth.login(make_user("Jan"))
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/logout").status_code == 400
    assert "Jan" in client.get("/").text
