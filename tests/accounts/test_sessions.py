"""Logins the server can end: logout, logging out everywhere, and the profile's count."""

from forum.accounts.models import UserSession
from tests.conftest import PASSWORD, count, make_user


def login(app, user):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


def test_each_login_is_a_server_side_session_that_logout_ends(app, anna):
    browser = login(app, anna)
    assert count(UserSession, UserSession.ended_at.is_(None)) == 1
    browser.post("/logout")
    assert count(UserSession, UserSession.ended_at.is_(None)) == 0
    assert "Wyloguj" not in browser.get("/").text


def test_the_profile_counts_logins_and_logs_out_everywhere(app, anna):
    phone = login(app, anna)
    laptop = login(app, anna)
    page = laptop.get(f"/users/{anna.id}").text
    assert "2" in page.split('id="logins-heading"')[1][:300]
    assert laptop.post("/logout/everywhere").status_code == 302
    assert "Wyloguj" not in phone.get("/").text
    assert "Wyloguj" not in laptop.get("/").text


def test_only_the_owner_sees_the_login_section(app, anna):
    other = login(app, make_user("Jan"))
    assert 'id="logins-heading"' not in other.get(f"/users/{anna.id}").text


def test_a_session_cookie_from_before_login_is_not_reused(app, anna):
    """Logging in starts a fresh session: nothing a page put there before carries over."""
    browser = app.test_client()
    with browser.session_transaction() as before:
        before["planted"] = "by an attacker"
    browser.post("/login", data={"email": anna.email, "password": PASSWORD})
    with browser.session_transaction() as after:
        assert "planted" not in after
