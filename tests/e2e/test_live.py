"""Live delivery with a real server (eventlet) and real python-socketio clients on loopback."""

from __future__ import annotations

import threading
import time

import pytest

from config import Config
from tests.e2e.conftest import call, logged_in
from tests.socket_clients import socket_client

pytestmark = pytest.mark.e2e

THREAD_ID = 1  # the demo thread "Więcej zieleni na Zabłociu"
WAIT_SECONDS = 15


class Follower:
    """A client that follows one thread the way the browser script does: catch-up by seq."""

    def __init__(self, url: str):
        self.url = url
        self.posts: list[dict] = []
        self.last_seq: int | None = None  # None until the first join: start from now
        self.arrived = threading.Condition()
        self.sio = socket_client(reconnection=False)
        self.sio.on("post_created", self._on_post)

    def _apply(self, data: dict) -> None:
        with self.arrived:
            if data["seq"] > self.last_seq:
                self.posts.append(data["post"])
                self.last_seq = data["seq"]
            self.arrived.notify_all()

    def _on_post(self, data: dict) -> None:
        self._apply(data)

    def connect(self) -> None:
        self.sio = socket_client(reconnection=False)
        self.sio.on("post_created", self._on_post)
        self.sio.connect(self.url, transports=["websocket"], wait_timeout=10)
        ack = self.sio.call("join", {"thread_id": THREAD_ID, "after": self.last_seq}, timeout=10)
        assert "error" not in ack and ack["complete"]
        if self.last_seq is None:
            self.last_seq = ack["last_seq"]
        for event in ack["events"]:
            if event["name"] == "post_created":
                self._apply(event["data"])
            else:
                self.last_seq = max(self.last_seq, event["data"]["seq"])

    def disconnect(self) -> None:
        self.sio.disconnect()

    def wait_for(self, count: int) -> list[dict]:
        deadline = time.monotonic() + WAIT_SECONDS
        with self.arrived:
            while len(self.posts) < count and time.monotonic() < deadline:
                self.arrived.wait(timeout=0.5)
        return self.posts


def post(opener, server, body: str) -> int:
    status, created = call(
        opener, "POST", f"{server.url}/api/v1/threads/{THREAD_ID}/posts", {"body": body}
    )
    assert status == 201, created
    return created["post"]["id"]


@pytest.fixture
def anna(forum_server):
    return logged_in(forum_server, "anna@example.pl")


@pytest.fixture
def followers(forum_server):
    made: list[Follower] = []

    def make(count: int) -> list[Follower]:
        for _ in range(count):
            follower = Follower(forum_server.url)
            follower.connect()
            made.append(follower)
        return made[-count:]

    yield make
    for follower in made:
        if follower.sio.connected:
            follower.disconnect()


def test_a_post_over_http_reaches_every_client(forum_server, anna, followers):
    clients = followers(5)
    post_id = post(anna, forum_server, "Do wszystkich")
    for client in clients:
        assert [p["id"] for p in client.wait_for(1)] == [post_id]


def test_a_client_away_during_20_posts_catches_up_exactly_those_in_order(
    forum_server, anna, followers
):
    away, present = followers(2)
    post(anna, forum_server, "przed")
    away.wait_for(1)
    away.disconnect()
    missed = [post(anna, forum_server, f"Wpis {number}") for number in range(20)]
    present.wait_for(21)
    away.connect()
    assert [p["id"] for p in away.wait_for(21)][1:] == missed
    after = post(anna, forum_server, "po powrocie")
    assert [p["id"] for p in away.wait_for(22)][1:] == missed + [after]
    assert len(away.posts) == 22


def test_a_client_gets_everything_after_its_seq_across_a_server_crash(
    forum_server, anna, followers
):
    (client,) = followers(1)
    post(anna, forum_server, "przed awarią")
    client.wait_for(1)
    forum_server.kill()
    client.disconnect()
    forum_server.start()
    anna = logged_in(forum_server, "anna@example.pl")
    missed = [post(anna, forum_server, f"po restarcie {number}") for number in range(3)]
    client.connect()
    assert [p["id"] for p in client.wait_for(4)][1:] == missed


def test_websocket_handshake_declines_compression(forum_server):
    """Browsers offer permessage-deflate; the forum sends frames uncompressed (PERFORMANCE.md)."""
    import socket

    with socket.create_connection(("127.0.0.1", forum_server.port), timeout=10) as conn:
        conn.sendall(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        )
        response = conn.recv(4096).decode("latin-1")
    assert response.startswith("HTTP/1.1 101")
    assert "permessage-deflate" not in response.lower()


# Frames of the longest body allowed (~19 kB as JSON, every "ż" escaped twice: source and HTML),
# enough of them to be far more than the kernel buffers for a socket (4 MiB on Linux by default).
SLOW_BODY = "ż" * (Config.BODY_MAX_LENGTH - 10)
SLOW_POSTS = 6 * 1024 * 1024 // (12 * len(SLOW_BODY)) + 1


def test_a_slow_reader_gets_every_frame_whole_and_in_order(forum_server, anna, followers):
    """Broadcast frames are written straight to sockets when they can be: a reader that falls
    behind (tiny receive buffer, not reading) gets the rest through the queue, in order, while
    the others are not held up."""
    import json as json_module
    import socket as socket_module

    import websocket

    slow = websocket.create_connection(
        f"ws://127.0.0.1:{forum_server.port}/socket.io/?EIO=4&transport=websocket",
        timeout=10,
        sockopt=((socket_module.SOL_SOCKET, socket_module.SO_RCVBUF, 4096),),
    )
    assert slow.recv().startswith("0")  # engine.io open
    slow.send("40")
    assert slow.recv().startswith("40")  # socket.io connect
    slow.send('420["join",' + json_module.dumps({"thread_id": THREAD_ID}) + "]")
    assert slow.recv().startswith("430")  # the join ack
    (fast,) = followers(1)
    sent = [post(anna, forum_server, f"{number} {SLOW_BODY}") for number in range(SLOW_POSTS)]
    assert [p["id"] for p in fast.wait_for(SLOW_POSTS)] == sent
    received = []
    deadline = time.monotonic() + WAIT_SECONDS
    while len(received) < SLOW_POSTS and time.monotonic() < deadline:
        message = slow.recv()
        if message.startswith('42["post_created"'):
            received.append(json_module.loads(message[2:])[1]["post"]["id"])
    slow.close()
    assert received == sent


def test_quiet_connections_stay_open_through_heartbeats(tmp_path):
    """Pings (a hub timer: realtime/fastpath.py) keep a quiet connection past the timeout."""
    from tests.e2e.conftest import ForumServer

    server = ForumServer(
        tmp_path / "forum.db", SOCKETIO_PING_INTERVAL="0.5", SOCKETIO_PING_TIMEOUT="1"
    )
    server.start()
    try:
        follower = Follower(server.url)
        follower.connect()
        time.sleep(4)  # eight ping cycles, four times the timeout, with nothing else sent
        assert follower.sio.connected
        post_id = post(logged_in(server, "anna@example.pl"), server, "po ciszy")
        assert [p["id"] for p in follower.wait_for(1)] == [post_id]
        follower.disconnect()
    finally:
        server.stop()


@pytest.mark.parametrize(("origin", "allowed"), [(None, True), ("http://evil.example", False)])
def test_sockets_from_other_origins_are_refused(forum_server, origin, allowed):
    """SOCKETIO_CORS_ORIGINS is unset: only the forum's own pages may open a socket."""
    import socket

    headers = f"Origin: {origin}\r\n" if origin else ""
    with socket.create_connection(("127.0.0.1", forum_server.port), timeout=10) as conn:
        conn.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{forum_server.port}\r\n{headers}Upgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        status_line = conn.recv(4096).decode("latin-1").split("\r\n")[0]
    assert status_line.startswith("HTTP/1.1 101") is allowed
