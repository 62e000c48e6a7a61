"""Registering, logging in and out, profiles with badges, through the browser's forms."""

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.accounts.services import authenticate
from forum.errors import NotAuthenticated
from forum.extensions import db
from tests.conftest import PASSWORD, app_context, count, district, make_user


def register_form(**overrides):
    data = {
        "display_name": "Zofia",
        "email": "zofia@example.pl",
        "password": "długie hasło 123",
        "home_area_id": str(district("XIII").id),
    }
    return data | overrides


def user_count() -> int:
    return count(User)


def test_register_logs_in_and_hashes_password(client):
    response = client.post("/register", data=register_form(), follow_redirects=True)
    assert response.status_code == 200
    assert "Zofia" in response.text
    with app_context():
        user = db.session.scalars(select(User)).one()
        assert user.home_area.number == "XIII"
        assert user.password_hash.startswith("scrypt:") and "długie" not in user.password_hash


def test_register_form_lists_the_18_districts(client):
    page = client.get("/register").text
    assert len(re.findall(r'<option value="\d+"', page)) == 18


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", ""),
        ("email", "not-an-address"),
        ("password", "short"),
        ("home_area_id", ""),
        ("home_area_id", "999999"),
    ],
)
def test_register_rejects_bad_input(client, field, value):
    response = client.post("/register", data=register_form(**{field: value}))
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert user_count() == 0


def test_register_rejects_taken_email_in_any_case(client):
    make_user("Zofia")
    with app_context():
        taken = db.session.scalars(select(User)).one().email.upper()
    response = client.post("/register", data=register_form(email=taken))
    assert response.status_code == 422
    assert user_count() == 1


def test_register_rejects_a_subarea_as_home(client):
    from forum.areas.models import Area

    with app_context():
        subarea = db.session.scalars(select(Area).where(Area.kind == "subarea")).first()
    response = client.post("/register", data=register_form(home_area_id=str(subarea.id)))
    assert response.status_code == 422


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
