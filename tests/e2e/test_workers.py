"""Two workers (two run.py processes on one SQLite file) sharing one Redis, as behind a proxy.

Each test starts its own redis-server on a free port (tests/servers.py) and two forum servers
with SOCKETIO_MESSAGE_QUEUE pointing at it; python-socketio clients connect to one worker
while the other takes the writes.
"""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.request

import pytest

from tests.e2e.conftest import ForumServer, call
from tests.socket_clients import socket_client

pytestmark = pytest.mark.e2e

THREAD_ID = 1  # the demo thread "Więcej zieleni na Zabłociu", in a room of XIII Podgórze
WAIT_SECONDS = 20
PASSWORDS = {
    "anna@example.pl": "mieszkanka-demo",
    "jan@example.pl": "mieszkaniec-demo",
    "piotr@example.pl": "ambasador-demo",
    "admin@example.pl": "admin-demo-123",
}


def wait_until(condition, seconds: float = WAIT_SECONDS, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} did not hold within {seconds} s")


class Browser:
    """One person's cookies, shared by their HTTP calls and sockets, on any worker."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def log_in(self, server: ForumServer, email: str) -> dict:
        status, body = self.call(
            server, "POST", "/api/v1/session", {"email": email, "password": PASSWORDS[email]}
        )
        assert status == 200, body
        return body["user"]

    def call(self, server: ForumServer, method: str, path: str, payload: dict | None = None):
        return call(self.opener, method, server.url + path, payload)

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


class Follower:
    """A socket following one stream as static/js/channel.js does: each event once, in seq
    order, and a new join with `after` when one is missing."""

    def __init__(self, server: ForumServer, stream: str, browser: Browser | None = None):
        self.stream = stream
        self.events: list[tuple[str, dict]] = []  # applied, in order
        self.received: list[tuple[str, dict]] = []  # as they arrived, duplicates included
        self.presence: list[dict] = []
        self.closed: list[dict] = []
        self.last_seq: int | None = None  # None until the first join: from now on
        self.lock = threading.Lock()
        self.sio = socket_client(reconnection=False)
        self.sio.on("*", self._on_event)
        self.sio.on("presence", lambda data: self.presence.append(data))
        self.sio.on("stream_closed", lambda data: self.closed.append(data))
        headers = {"Cookie": browser.cookie_header()} if browser else {}
        self.sio.connect(server.url, headers=headers, transports=["websocket"], wait_timeout=10)
        self.join()

    def join(self) -> None:
        ack = self.sio.call("join", {"stream": self.stream, "after": self.last_seq}, timeout=10)
        assert "error" not in ack, ack
        with self.lock:
            if self.last_seq is None:
                self.last_seq = ack["last_seq"]
            for event in ack["events"]:
                self._apply(event["name"], event["data"])
        if ack["presence"]:
            self.presence.append(ack["presence"])

    def _apply(self, name: str, data: dict) -> bool:
        if data["seq"] <= self.last_seq:
            return True
        if data["seq"] != self.last_seq + 1:
            return False
        self.last_seq = data["seq"]
        self.events.append((name, data))
        return True

    def _on_event(self, name: str, data=None) -> None:
        if not isinstance(data, dict) or data.get("stream") != self.stream or "seq" not in data:
            return
        with self.lock:
            self.received.append((name, data))
            in_order = self.last_seq is None or self._apply(name, data)
        if not in_order:  # a gap: ask for what is missing (off the client's reading thread)
            self.sio.start_background_task(self.join)

    def posts(self) -> list[int]:
        with self.lock:
            return [data["post"]["id"] for name, data in self.events if name == "post_created"]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def workers(tmp_path, redis_server):
    """Two forum servers on one database and one Redis: (a, b)."""
    database = tmp_path / "forum.db"
    started = []
    try:
        for _ in range(2):  # one after the other: each prepares the database at start
            server = ForumServer(database, SOCKETIO_MESSAGE_QUEUE=redis_server.url)
            server.start()
            started.append(server)
        yield tuple(started)
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def followers():
    made: list[Follower] = []

    def follow(server, stream, browser=None) -> Follower:
        follower = Follower(server, stream, browser)
        made.append(follower)
        return follower

    yield follow
    for follower in made:
        follower.close()


def reply(browser: Browser, server: ForumServer, body: str) -> int:
    status, created = browser.call(
        server, "POST", f"/api/v1/threads/{THREAD_ID}/posts", {"body": body}
    )
    assert status == 201, created
    return created["post"]["id"]


def test_a_reply_on_one_worker_reaches_the_clients_of_both_once(workers, followers):
    a, b = workers
    on_a, on_b = followers(a, f"thread:{THREAD_ID}"), followers(b, f"thread:{THREAD_ID}")
    anna = Browser()
    anna.log_in(a, "anna@example.pl")
    sent = [reply(anna, b if number % 2 else a, f"Wpis {number}") for number in range(6)]
    for follower in (on_a, on_b):
        wait_until(
            lambda f=follower: f.posts() == sent,
            what="every reply, in order",
        )
    # The last two replies came from each worker in turn: a copy of an earlier event would
    # have come before them on the same path.
    for follower in (on_a, on_b):
        seqs = [data["seq"] for _name, data in follower.received]
        assert len(seqs) == len(set(seqs)), "an event arrived twice"


def test_presence_is_the_same_on_both_workers(workers, followers):
    a, b = workers
    anna, jan = Browser(), Browser()
    anna.log_in(a, "anna@example.pl")
    jan.log_in(b, "jan@example.pl")
    stream = f"thread:{THREAD_ID}"
    watchers = [followers(a, stream, anna), followers(b, stream, jan), followers(b, stream)]

    def everyone_sees_three():
        latest = [w.presence[-1] if w.presence else None for w in watchers]
        return all(
            p is not None and p["count"] == 3 and p["guests"] == 1 and len(p["users"]) == 2
            for p in latest
        )

    wait_until(everyone_sees_three, what="the same presence (3, one guest) on both workers")
    watchers[2].close()
    wait_until(
        lambda: all(w.presence[-1]["count"] == 2 for w in watchers[:2]),
        what="presence after a guest left",
    )


def test_logging_out_on_one_worker_closes_the_socket_on_the_other(workers, followers):
    a, b = workers
    anna = Browser()
    user = anna.log_in(a, "anna@example.pl")
    on_b = followers(b, f"user:{user['id']}", anna)
    status, _ = anna.call(a, "DELETE", "/api/v1/session")
    assert status == 204
    wait_until(lambda: not on_b.sio.connected, what="the socket on the other worker closed")


def test_a_withdrawn_role_on_one_worker_takes_the_other_workers_socket_off_the_stream(
    workers, followers
):
    a, b = workers
    admin, piotr = Browser(), Browser()
    admin.log_in(a, "admin@example.pl")
    piotr_id = piotr.log_in(b, "piotr@example.pl")["id"]
    status, account = admin.call(a, "GET", f"/api/v1/admin/users/{piotr_id}")
    assert status == 200, account
    role = next(r for r in account["user"]["roles"] if r["role"] == "ambassador")
    area_stream = followers(b, f"area:{role['area_id']}", piotr)
    thread = followers(b, f"thread:{THREAD_ID}", piotr)
    status, body = admin.call(
        a,
        "POST",
        f"/api/v1/admin/users/{piotr_id}/roles/{role['id']}/withdrawal",
        {"message": "Koniec kadencji"},
    )
    assert status == 200, body
    wait_until(lambda: area_stream.closed, what="stream_closed on the other worker")
    assert area_stream.closed[0] == {
        "stream": f"area:{role['area_id']}",
        "reason": "access_withdrawn",
    }
    assert thread.sio.connected and not thread.closed  # a public thread: still his to read


def test_posts_are_accepted_while_redis_is_down_and_clients_catch_up_after(
    workers, redis_server, followers
):
    a, b = workers
    anna = Browser()
    anna.log_in(a, "anna@example.pl")
    on_b = followers(b, f"thread:{THREAD_ID}")
    before = reply(anna, a, "Przed awarią")
    wait_until(lambda: on_b.posts() == [before], what="the first reply on the other worker")
    redis_server.stop()
    started = time.monotonic()
    during = [reply(anna, a, f"W czasie awarii {number}") for number in range(3)]
    assert time.monotonic() - started < 5, "replies waited for Redis"
    redis_server.start()
    # The other worker subscribes again by itself and sends the stream's last event again:
    # the client sees the gap and catches up, with no further reply needed.
    wait_until(lambda: on_b.posts() == [before, *during], what="catching up after Redis came back")
    after = reply(anna, a, "Po awarii")
    wait_until(lambda: on_b.posts() == [before, *during, after], what="live delivery again")


def test_a_killed_workers_sockets_leave_the_presence_of_the_others(workers, followers):
    a, b = workers
    stream = f"thread:{THREAD_ID}"
    on_a = followers(a, stream)
    followers(b, stream), followers(b, stream)
    wait_until(lambda: on_a.presence and on_a.presence[-1]["count"] == 3, what="3 here")
    b.kill()
    # Its heartbeat stops: within WORKER_TTL_SECONDS (10) and a heartbeat (2) it is gone.
    wait_until(lambda: on_a.presence[-1]["count"] == 1, what="the killed worker's sockets gone")


def test_a_room_made_restricted_on_one_worker_takes_the_other_workers_guests_off_it(
    workers, followers
):
    a, b = workers
    admin = Browser()
    admin.log_in(a, "admin@example.pl")
    status, body = admin.call(a, "GET", f"/api/v1/threads/{THREAD_ID}")
    assert status == 200, body
    room_id = body["thread"]["room_id"]
    guest_thread = followers(b, f"thread:{THREAD_ID}")
    guest_room = followers(b, f"room:{room_id}")
    status, body = admin.call(
        a, "PUT", f"/api/v1/admin/rooms/{room_id}/visibility", {"public": False}
    )
    assert status == 200, body
    for follower in (guest_thread, guest_room):
        wait_until(lambda f=follower: f.closed, what="stream_closed on the other worker")
        assert follower.closed[0]["reason"] == "access_withdrawn"
