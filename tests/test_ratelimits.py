"""Rate limits (forum/ratelimits.py): each limit over each way in — HTML form, JSON API and
Socket.IO — with 429 and Retry-After, login lock-outs that grow and reset, and the order: a
refused request does no expensive work (no rendering, no password hashing, no writes)."""

from __future__ import annotations

import time

import pytest
from flask import has_app_context

from forum import ratelimits
from forum.accounts import services as accounts
from forum.accounts.models import PendingRegistration, User
from forum.api.v1.openapi import document
from forum.discussion import services
from forum.discussion.models import Post, PostRevision, Thread
from forum.errors import RateLimited
from forum.extensions import socketio
from forum.realtime import events
from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD, count, district, get, make_user, opening_of, room_of, run

PATHOLOGICAL = "[" * 20_000  # quadratic for Python-Markdown's link parser


@pytest.fixture
def limits_on(app):
    app.config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_REPLY="2/minute",
        RATELIMIT_THREAD="1/minute",
        RATELIMIT_EDIT="2/minute",
        RATELIMIT_REGISTRATION="2/hour",
        RATELIMIT_SOCKET_JOIN="3/minute",
        RATELIMIT_SOCKET_LEAVE="3/minute",
        RATELIMIT_SOCKET_POST_REPLY="3/minute",
        RATELIMIT_SOCKET_TYPING="3/minute",
        LOGIN_FREE_FAILURES_PER_ACCOUNT=3,
        LOGIN_FREE_FAILURES_PER_ADDRESS=6,
        LOGIN_LOCKOUT_SECONDS=30,
        LOGIN_LOCKOUT_MAX_SECONDS=100,
    )
    return app


@pytest.fixture
def api(app) -> ApiClient:
    return ApiClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def clock(monkeypatch):
    """Move the wall clock forward (the counters expire by time.time())."""
    real = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


@pytest.fixture
def no_rendering(monkeypatch):
    """Rendering Markdown fails the request: proof that a refused request never renders."""

    def render_markdown(source):
        raise AssertionError("rendered a body the rate limit should have refused first")

    monkeypatch.setattr(services, "render_markdown", render_markdown)


def assert_limited_page(response, message: str = "Piszesz bardzo szybko"):
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 3600
    assert message in response.get_data(as_text=True)
    assert not has_app_context()  # nothing of the request stays behind


def assert_limited_json(body: dict, retry_after: str | None = None):
    error = body["error"]
    assert error["code"] == "rate_limited"
    assert error["message"]
    assert error["fields"] == {}
    assert error["retry_after"] >= 1
    if retry_after is not None:
        assert str(error["retry_after"]) == retry_after


def client_from(app, address: str):
    """A browser at another client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# --- replies ---------------------------------------------------------------------------------


def test_replies_by_form_are_limited_with_429_and_retry_after(limits_on, client, auth, thread):
    jan = make_user("Jan")
    auth.login(jan)
    for body in ("pierwsza", "druga"):
        assert client.post(f"/threads/{thread.id}/replies", data={"body": body}).status_code == 302
    response = client.post(f"/threads/{thread.id}/replies", data={"body": "trzecia"})
    assert_limited_page(response)
    assert int(response.headers["Retry-After"]) <= 60
    assert count(Post, Post.author_id == jan.id) == 2


def test_replies_by_api_are_limited_with_429_and_retry_after(limits_on, api, thread):
    jan = make_user("Jan")
    api.login(jan)
    url = f"/api/v1/threads/{thread.id}/posts"
    for body in ("pierwsza", "druga"):
        assert api.post(url, json={"body": body}).status_code == 201
    response = api.post(url, json={"body": "trzecia"})
    assert response.status_code == 429
    assert_limited_json(response.get_json(), response.headers["Retry-After"])
    assert count(Post, Post.author_id == jan.id) == 2


def test_form_api_and_socket_count_against_one_reply_limit(
    limits_on, client, auth, api, connect, thread
):
    limits_on.config["RATELIMIT_REPLY"] = "3/minute"
    jan = make_user("Jan")
    auth.login(jan)
    api.login(jan)
    form_url, api_url = f"/threads/{thread.id}/replies", f"/api/v1/threads/{thread.id}/posts"
    assert client.post(form_url, data={"body": "formularz"}).status_code == 302
    assert api.post(api_url, json={"body": "API"}).status_code == 201
    sock = connect(client)
    ack = sock.emit(events.POST_REPLY, {"thread_id": thread.id, "body": "gniazdo"})
    assert "post_id" in ack
    limited = sock.emit(events.POST_REPLY, {"thread_id": thread.id, "body": "za dużo"})
    assert_limited_json(limited)
    assert api.post(api_url, json={"body": "x"}).status_code == 429
    assert client.post(form_url, data={"body": "x"}).status_code == 429
    assert count(Post, Post.author_id == jan.id) == 3


def test_the_reply_limit_is_per_person(limits_on, thread):
    jan, ewa = make_user("Jan"), make_user("Ewa")
    run(services.create_reply, jan, thread.id, "1")
    run(services.create_reply, jan, thread.id, "2")
    run(services.create_reply, ewa, thread.id, "Ewa też może")
    with pytest.raises(RateLimited):
        run(services.create_reply, jan, thread.id, "3")


def test_the_reply_window_moves_on(limits_on, clock, thread):
    jan = make_user("Jan")
    run(services.create_reply, jan, thread.id, "1")
    run(services.create_reply, jan, thread.id, "2")
    with pytest.raises(RateLimited) as refused:
        run(services.create_reply, jan, thread.id, "3")
    clock(refused.value.retry_after + 1)
    run(services.create_reply, jan, thread.id, "3, po chwili")


def test_limits_are_off_unless_enabled(app, thread):
    jan = make_user("Jan")
    for number in range(5):
        run(services.create_reply, jan, thread.id, str(number))
    assert count(Post, Post.author_id == jan.id) == 5


# --- threads and edits -----------------------------------------------------------------------


def test_threads_are_limited_by_form_and_api(limits_on, client, auth, api):
    jan = make_user("Jan")
    room = room_of("XIII")
    auth.login(jan)
    api.login(jan)
    data = {"title": "Ławki na Plantach", "body": "Więcej ławek."}
    assert client.post(f"/rooms/{room.id}/threads", data=data).status_code == 302
    assert_limited_page(client.post(f"/rooms/{room.id}/threads", data=data))
    response = api.post(f"/api/v1/rooms/{room.id}/threads", json=data)
    assert response.status_code == 429
    assert_limited_json(response.get_json(), response.headers["Retry-After"])
    assert count(Thread, Thread.author_id == jan.id) == 1


def test_edits_are_limited_by_form_and_api(limits_on, client, auth, api, anna, thread):
    post = opening_of(thread.id)
    auth.login(anna)
    api.login(anna)
    assert client.post(f"/posts/{post.id}/edit", data={"body": "wersja 2"}).status_code == 302
    assert api.patch(f"/api/v1/posts/{post.id}", json={"body": "wersja 3"}).status_code == 200
    assert_limited_page(
        client.post(f"/posts/{post.id}/edit", data={"body": "wersja 4"}), "Edytujesz bardzo szybko"
    )
    response = api.patch(f"/api/v1/posts/{post.id}", json={"body": "wersja 4"})
    assert response.status_code == 429
    assert_limited_json(response.get_json(), response.headers["Retry-After"])
    assert get(Post, post.id).body_source == "wersja 3"
    assert count(PostRevision, PostRevision.post_id == post.id) == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/rooms/{room_id}/threads"),
        ("post", "/api/v1/threads/{thread_id}/posts"),
        ("patch", "/api/v1/posts/{post_id}"),
        ("post", "/api/v1/session"),
    ],
)
def test_the_api_document_declares_429_with_retry_after(method, path):
    answer = document()["paths"][path][method]["responses"]["429"]
    assert answer["headers"]["Retry-After"]["required"] is True
    schema = answer["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/RateLimitedAnswer"}


# --- the order: a refused request does no expensive work --------------------------------------


def test_a_limited_pathological_reply_is_never_rendered(
    limits_on, client, auth, api, connect, thread, no_rendering
):
    limits_on.config["RATELIMIT_REPLY"] = "1/minute"
    jan = make_user("Jan")
    with pytest.raises(AssertionError):  # the patch works: an accepted body would be rendered
        run(services.create_reply, jan, thread.id, "pierwsza")
    auth.login(jan)
    api.login(jan)
    form = client.post(f"/threads/{thread.id}/replies", data={"body": PATHOLOGICAL})
    assert form.status_code == 429
    by_api = api.post(f"/api/v1/threads/{thread.id}/posts", json={"body": PATHOLOGICAL})
    assert by_api.status_code == 429
    ack = connect(client).emit(events.POST_REPLY, {"thread_id": thread.id, "body": PATHOLOGICAL})
    assert_limited_json(ack)
    assert count(Post, Post.author_id == jan.id) == 0


def test_limited_pathological_threads_and_edits_are_never_rendered(
    limits_on, client, auth, anna, thread, no_rendering
):
    limits_on.config.update(RATELIMIT_THREAD="0/minute", RATELIMIT_EDIT="0/minute")
    post = opening_of(thread.id)
    auth.login(anna)
    room = room_of("XIII")
    data = {"title": "Tytuł", "body": PATHOLOGICAL}
    assert client.post(f"/rooms/{room.id}/threads", data=data).status_code == 429
    assert client.post(f"/posts/{post.id}/edit", data={"body": PATHOLOGICAL}).status_code == 429
    assert count(Thread) == 1


# --- registration ----------------------------------------------------------------------------


def registration(number: int) -> dict:
    return {
        "display_name": f"Mieszkanka {number}",
        "email": f"nowa{number}@example.pl",
        "password": "Zielone-podwórka-na-Kazimierzu",
        "home_area_id": str(district("XIII").id),
    }


def test_registrations_are_limited_per_address(limits_on, app, monkeypatch):
    for number in (1, 2):
        response = app.test_client().post("/register", data=registration(number))
        assert response.status_code != 429
    # The third is refused before its password is hashed.
    monkeypatch.setattr(accounts, "hash_password", lambda password: pytest.fail("hashed"))
    response = app.test_client().post("/register", data=registration(3))
    assert_limited_page(response, "Zbyt wiele rejestracji")
    assert count(PendingRegistration, PendingRegistration.email == "nowa3@example.pl") == 0
    # Another address has its own count.
    monkeypatch.undo()
    other = client_from(app, "192.0.2.7")
    assert other.post("/register", data=registration(4)).status_code != 429
    assert count(PendingRegistration, PendingRegistration.email == "nowa4@example.pl") == 1


# --- logins ----------------------------------------------------------------------------------


def log_in(client, user, password):
    return client.post("/login", data={"email": user.email, "password": password})


def test_login_lockout_grows_and_a_success_resets_it(limits_on, client, clock):
    limits_on.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 20  # this test is about the account
    jan = make_user("Jan")
    for _attempt in range(3):
        assert log_in(client, jan, "nie to hasło").status_code == 422
    # Locked: even the right password is refused, without checking it.
    locked = log_in(client, jan, PASSWORD)
    assert_limited_page(locked, "Zbyt wiele nieudanych")
    assert int(locked.headers["Retry-After"]) == 30
    clock(31)
    assert log_in(client, jan, "znów źle").status_code == 422  # the fourth failure: 60 s
    assert int(log_in(client, jan, PASSWORD).headers["Retry-After"]) == 60
    clock(61)
    assert log_in(client, jan, "i znowu").status_code == 422  # the fifth: 100 s, the maximum
    assert int(log_in(client, jan, PASSWORD).headers["Retry-After"]) == 100
    clock(101)
    assert log_in(client, jan, PASSWORD).status_code == 302  # the right password, after the wait
    client.post("/logout")
    # A success starts the account afresh: three failures again before a lock-out.
    for _attempt in range(3):
        assert log_in(client, jan, "nie to hasło").status_code == 422
    assert int(log_in(client, jan, PASSWORD).headers["Retry-After"]) == 30


def test_a_lockout_refuses_without_hashing(limits_on, client, monkeypatch):
    jan = make_user("Jan")
    for _attempt in range(3):
        log_in(client, jan, "nie to hasło")
    monkeypatch.setattr(accounts, "check_password_hash", lambda *a: pytest.fail("hashed"))
    assert log_in(client, jan, PASSWORD).status_code == 429


def test_unknown_addresses_lock_out_like_accounts(limits_on, client):
    ghost = User(email="nikt@example.pl")
    for _attempt in range(3):
        assert log_in(client, ghost, "hasło-zgadywane").status_code == 422
    assert log_in(client, ghost, "hasło-zgadywane").status_code == 429


def test_logins_are_limited_per_address_across_accounts(limits_on, app):
    client = app.test_client()
    people = [make_user(f"Osoba {n}") for n in range(4)]
    for person in people[:3]:  # 2 failures each: no account is locked, the address is
        for _attempt in range(2):
            assert log_in(client, person, "zgaduję").status_code == 422
    assert log_in(client, people[3], PASSWORD).status_code == 429
    other = client_from(app, "192.0.2.7")
    assert log_in(other, people[3], PASSWORD).status_code == 302


def test_login_lockout_over_the_api(limits_on, api):
    jan = make_user("Jan")
    for _attempt in range(3):
        assert api.login(jan, "nie to hasło").status_code == 401
    response = api.login(jan)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert_limited_json(response.get_json(), "30")
    assert api.get("/api/v1/session").get_json()["user"] is None


def test_a_successful_login_does_not_clear_the_address(limits_on, app):
    client = app.test_client()
    mine, others = make_user("Napastnik"), [make_user(f"Ofiara {n}") for n in range(3)]
    for person in others:
        for _attempt in range(2):
            log_in(client, person, "zgaduję")
    assert log_in(client, mine, PASSWORD).status_code == 429  # the address is locked for all


# --- socket events ---------------------------------------------------------------------------


def every_client_event() -> set[str]:
    return {name for name, _handler, _ns in socketio.handlers} - {"connect", "disconnect"}


def test_every_client_event_has_a_limit():
    assert every_client_event() == set(ratelimits.SOCKET_EVENT_LIMITS)


@pytest.mark.parametrize(
    "event",
    [events.JOIN, events.LEAVE, events.TYPING_STARTED, events.POST_REPLY],
)
def test_each_socket_event_is_limited_per_person(limits_on, client, auth, connect, thread, event):
    limits_on.config["RATELIMIT_REPLY"] = "10/minute"
    jan = make_user("Jan")
    auth.login(jan)
    sock = connect(client)
    data = {"thread_id": thread.id}
    if event == events.POST_REPLY:
        data["body"] = "odpowiedź"
    if event == events.TYPING_STARTED:
        limits_on.config["RATELIMIT_SOCKET_JOIN"] = "10/minute"
        sock.emit(events.JOIN, {"thread_id": thread.id})
    for _attempt in range(3):
        assert "error" not in sock.emit(event, data)
    limited = sock.emit(event, data)
    assert_limited_json(limited)
    assert limited["error"]["retry_after"] <= 60
    # The same person on a second connection shares the count.
    assert_limited_json(connect(client).emit(event, data))


def test_guests_are_limited_per_connection(limits_on, app, connect, thread):
    first = connect(app.test_client())
    for _attempt in range(3):
        assert "error" not in first.emit(events.JOIN, {"thread_id": thread.id})
    assert_limited_json(first.emit(events.JOIN, {"thread_id": thread.id}))
    second = connect(app.test_client())
    assert "error" not in second.emit(events.JOIN, {"thread_id": thread.id})


def test_a_limited_socket_event_is_refused_before_its_handler_runs(
    limits_on, client, auth, connect, thread, no_rendering
):
    limits_on.config["RATELIMIT_SOCKET_POST_REPLY"] = "0/minute"
    auth.login(make_user("Jan"))
    ack = connect(client).emit(events.POST_REPLY, {"thread_id": thread.id, "body": PATHOLOGICAL})
    assert_limited_json(ack)


# --- CSP reports -------------------------------------------------------------------------------


def test_csp_reports_are_limited_per_address(limits_on):
    limits_on.config["RATELIMIT_CSP_REPORT"] = "2/minute"
    report = {"csp-report": {"document-uri": "http://x/", "violated-directive": "img-src"}}
    headers = {"Content-Type": "application/csp-report"}
    browser = client_from(limits_on, "192.0.2.8")
    for _attempt in range(2):
        assert browser.post("/csp-report", json=report, headers=headers).status_code == 204
    refused = browser.post("/csp-report", json=report, headers=headers)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    other = client_from(limits_on, "192.0.2.9")
    assert other.post("/csp-report", json=report, headers=headers).status_code == 204
