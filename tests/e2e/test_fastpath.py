"""The eventlet broadcast fast path (forum/realtime/fastpath.py) against a real server.

Every test runs with the fast path on and off (BROADCAST_FAST_PATH=0: python-engineio's own
behaviour), so both deliver the same thing: every post to every follower, once, in order, over
each transport sequence a client may use (websocket from the start, long-polling then the
upgrade, long-polling only). Posts are identified by their id only (the event envelope is not
part of this contract). What an idle connection parks in the server is read from the server
itself (FASTPATH_CENSUS=1: SIGUSR1 writes fastpath.census() to its console).
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time

import pytest
import websocket

from tests.conftest import wait_until
from tests.e2e.conftest import BROWSER_WAIT_MS, ForumServer, browser_api, call, logged_in
from tests.socket_clients import socket_client

pytestmark = pytest.mark.e2e

THREAD_ID = 1  # the demo thread "Więcej zieleni na Zabłociu"
WAIT_SECONDS = 20
FOLLOWERS = 4
POSTS = 20

FAST_PATH = pytest.mark.parametrize("fast_path", ["1", "0"], ids=["fast-path", "engineio-own"])
TRANSPORTS = pytest.mark.parametrize(
    "transports",
    [["websocket"], ["polling", "websocket"], ["polling"]],
    ids=["websocket", "polling-then-upgrade", "polling-only"],
)
CENSUS_LINE = "fastpath census: "


class Server:
    """A ForumServer whose console (stderr, kept in a file) can be searched afterwards."""

    def __init__(self, tmp_path, **environment: str):
        self.forum = ForumServer(tmp_path / "forum.db", **environment)
        self.forum.start()
        self.url = self.forum.url

    @classmethod
    def of(cls, forum: ForumServer) -> Server:
        """One already started."""
        server = cls.__new__(cls)
        server.forum, server.url = forum, forum.url
        return server

    def census(self) -> dict:
        """What the server holds now (it must run with FASTPATH_CENSUS=1)."""
        seen = self._census_lines()
        self.forum.process.send_signal(signal.SIGUSR1)
        wait_until(lambda: len(self._census_lines()) > len(seen), 10, what="the census")
        return json.loads(self._census_lines()[-1])

    def _census_lines(self) -> list[str]:
        text = self.forum.console.read_text(errors="replace")
        whole = text[: text.rfind("\n") + 1]  # not a line still being written
        return [line.split(CENSUS_LINE, 1)[1] for line in whole.splitlines() if CENSUS_LINE in line]

    def stop(self) -> str:
        """Stop the server; its whole stderr."""
        self.forum.stop()
        return self.forum.console.read_text(errors="replace")


@pytest.fixture
def start_server(tmp_path):
    started: list[Server] = []

    def start(**environment: str) -> Server:
        server = Server(tmp_path, **environment)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class Follower:
    """A python-socketio client following the demo thread: the post ids it was sent, in order."""

    def __init__(self, url: str, transports: list[str]):
        self.ids: list[int] = []
        self.arrived = threading.Condition()
        # request_timeout: python-engineio's client gives up an upgrade after it (5 s by default),
        # and stays on long-polling for good; this machine may be busy with other tests.
        self.sio = socket_client(reconnection=False, request_timeout=WAIT_SECONDS)
        self.sio.on("post_created", self._on_post)
        self.sio.connect(url, transports=transports, wait_timeout=WAIT_SECONDS)
        ack = self.sio.call("join", {"thread_id": THREAD_ID}, timeout=10)
        assert "error" not in ack, ack

    def _on_post(self, data: dict) -> None:
        with self.arrived:
            self.ids.append(data["post"]["id"])
            self.arrived.notify_all()

    def wait_for(self, count: int) -> list[int]:
        deadline = time.monotonic() + WAIT_SECONDS
        with self.arrived:
            while len(self.ids) < count and time.monotonic() < deadline:
                self.arrived.wait(timeout=0.5)
            return list(self.ids)


@pytest.fixture
def followers():
    made: list[Follower] = []

    def make(url: str, transports: list[str], count: int = FOLLOWERS) -> list[Follower]:
        for _ in range(count):
            made.append(Follower(url, transports))
        return made[-count:]

    yield make
    for follower in made:
        if follower.sio.connected:
            follower.sio.disconnect()


def wait_for_transport(clients: list[Follower], transport: str) -> None:
    """python-engineio's client upgrades as a browser's io() does (right after the handshake)."""
    for client in clients:
        wait_until(
            lambda c=client: c.sio.transport() == transport,
            WAIT_SECONDS,
            what=f"{transport} for every client",
        )


def greenthreads_added(before: dict, after: dict) -> dict[str, int]:
    roles = set(before["greenthreads"]) | set(after["greenthreads"])
    added = {
        role: after["greenthreads"].get(role, 0) - before["greenthreads"].get(role, 0)
        for role in roles
    }
    return {role: count for role, count in added.items() if count}


@FAST_PATH
@TRANSPORTS
def test_what_an_idle_connection_parks_in_the_server(
    start_server, followers, fast_path, transports
):
    """With the fast path, an idle connection on websocket, from the start or upgraded, parks
    one greenthread (its reader) and has a DrainedQueue; none parks python-engineio's writer or
    ping sleeper. On long-polling it parks its poll (long-polling is that). Without the fast
    path the census sees python-engineio's writer and ping sleeper: it can tell them apart."""
    count = 6
    server = start_server(BROADCAST_FAST_PATH=fast_path, FASTPATH_CENSUS="1")
    before = server.census()
    clients = followers(server.url, transports, count=count)
    wait_for_transport(clients, transports[-1])
    on_websocket = transports[-1] == "websocket"
    if fast_path == "1" and on_websocket:
        # each has left its HTTP handler (run.py): no handler's greenthread parked under it
        expected = {"websocket reader, own greenthread": count}
    elif fast_path == "1":
        expected = {"poll": count}
    elif on_websocket:
        expected = {"websocket reader": count, "engineio writer": count, "engineio ping": count}
    else:
        expected = {"poll": count, "engineio ping": count}
    roles = list(expected) + [
        "websocket reader",
        "engineio writer",
        "engineio ping",
        "drained writer",
        "poll",
    ]
    census: dict = {}

    def as_expected() -> bool:  # idle: the join's presence update has gone out, no poll between
        nonlocal census
        census = server.census()
        added = greenthreads_added(before, census)
        return {role: added.get(role, 0) for role in roles} == {
            role: expected.get(role, 0) for role in roles
        }

    wait_until(as_expected, WAIT_SECONDS, what=f"{expected} (last census: {census})")
    assert census["sockets"] == {
        "websocket": count if on_websocket else 0,
        "polling": 0 if on_websocket else count,
        "drained queue": count if on_websocket and fast_path == "1" else 0,
    }
    log = server.stop()
    assert "Traceback" not in log, log


@TRANSPORTS
def test_a_connection_that_goes_away_leaves_nothing_behind(start_server, followers, transports):
    """With the fast path, clients that disconnect leave no engine.io socket, no greenthread of
    any role, and, on websocket, no place taken in the server's pool (a websocket that has left
    its HTTP handler holds one of its own until it ends). (python-engineio's own path is left
    out: its ping greenthreads sleep out their interval after a disconnect.) A reader whose
    socket the server closed under it (the client's CLOSE packet: the writer closes the socket)
    may not be woken by eventlet, and ends at its read timeout, ping interval + ping timeout
    (as it did in its HTTP handler): here 4 s, well within the wait."""
    count = 4
    server = start_server(
        FASTPATH_CENSUS="1", SOCKETIO_PING_INTERVAL="2", SOCKETIO_PING_TIMEOUT="2"
    )
    before = server.census()
    clients = followers(server.url, transports, count=count)
    wait_for_transport(clients, transports[-1])
    joined = server.census()
    assert len(joined["sockets"]) and sum(joined["sockets"].values()) >= count
    if transports == ["websocket"]:
        assert joined["pool in use"] >= count  # (and any HTTP connection still open)
    for client in clients:
        client.sio.disconnect()
    census: dict = {}

    def all_gone() -> bool:
        nonlocal census
        census = server.census()
        gone = (
            census["sockets"] == {"websocket": 0, "polling": 0, "drained queue": 0}
            # ("other": python-engineio's service task starts with the first connection)
            and all(
                count <= 0
                for role, count in greenthreads_added(before, census).items()
                if role != "other"
            )
        )
        if transports == ["websocket"]:  # no HTTP keep-alive connections of the client's
            gone = gone and census["pool in use"] <= before["pool in use"]
        return gone

    try:
        wait_until(all_gone, WAIT_SECONDS, what="nothing left")
    except AssertionError as error:
        raise AssertionError(f"{error} (before: {before}; last census: {census})") from None
    log = server.stop()
    assert "Traceback" not in log, log


def post(anna, server, body: str) -> int:
    status, created = call(
        anna, "POST", f"{server.url}/api/v1/threads/{THREAD_ID}/posts", {"body": body}
    )
    assert status == 201, created
    return created["post"]["id"]


@FAST_PATH
@TRANSPORTS
def test_every_follower_gets_every_post_once_and_in_order(
    start_server, followers, fast_path, transports
):
    server = start_server(BROADCAST_FAST_PATH=fast_path)
    clients = followers(server.url, transports)
    wait_for_transport(clients, transports[-1])
    anna = logged_in(server.forum, "anna@example.pl")
    sent = [post(anna, server, f"Wpis {number}") for number in range(POSTS)]
    for client in clients:
        assert client.wait_for(POSTS) == sent, (client.ids, sent)
        assert client.sio.transport() == transports[-1]
    log = server.stop()
    assert "Traceback" not in log, log
    assert "fast path not installed" not in log  # the fast-path runs really had it


class SilentClient:
    """A raw socket.io client that joins the thread and then never answers a ping.

    It keeps sending engine.io NOOPs, so the server's read timeout never closes it: only the
    ping timeout can, which python-engineio finds when it next sends to it (a broadcast) or
    when its service task comes by.
    """

    def __init__(self, port: int):
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", timeout=10
        )
        assert self.ws.recv().startswith("0")  # engine.io open
        self.ws.send("40")
        assert self.ws.recv().startswith("40")  # socket.io connect
        self.ws.send('420["join",' + json.dumps({"thread_id": THREAD_ID}) + "]")
        while not self.ws.recv().startswith("430"):  # the join ack (pings go unanswered)
            pass
        self.closed = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._keep_sending, daemon=True).start()

    def _read(self) -> None:
        try:
            while self.ws.recv():  # pings and posts, never answered
                pass
        except Exception:  # closed by the server
            pass
        self.closed.set()

    def _keep_sending(self) -> None:
        while not self.closed.wait(0.1):
            try:
                self.ws.send("6")  # engine.io NOOP: data, but not a pong
            except Exception:
                return

    def close(self) -> None:
        self.closed.set()
        self.ws.close()


@FAST_PATH
def test_a_connection_whose_pings_time_out_does_not_stop_a_broadcast(
    start_server, followers, fast_path
):
    """A broadcast that finds a recipient past its ping timeout closes that one and carries on
    to the others (python-engineio's send returns quietly there; the fast path must too)."""
    server = start_server(
        # The followers (python-socketio clients) answer within the timeout even on a busy
        # machine; the silent one is past it 3.5 s after it connected.
        BROADCAST_FAST_PATH=fast_path,
        SOCKETIO_PING_INTERVAL="0.5",
        SOCKETIO_PING_TIMEOUT="3",
    )
    silent = SilentClient(server.forum.port)  # first in the room: the others come after it
    try:
        clients = followers(server.url, ["websocket"], count=3)
        anna = logged_in(server.forum, "anna@example.pl")
        sent: list[int] = []
        # Posting all along while the silent one times out: a broadcast meets it past its
        # timeout (before the service task does, nearly always), which closes it.
        deadline = time.monotonic() + WAIT_SECONDS
        while not silent.closed.is_set() and time.monotonic() < deadline:
            sent.append(post(anna, server, f"Wpis {len(sent)}"))
        assert silent.closed.is_set(), "the server never closed the silent connection"
        sent += [post(anna, server, f"Po zamknięciu {number}") for number in range(3)]
        for client in clients:
            assert client.wait_for(len(sent)) == sent
            assert client.sio.connected
    finally:
        silent.close()
    log = server.stop()
    assert "SocketIsClosedError" not in log, log
    assert "Traceback" not in log, log


class LegacyClient:
    """A socket.io client over a hixie-75 websocket (no Sec-WebSocket-Version), which eventlet
    still accepts: frames are \\x00<utf-8>\\xff."""

    def __init__(self, port: int):
        self.conn = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.conn.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                "Upgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n"
            ).encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self._receive()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def _receive(self) -> None:
        chunk = self.conn.recv(65536)  # the socket's timeout is the deadline
        assert chunk, "closed by the server"
        self.buffer += chunk

    def message(self) -> str:
        while b"\xff" not in self.buffer:
            self._receive()
        frame, self.buffer = self.buffer.split(b"\xff", 1)
        assert frame.startswith(b"\x00"), frame
        return frame[1:].decode()

    def message_starting(self, prefix: str) -> str:
        while not (message := self.message()).startswith(prefix):
            pass
        return message

    def send(self, message: str) -> None:
        self.conn.sendall(b"\x00" + message.encode() + b"\xff")


@FAST_PATH
def test_a_legacy_websocket_client_is_served_and_does_not_stop_a_broadcast(
    start_server, followers, fast_path
):
    """The fast path writes RFC 6455 frames only: a hixie-75 connection, which frames
    differently, gets python-engineio's path, and nothing raises for it or for the others."""
    server = start_server(BROADCAST_FAST_PATH=fast_path)
    legacy = LegacyClient(server.forum.port)
    try:
        assert legacy.message().startswith("0")  # engine.io open
        legacy.send("40")
        legacy.message_starting("40")  # socket.io connect
        legacy.send('420["join",' + json.dumps({"thread_id": THREAD_ID}) + "]")
        legacy.message_starting("430")  # the join ack
        (follower,) = followers(server.url, ["websocket"], count=1)  # after it in the room
        anna = logged_in(server.forum, "anna@example.pl")
        sent = [post(anna, server, f"Wpis {number}") for number in range(3)]
        received = [
            json.loads(legacy.message_starting('42["post_created"')[2:])[1]["post"]["id"]
            for _ in sent
        ]
        assert received == sent
        assert follower.wait_for(len(sent)) == sent
    finally:
        legacy.conn.close()
    log = server.stop()
    assert "Traceback" not in log, log


# --- a real browser: the pages' own io() options ------------------------------------------------

THREAD = "/threads/1"
JAN = ("jan@example.pl", "mieszkaniec-demo", "Jan Zieliński")


@pytest.fixture
def forum_server(tmp_path, request):
    """The browser tests' server (open_page uses it), with the census on, and the environment
    a test gives by indirect parametrisation."""
    environment = {"FASTPATH_CENSUS": "1"} | getattr(request, "param", {})
    server = ForumServer(tmp_path / "forum.db", **environment)
    server.start()
    yield server
    server.stop()


# Websocket handshakes refused (400), as behind a proxy that cannot pass them. (A Playwright
# websocket route can only close a socket cleanly, which the client takes for a dropped
# connection and retries, not for a refused transport.)
REFUSING_WEBSOCKETS = pytest.mark.parametrize(
    "forum_server", [{"TEST_REFUSE_WEBSOCKET": "1"}], indirect=True, ids=["websocket-refused"]
)


class Transports:
    """The socket.io requests a page makes: websockets opened, long-polling requests."""

    def __init__(self, page):
        self.websockets: list[str] = []
        self.polls: list[str] = []
        page.on("websocket", lambda ws: self.websockets.append(ws.url))
        page.on(
            "request",
            lambda request: "transport=polling" in request.url and self.polls.append(request.url),
        )


def live_post_reaches(page, forum_server) -> None:
    """Once the page has joined (it lists its reader as here), a post made elsewhere shows."""
    expect = browser_api().expect
    expect(page.locator("#presence")).to_contain_text(JAN[2], timeout=BROWSER_WAIT_MS)
    body = f"Na żywo przez {time.monotonic_ns()}"
    post(logged_in(forum_server, "anna@example.pl"), forum_server, body)
    expect(page.locator("li.post > article", has_text=body)).to_be_visible(timeout=BROWSER_WAIT_MS)


def census_of(forum_server) -> dict:
    return Server.of(forum_server).census()


def test_a_page_connects_on_websocket_first_and_gets_live_posts(open_page, forum_server):
    page = open_page(JAN, "/")
    seen = Transports(page)
    page.goto(forum_server.url + THREAD)
    live_post_reaches(page, forum_server)
    assert [url for url in seen.websockets if "/socket.io/" in url] != []
    assert seen.polls == []  # no polling at all: the websocket came first
    # The home page's socket goes when the server reads its close, which a loaded machine
    # may not have done yet.
    only_the_thread_page = {"websocket": 1, "polling": 0, "drained queue": 1}
    wait_until(
        lambda: census_of(forum_server)["sockets"] == only_the_thread_page,
        WAIT_SECONDS,
        what=f"sockets {only_the_thread_page}",
    )


@REFUSING_WEBSOCKETS
def test_a_page_whose_websocket_is_refused_falls_back_to_polling_and_gets_live_posts(
    open_page, forum_server
):
    page = open_page(JAN, "/")
    seen = Transports(page)
    page.goto(forum_server.url + THREAD)
    live_post_reaches(page, forum_server)
    assert seen.polls != [] and seen.websockets != []  # tried first, refused
    # The home page's socket may still be there: a polling client that leaves says nothing,
    # the server drops it at its ping timeout.
    census = census_of(forum_server)["sockets"]
    assert census["polling"] >= 1 and census["websocket"] == census["drained queue"] == 0
