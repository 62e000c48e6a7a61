"""Session cookies kept decoded (accounts.sessions.SocketSessionInterface): a cookie seen before is
not checked and decoded again, and keeping it changes nothing a browser could tell: a forged or
expired cookie is still refused, a changed session still gets its new cookie, a logout still ends
the login behind every copy of the cookie."""

import pytest
from itsdangerous import URLSafeTimedSerializer

from forum.accounts import sessions
from tests.conftest import PASSWORD


@pytest.fixture
def decodings(app, monkeypatch):
    """How many times a cookie's signature was checked and its text decoded."""
    seen = []
    loads = URLSafeTimedSerializer.loads

    def counted(self, *args, **kwargs):
        seen.append(args[0])
        return loads(self, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counted)
    return seen


def logged_in(app, user):
    browser = app.test_client()
    answer = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 302
    return browser


def cookie_of(browser, app) -> str:
    return browser.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_a_cookie_is_decoded_once_for_all_its_requests(app, anna, decodings):
    browser = logged_in(app, anna)
    browser.get("/")  # the page adds its form token: the session, and so the cookie, change
    decodings.clear()
    for _ in range(3):
        assert "Wyloguj" in browser.get("/").text
    assert decodings == [cookie_of(browser, app)]  # the changed cookie, once


def test_a_logout_ends_every_copy_of_a_kept_cookie(app, anna):
    browser = logged_in(app, anna)
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_of(browser, app))
    assert "Wyloguj" in copy.get("/").text  # decoded and kept
    browser.post("/logout")
    assert "Wyloguj" not in copy.get("/").text  # the login behind it is checked each time


def test_a_forged_cookie_is_refused_every_time(app, anna):
    browser = logged_in(app, anna)
    forged = cookie_of(browser, app)[:-2] + "xx"
    intruder = app.test_client()
    intruder.set_cookie(app.config["SESSION_COOKIE_NAME"], forged)
    for _ in range(2):
        assert "Wyloguj" not in intruder.get("/").text
    assert not any(cookie == forged for _key, cookie in app.session_interface.decoded)


def test_a_kept_cookie_past_the_session_s_lifetime_is_refused(app, anna, monkeypatch):
    browser = logged_in(app, anna)
    assert "Wyloguj" in browser.get("/").text
    later = sessions.time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert "Wyloguj" not in browser.get("/").text


def test_a_session_holding_a_list_is_not_kept(app, anna):
    """Flashed messages are a list, which a request may change in place."""
    browser = logged_in(app, anna)  # the login's redirect flashes a message
    with browser.session_transaction() as session:
        session["_flashes"] = [("message", "Zapisano.")]
    cookie = cookie_of(browser, app)
    browser.get("/")
    assert not any(text == cookie for _key, text in app.session_interface.decoded)


def test_only_the_last_cookies_are_kept(app, monkeypatch):
    monkeypatch.setattr(sessions, "DECODED_COOKIES", 3)
    browsers = [app.test_client() for _ in range(5)]
    for number, browser in enumerate(browsers):
        with browser.session_transaction() as session:
            session["n"] = number
        browser.get("/")
    assert len(app.session_interface.decoded) == 3
