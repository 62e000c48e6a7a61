"""The eventlet broadcast fast path, piece by piece (forum/realtime/fastpath.py).

Real eventlet websockets over a socketpair (eventlet's green sockets work without
monkey-patching this process) and a real python-engineio Socket with a small fake server.
Every test that installs the patch takes the `patched` fixture, which puts python-engineio's
and eventlet's own functions back afterwards, so other tests see them stock.
"""

from __future__ import annotations

import gc
import gzip
import io
import logging
import re
import socket
import struct
import time
import zlib
from pathlib import Path

import engineio
import eventlet
import eventlet.hubs
import eventlet.queue
import greenlet
import pytest
import socketio
from engineio import packet as eio_packet
from engineio import socket as eio_socket
from engineio.base_server import BaseServer
from eventlet.greenio import GreenSocket
from eventlet.websocket import RFC6455WebSocket, WebSocket

from forum.realtime import fastpath

TEXT, CLOSE = 0x81, 0x88  # first byte of an unfragmented text frame, of a close frame
STOCK = {
    "_ok": BaseServer._ok,
    "_gzip": BaseServer._gzip,
    "_deflate": BaseServer._deflate,
    "send": eio_socket.Socket.send,
    "_websocket_handler": eio_socket.Socket._websocket_handler,
    "schedule_ping": eio_socket.Socket.schedule_ping,
    "ws.send": RFC6455WebSocket.send,
    "emit": socketio.manager.Manager.emit,
}


def stock_restored() -> bool:
    return (
        eio_socket.Socket.send is STOCK["send"]
        and eio_socket.Socket._websocket_handler is STOCK["_websocket_handler"]
        and eio_socket.Socket.schedule_ping is STOCK["schedule_ping"]
        and RFC6455WebSocket.send is STOCK["ws.send"]
        and BaseServer._ok is STOCK["_ok"]
        and BaseServer._gzip is STOCK["_gzip"]
        and BaseServer._deflate is STOCK["_deflate"]
        and socketio.manager.Manager.emit is STOCK["emit"]
    )


@pytest.fixture
def patched(monkeypatch):
    # A broadcast lets the hub run once it has worked TURN_SECONDS of wall time. On a busy
    # machine that came within one emit of a 1 MB frame, and a writer drained the queue the test
    # was about to look at. Only the turn tests below set a turn of their own.
    monkeypatch.setattr(fastpath, "TURN_SECONDS", 60.0)
    assert stock_restored() and not fastpath.installed()
    assert fastpath.install()
    yield
    fastpath.uninstall()
    assert stock_restored()


class FakeServer:
    """What an engine.io Socket uses of its server."""

    reason = BaseServer.reason
    logger = logging.getLogger("tests.realtime.fastpath")
    max_http_buffer_size = 1_000_000
    async_handlers = False

    def __init__(self, ping_interval: float = 25, ping_timeout: float = 20):
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.events: list[tuple] = []

    def create_queue(self):
        return eventlet.queue.Queue()

    def get_queue_empty_exception(self):
        return eventlet.queue.Empty

    def _trigger_event(self, event, *args, run_async=False):
        self.events.append((event, *args))

    def start_background_task(self, *args, **kwargs):
        raise AssertionError("the fast path parks no greenthread per connection")


def parse_frames(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Server frames (unmasked) in the bytes: [(first byte, payload)], and the incomplete rest."""
    frames = []
    while len(data) >= 2:
        assert not data[1] & 0x80, "a server frame is never masked"
        length, offset = data[1] & 0x7F, 2
        if length == 126:
            if len(data) < 4:
                break
            length, offset = struct.unpack("!H", data[2:4])[0], 4
        elif length == 127:
            if len(data) < 10:
                break
            length, offset = struct.unpack("!Q", data[2:10])[0], 10
        if len(data) < offset + length:
            break
        frames.append((data[0], data[offset : offset + length]))
        data = data[offset + length :]
    return frames, data


class Link:
    """A websocket's two ends: the server's RFC6455WebSocket and the client's raw socket."""

    def __init__(self, sndbuf: int | None = None, legacy: bool = False):
        server_end, client_end = socket.socketpair()
        if sndbuf:
            server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        self.log = io.StringIO()  # eventlet's websocket writes its socket errors here
        environ = {"wsgi.errors": self.log}
        self.green = GreenSocket(server_end)  # kept: a GreenSocket closes its socket when collected
        if legacy:  # what eventlet makes of a hixie-75 handshake (no Sec-WebSocket-Version)
            self.ws = WebSocket(self.green, environ, version=75)
        else:
            self.ws = RFC6455WebSocket(self.green, environ, version=13)
        self.peer = GreenSocket(client_end)
        self.received = b""

    def read(self, until, seconds: float = 5) -> bytes:
        """Read (cooperatively: writers run meanwhile) until until(received bytes) or EOF."""
        with eventlet.Timeout(seconds):
            while not until(self.received):
                chunk = self.peer.recv(1 << 20)
                if not chunk:
                    break
                self.received += chunk
        return self.received

    def frames(self, count: int) -> list[tuple[int, bytes]]:
        self.read(lambda data: len(parse_frames(data)[0]) >= count)
        return parse_frames(self.received)[0]

    def frames_until_closed(self) -> list[tuple[int, bytes]]:
        self.read(lambda data: False)
        frames, rest = parse_frames(self.received)
        assert rest == b""
        return frames

    def nothing_sent(self) -> bool:
        try:
            return self.peer.fd.recv(1 << 16) == b""  # closed, with nothing before
        except BlockingIOError:
            return True

    def close(self) -> None:
        self.green.fd.close()
        self.peer.fd.close()


@pytest.fixture
def links():
    made: list[Link] = []

    def make(**kwargs) -> Link:
        made.append(Link(**kwargs))
        return made[-1]

    yield make
    for link in made:
        link.close()


def websocket_connection(link: Link, server: FakeServer | None = None) -> eio_socket.Socket:
    """An engine.io socket on its websocket, as websocket_session() sets it up (no reader)."""
    sock = eio_socket.Socket(server or FakeServer(), "sid")
    sock.connected = sock.upgraded = True
    sock.last_ping = None  # as the handshake's schedule_ping leaves it: no ping unanswered
    sock.websocket = link.ws
    sock.direct = fastpath.direct_socket(link.ws)
    sock.queue = fastpath.DrainedQueue(link.ws)
    return sock


def message(data: str = "hello") -> eio_packet.Packet:
    return eio_packet.Packet(eio_packet.MESSAGE, data=data)


def settle(sock: eio_socket.Socket) -> None:
    """Let the connection's writer, if it has one, finish."""
    writer = sock.queue.writer
    if writer is not None:
        with eventlet.Timeout(5):
            writer.wait()


# --- the version guard ----------------------------------------------------------------------------


def test_matching_versions_are_no_mismatch():
    assert fastpath.version_mismatches(dict(fastpath.WRITTEN_FOR)) == []


def test_a_different_version_is_named_with_the_expected_one():
    installed = fastpath.WRITTEN_FOR | {"python-engineio": "4.16.0"}
    assert fastpath.version_mismatches(installed) == [
        "python-engineio 4.16.0 is installed (written for 4.15.1)"
    ]


def test_a_missing_package_is_a_mismatch():
    installed = fastpath.WRITTEN_FOR | {"eventlet": None}
    assert fastpath.version_mismatches(installed) == [
        "eventlet is not installed (written for 0.41.3)"
    ]
    assert fastpath.version_mismatches({}, {"eventlet": "0.41.3", "python-socketio": "5.18.1"}) == [
        "eventlet is not installed (written for 0.41.3)",
        "python-socketio is not installed (written for 5.18.1)",
    ]


def test_installed_versions_reads_package_metadata():
    versions = fastpath.installed_versions(["eventlet", "no-such-distribution-for-fastpath"])
    assert versions == {
        "eventlet": eventlet.__version__,
        "no-such-distribution-for-fastpath": None,
    }


def test_the_versions_it_was_written_for_are_the_pinned_ones():
    """Bumping a pin without reviewing the fast path fails here, not silently in production
    (where install() would only warn and leave the fast path off)."""
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9_.-]+)==(\S+)",
            (Path(__file__).parents[2] / "requirements.txt").read_text(),
            flags=re.MULTILINE,
        )
    )
    assert {name: pins.get(name) for name in fastpath.WRITTEN_FOR} == fastpath.WRITTEN_FOR
    assert fastpath.version_mismatches(fastpath.installed_versions()) == []


def test_install_with_other_versions_warns_and_patches_nothing(monkeypatch, caplog):
    monkeypatch.setattr(
        fastpath,
        "installed_versions",
        lambda: fastpath.WRITTEN_FOR | {"python-engineio": "4.16.0"},
    )
    with pytest.warns(fastpath.FastPathVersionWarning, match="python-engineio 4.16.0") as warned:
        assert fastpath.install() is False
    assert "python-engineio's own behaviour is used" in str(warned[0].message)
    assert "python-engineio 4.16.0" in caplog.text
    assert stock_restored() and not fastpath.installed()


def test_install_patches_once_and_uninstall_restores():
    assert fastpath.install() is True
    try:
        assert eio_socket.Socket.send is fastpath.send
        assert eio_socket.Socket._websocket_handler is fastpath.websocket_session
        assert eio_socket.Socket.schedule_ping is fastpath.schedule_ping
        assert RFC6455WebSocket.send is fastpath.send_rest_unframed
        assert BaseServer._ok is fastpath.ok
        assert BaseServer._gzip is fastpath.gzip_once
        assert BaseServer._deflate is fastpath.deflate_once
        assert fastpath.install() is True  # again: nothing wrapped twice
        assert eio_socket.Socket.send is fastpath.send
    finally:
        fastpath.uninstall()
    assert stock_restored()


# --- the rest of a frame --------------------------------------------------------------------------


def test_a_frame_rest_packet_encodes_to_its_bytes():
    pkt = fastpath.FrameRestPacket(b"\x81\x05hel")
    assert pkt.packet_type == eio_packet.NOOP
    encoded = pkt.encode()
    assert isinstance(encoded, fastpath.FrameRest) and encoded == b"\x81\x05hel"


def test_a_frame_rest_is_written_unframed_and_anything_else_framed(patched, links):
    link = links()
    link.ws.send(fastpath.FrameRest(b"lo"))
    link.ws.send("4hi")
    assert link.read(lambda data: len(data) >= 7) == b"lo" + b"\x81\x034hi"


# --- the queue drained on demand ------------------------------------------------------------------


def test_the_queue_has_a_writer_only_while_it_holds_packets(patched, links):
    link = links()
    queue = fastpath.DrainedQueue(link.ws)
    assert queue.writer is None
    queue.put(message("1"))
    writer = queue.writer
    assert writer is not None
    queue.put(message("2"))
    queue.put(message("3"))
    assert queue.writer is writer  # one writer for all of them
    with eventlet.Timeout(5):
        writer.wait()
    assert queue.writer is None and queue.qsize() == 0 and queue.unfinished_tasks == 0
    assert link.frames(3) == [(TEXT, b"41"), (TEXT, b"42"), (TEXT, b"43")]
    queue.put(message("4"))  # idle again: a new writer for the next packet
    assert queue.writer is not None and queue.writer is not writer
    assert link.frames(4)[3] == (TEXT, b"44")


def test_none_closes_the_connection_after_what_was_queued(patched, links):
    link = links()
    queue = fastpath.DrainedQueue(link.ws)
    queue.put(message("last"))
    queue.put(None)
    with eventlet.Timeout(5):
        queue.writer.wait()
    assert queue.finished and queue.writer is None
    assert link.frames_until_closed() == [(TEXT, b"4last"), (CLOSE, b"")]
    queue.put(message("too late"))  # dropped: nobody writes to a closed socket
    assert queue.writer is None and queue.qsize() == 0
    with eventlet.Timeout(1):
        queue.join()  # nothing left unfinished


def test_a_failed_write_ends_the_writer_and_drops_the_rest(patched, links):
    link = links()
    queue = fastpath.DrainedQueue(link.ws)
    link.peer.fd.close()  # the client is gone
    queue.put(message("1"))
    queue.put(message("2"))
    with eventlet.Timeout(5):
        queue.writer.wait()
    assert queue.finished and queue.qsize() == 0 and queue.unfinished_tasks == 0


# --- the patched send -----------------------------------------------------------------------------


def test_a_message_to_an_idle_websocket_is_written_straight_to_its_socket(patched, links):
    link = links()
    sock = websocket_connection(link)
    pkt = message('2["post_created",{"post":{"id":7}}]')
    sock.send(pkt)
    assert sock.queue.writer is None and sock.queue.qsize() == 0  # not through the queue
    assert pkt.frame == b"\x81" + bytes([len(pkt.encode())]) + pkt.encode().encode()
    assert link.frames(1) == [(TEXT, pkt.encode().encode())]


def count_frames_built(monkeypatch) -> list:
    built = []
    pack = RFC6455WebSocket._pack_message

    def counting_pack(self, *args, **kwargs):
        built.append(args)
        return pack(self, *args, **kwargs)

    monkeypatch.setattr(RFC6455WebSocket, "_pack_message", counting_pack)
    return built


def test_a_broadcast_frame_is_built_once_for_all_recipients(patched, links, monkeypatch):
    built = count_frames_built(monkeypatch)
    recipients = [links() for _ in range(3)]
    pkt = message("shared")
    for link in recipients:
        websocket_connection(link).send(pkt)
    assert len(built) == 1
    assert [link.frames(1) for link in recipients] == [[(TEXT, b"4shared")]] * 3


def test_a_message_waits_behind_queued_packets(patched, links):
    link = links()
    sock = websocket_connection(link)
    sock.send(eio_packet.Packet(eio_packet.PING))  # not a MESSAGE: queued
    assert sock.queue.qsize() == 1
    sock.send(message("after the ping"))
    assert sock.queue.qsize() == 2 and link.nothing_sent()
    settle(sock)
    assert link.frames(2) == [(TEXT, b"2"), (TEXT, b"4after the ping")]


def test_a_message_waits_while_a_frame_is_being_written(patched, links):
    link = links()
    sock = websocket_connection(link)
    link.ws._sendlock.acquire()  # the writer is in the middle of a frame
    sock.send(message())
    assert sock.queue.qsize() == 1 and link.nothing_sent()
    link.ws._sendlock.release()
    settle(sock)
    assert link.frames(1) == [(TEXT, b"4hello")]


def test_a_compressed_connection_gets_its_own_frame_through_the_queue(patched, links):
    link = links()
    link.ws.extensions = {"permessage-deflate": {}}
    sock = websocket_connection(link)
    pkt = message()
    sock.send(pkt)
    assert sock.queue.qsize() == 1 and link.nothing_sent()
    assert "frame" not in pkt.__dict__  # no uncompressed frame to share
    settle(sock)
    ((first_byte, _payload),) = link.frames(1)
    assert first_byte == TEXT | 0x40  # RSV1: compressed for this recipient


def test_a_message_during_polling_or_an_upgrade_goes_through_the_queue(patched, links):
    link = links()
    sock = eio_socket.Socket(FakeServer(), "sid")
    sock.connected, sock.upgrading = True, True  # long-polling, upgrading to this websocket
    sock.websocket = link.ws
    sock.send(message())
    assert sock.queue.qsize() == 1 and link.nothing_sent()
    assert sock.queue.get(block=False).encode() == "4hello"


def test_a_legacy_websocket_gets_its_own_framing_through_the_queue(patched, links):
    """eventlet also accepts hixie-75/76 handshakes: their WebSocket frames as \\x00...\\xff and
    has no extensions; the fast path must leave it to python-engineio, not raise."""
    link = links(legacy=True)
    sock = websocket_connection(link)
    sock.send(message())
    assert sock.queue.qsize() == 1 and link.nothing_sent()
    settle(sock)
    assert link.read(lambda data: data.endswith(b"\xff")) == b"\x004hello\xff"


def test_a_socket_without_a_plain_fd_gets_the_message_through_the_queue(patched, links):
    """Under TLS the websocket's socket is a GreenSSLSocket: no .fd, and raw bytes written to
    its descriptor would bypass the encryption. Stand-in: the plain socket under the green one."""
    link = links()
    link.ws.socket = link.green.fd  # not a GreenSocket, no .fd
    sock = websocket_connection(link)
    sock.send(message())
    assert sock.queue.qsize() == 1 and link.nothing_sent()
    settle(sock)
    assert link.frames(1) == [(TEXT, b"4hello")]


def test_a_frame_only_partly_taken_ends_before_the_next_one(patched, links):
    link = links(sndbuf=4096)
    sock = websocket_connection(link)
    big = "x" * 1_000_000  # far more than the socket takes at once
    sock.send(message(big))
    assert sock.queue.qsize() == 1
    assert isinstance(sock.queue.queue[0], fastpath.FrameRestPacket)
    sock.send(message("next"))
    assert sock.queue.qsize() == 2  # behind the rest, not straight to the socket
    assert link.frames(2) == [(TEXT, ("4" + big).encode()), (TEXT, b"4next")]
    settle(sock)
    assert parse_frames(link.received)[1] == b""  # nothing more, nothing torn


def test_a_socket_that_would_block_gets_the_message_through_the_queue(patched, links):
    link = links(sndbuf=4096)
    sock = websocket_connection(link)
    with pytest.raises(BlockingIOError):
        while True:  # fill the socket's buffer
            link.ws.socket.fd.send(b"\0" * 65536)
    pkt = message()
    sock.send(pkt)  # no exception
    assert sock.queue.qsize() == 1 and sock.queue.writer is not None
    data = link.read(lambda data: data.endswith(pkt.frame))  # the writer waits for the reader
    assert data.endswith(b"\0" + pkt.frame)
    settle(sock)


def test_a_broken_socket_gets_the_message_through_the_queue_and_raises_nothing(patched, links):
    link = links()
    sock = websocket_connection(link)
    link.peer.fd.close()  # the client vanished
    sock.send(message())  # no exception
    assert sock.queue.writer is not None
    settle(sock)
    assert sock.queue.finished  # the writer found it broken and closed it


def test_a_recipient_past_its_ping_timeout_is_skipped_quietly(patched, links):
    link = links()
    server = FakeServer(ping_timeout=1)
    sock = websocket_connection(link, server)
    sock.last_ping = time.time() - 10  # pinged, never answered
    assert sock.send(message()) is None  # no SocketIsClosedError
    assert sock.closed
    assert server.events == [("disconnect", "sid", BaseServer.reason.PING_TIMEOUT)]
    settle(sock)
    assert link.frames_until_closed() == [(CLOSE, b"")]  # the message was not written


def test_a_closed_recipient_is_skipped_quietly(patched, links):
    link = links()
    sock = websocket_connection(link)
    sock.closed = True
    assert sock.send(message()) is None
    assert sock.queue.qsize() == 0 and sock.queue.writer is None and link.nothing_sent()


def test_a_broadcast_goes_on_past_a_timed_out_recipient(patched, links):
    """As python-socketio's manager.emit does: one packet, sent to each recipient in turn."""
    recipients = [links() for _ in range(3)]
    sockets = [websocket_connection(link, FakeServer(ping_timeout=1)) for link in recipients]
    sockets[0].last_ping = time.time() - 10
    pkt = message("to all")
    for sock in sockets:
        sock.send(pkt)
    assert [sock.closed for sock in sockets] == [True, False, False]
    assert recipients[1].frames(1) == recipients[2].frames(1) == [(TEXT, b"4to all")]
    for sock in sockets:
        settle(sock)


class Audience:
    """A Socket.IO server whose connections are engine.io sockets on websockets (no readers): a
    room of recipients for python-socketio's manager.emit."""

    def __init__(self, links, count: int):
        self.server = socketio.Server(async_mode="eventlet")
        self.links, self.sockets, self.sids = [], [], []
        for i in range(count):
            link = links()
            sock = websocket_connection(link)
            sock.sid = f"eio{i}"
            self.server.eio.sockets[sock.sid] = sock
            sid = self.server.manager.connect(sock.sid, "/")
            self.server.manager.enter_room(sid, "/", "room", eio_sid=sock.sid)
            self.links.append(link)
            self.sockets.append(sock)
            self.sids.append(sid)


def test_a_broadcast_sends_one_packet_to_each_recipient_it_can_reach(patched, links, monkeypatch):
    """One frame for everyone, written to each socket; the sender skipped; a socket that has gone
    is skipped (and forgotten, as python-engineio forgets it) without stopping the others."""
    audience = Audience(links, 5)
    audience.sockets[1].closed = True
    del audience.server.eio.sockets["eio2"]
    built = count_frames_built(monkeypatch)
    audience.server.emit("ev", {"n": 1}, room="room", skip_sid=audience.sids[3])
    assert len(built) == 1  # one frame, written to sockets 0 and 4
    expected = [(TEXT, b'42["ev",{"n":1}]')]
    assert audience.links[0].frames(1) == audience.links[4].frames(1) == expected
    assert all(sock.queue.writer is None for sock in audience.sockets)  # written inline
    assert "eio1" not in audience.server.eio.sockets
    for i in (1, 2, 3):
        assert audience.links[i].nothing_sent()


def test_a_long_broadcast_lets_the_hub_run_and_skips_who_left_meanwhile(
    patched, links, monkeypatch
):
    """A broadcast that has worked TURN_SECONDS lets other greenthreads run before it goes on;
    a recipient taken out of the room meanwhile (it left, or its access was withdrawn) is not
    written to, and everyone else still gets the one frame in order."""
    audience = Audience(links, 4)
    monkeypatch.setattr(fastpath, "TURN_SECONDS", 0.0)  # a turn before every recipient
    ran_meanwhile = []

    def take_out_the_third():
        audience.server.manager.leave_room(audience.sids[2], "/", "room")
        ran_meanwhile.append(True)

    eventlet.spawn(take_out_the_third)
    audience.server.emit("ev", 1, room="room")
    assert len(ran_meanwhile) == 1  # ran before emit() returned, without this test yielding
    expected = [(TEXT, b'42["ev",1]')]
    for i in (0, 1, 3):
        assert audience.links[i].frames(1) == expected
    assert audience.links[2].nothing_sent()


def test_a_broadcast_within_its_turn_does_not_yield(patched, links):
    audience = Audience(links, 3)  # `patched` sets a 60 s turn: far longer than three writes
    ran_meanwhile = []
    eventlet.spawn(ran_meanwhile.append, True)
    audience.server.emit("ev", 1, room="room")
    assert ran_meanwhile == []
    eventlet.sleep(0)
    assert ran_meanwhile == [True]


def test_a_broadcast_keeps_each_connection_s_order(patched, links, monkeypatch):
    """The frame is written inline only where send() would write it at once: behind a queued
    packet or a frame being written it goes through the queue, in order; a connection whose
    ping went unanswered is checked (and one past its timeout closed, not written to); a
    compressed connection frames it for itself."""
    audience = Audience(links, 6)
    queued, writing, pinged, compressed, idle, gone = audience.sockets
    gone.server = FakeServer(ping_timeout=1)
    gone.last_ping = time.time() - 10
    queued.send(eio_packet.Packet(eio_packet.NOOP))  # not a MESSAGE: queued
    assert not queued.last_ping
    audience.links[1].ws._sendlock.acquire()  # a frame is half written
    pinged.last_ping = time.time()  # unanswered, not yet timed out
    audience.links[3].ws.extensions = {"permessage-deflate": {}}
    compressed.direct = fastpath.direct_socket(audience.links[3].ws)
    assert compressed.direct is None
    built = count_frames_built(monkeypatch)
    audience.server.emit("ev", "x", room="room")
    assert queued.queue.qsize() == 2 and audience.links[0].nothing_sent()
    assert writing.queue.qsize() == 1 and audience.links[1].nothing_sent()
    assert compressed.queue.qsize() == 1 and audience.links[3].nothing_sent()
    assert pinged.queue.qsize() == 0 and not pinged.closed  # straight out, by send()
    assert idle.queue.qsize() == 0
    assert gone.closed
    assert len(built) == 1  # the shared frame (the compressed one is built by its writer)
    audience.links[1].ws._sendlock.release()
    for sock in audience.sockets:
        settle(sock)
    assert audience.links[5].frames_until_closed() == [(CLOSE, b"")]
    event = b'42["ev","x"]'
    assert audience.links[0].frames(2) == [(TEXT, b"6"), (TEXT, event)]
    for i in (1, 2, 4):
        assert audience.links[i].frames(1) == [(TEXT, event)]
    ((first_byte, _payload),) = audience.links[3].frames(1)
    assert first_byte == TEXT | 0x40


def test_a_broadcast_to_a_socket_that_takes_part_of_the_frame_queues_the_rest(patched, links):
    audience = Audience(links, 2)
    small = Link(sndbuf=4096)
    links_made = audience.links
    links_made[0].close()  # replace the first recipient's link by one with a small buffer
    sock = audience.sockets[0]
    sock.websocket, sock.direct = small.ws, fastpath.direct_socket(small.ws)
    sock.queue = fastpath.DrainedQueue(small.ws)
    big = "x" * 1_000_000
    audience.server.emit("ev", big, room="room")
    assert isinstance(sock.queue.queue[0], fastpath.FrameRestPacket)
    audience.server.emit("ev", "next", room="room")
    assert sock.queue.qsize() == 2  # behind the rest
    frames = small.frames(2)
    assert frames == [(TEXT, f'42["ev","{big}"]'.encode()), (TEXT, b'42["ev","next"]')]
    assert audience.links[1].frames(2) == frames
    settle(sock)
    small.close()


def test_a_broadcast_to_a_socket_that_would_block_or_is_broken_raises_nothing(patched, links):
    audience = Audience(links, 3)
    full, broken, fine = audience.links
    full_end = full.ws.socket.fd
    full_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    with pytest.raises(BlockingIOError):
        while True:
            full_end.send(b"\0" * 65536)
    broken.peer.fd.close()
    audience.server.emit("ev", "x", room="room")
    assert audience.sockets[0].queue.qsize() + (audience.sockets[0].queue.writer is not None)
    assert fine.frames(1) == [(TEXT, b'42["ev","x"]')]
    data = full.read(lambda data: data.endswith(b'42["ev","x"]'))
    assert data.endswith(b'42["ev","x"]')
    for sock in audience.sockets:
        settle(sock)


def test_a_broadcast_with_a_callback_is_python_socketios_own(patched, links):
    """Each recipient needs its own ack id: that is python-socketio's code, not the fast path's."""
    audience = Audience(links, 2)
    audience.server.emit("ev", "x", room="room", callback=lambda *args: None)
    assert audience.links[0].frames(1) == [(TEXT, b'421["ev","x"]')]
    assert audience.links[1].frames(1) == [(TEXT, b'421["ev","x"]')]


# --- pings on a hub timer -------------------------------------------------------------------------


def test_schedule_ping_sets_a_hub_timer_not_a_greenthread(patched, monkeypatch):
    hub = eventlet.hubs.get_hub()
    timers = []
    monkeypatch.setattr(hub, "schedule_call_global", lambda *args: timers.append(args))
    sock = eio_socket.Socket(FakeServer(ping_interval=7), "sid")  # spawning would fail
    sock.last_ping = time.time()  # as a new connection's, before its handshake's ping cycle
    sock.schedule_ping()
    assert timers == [(7, fastpath.send_ping, sock)] and sock.last_ping is None
    sock.schedule_ping()  # a cycle is under way (no pong yet): no second timer
    assert len(timers) == 1


def test_the_timer_sends_a_ping(patched, links):
    link = links()
    sock = websocket_connection(link, FakeServer(ping_interval=0.01))
    sock.last_ping = time.time()  # as a new connection's, before its handshake's ping cycle
    sock.schedule_ping()
    assert link.frames(1) == [(TEXT, b"2")]
    assert sock.last_ping and time.time() - sock.last_ping < 5
    settle(sock)


def test_no_ping_to_a_closing_connection(patched, links):
    link = links()
    sock = websocket_connection(link)
    sock.last_ping = None
    sock.closing = True
    fastpath.send_ping(sock)
    assert sock.last_ping is None and sock.queue.qsize() == 0 and link.nothing_sent()


# --- the websocket loop ---------------------------------------------------------------------------


def test_a_websocket_session_sends_the_handshake_receives_and_ends_cleanly(patched, links):
    link = links()
    server = FakeServer()
    sock = eio_socket.Socket(server, "sid")
    sock.send(eio_packet.Packet(eio_packet.OPEN, data="{}"))  # queued before the websocket
    session = eventlet.spawn(sock._websocket_handler, link.ws)
    assert link.frames(1) == [(TEXT, b"0{}")]
    client = RFC6455WebSocket(link.peer, {}, version=13, client=True)
    client.send("4from the client")
    link.peer.shutdown(socket.SHUT_WR)  # the client goes away
    with eventlet.Timeout(5):
        assert session.wait() == []
    assert sock.closed and sock.queue.finished and sock.queue.writer is None
    assert server.events == [
        ("message", "sid", "from the client"),
        ("disconnect", "sid", BaseServer.reason.TRANSPORT_CLOSE),
    ]


# --- the upgrade from long-polling ----------------------------------------------------------------


def polling_connection(server: FakeServer | None = None) -> eio_socket.Socket:
    """An engine.io socket on long-polling, as python-engineio's handshake leaves it."""
    sock = eio_socket.Socket(server or FakeServer(), "sid")
    sock.connected = True
    return sock


def client_of(link: Link) -> RFC6455WebSocket:
    """The client's end of the websocket, framing (and masking) as a client does."""
    return RFC6455WebSocket(link.peer, {}, version=13, client=True)


def finished(greenthread, seconds: float = 5):
    with eventlet.Timeout(seconds):
        return greenthread.wait()


def live_greenlets() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, greenlet.greenlet) and not o.dead)


def upgrade(sock: eio_socket.Socket, link: Link):
    """Start the websocket handler and do the client's side of the upgrade up to UPGRADE
    (the poll in flight, if any, is the caller's): the session greenthread."""
    session = eventlet.spawn(sock._websocket_handler, link.ws)
    client = client_of(link)
    client.send("2probe")
    assert link.frames(1) == [(TEXT, b"3probe")]
    assert sock.upgrading and not sock.upgraded
    return session, client


def test_an_upgrade_does_the_exchange_and_carries_the_queue_over_in_order(patched, links):
    """The probe, a NOOP that ends the poll in flight, UPGRADE; then what no poll took goes out
    on the websocket first, in order, through a DrainedQueue, and later messages straight to the
    socket: no writer greenthread (FakeServer.start_background_task fails if one is started)."""
    link = links()
    server = FakeServer()
    sock = polling_connection(server)
    first = message("1")
    sock.send(first)
    assert sock.poll() == [first]  # answered over polling
    in_flight = eventlet.spawn(sock.poll)  # the client's next poll waits
    eventlet.sleep(0)
    session, client = upgrade(sock, link)
    assert [pkt.packet_type for pkt in finished(in_flight)] == [eio_packet.NOOP]
    sock.send(message("2"))  # while upgrading: queued for polling, not written to the websocket
    sock.send(eio_packet.Packet(eio_packet.PING))
    assert sock.queue.qsize() == 2 and not isinstance(sock.queue, fastpath.DrainedQueue)
    client.send("5")  # UPGRADE
    assert link.frames(3)[1:] == [(TEXT, b"42"), (TEXT, b"2")]
    assert sock.upgraded and not sock.upgrading
    assert isinstance(sock.queue, fastpath.DrainedQueue) and sock.websocket is link.ws
    settle(sock)
    assert sock.queue.writer is None  # idle: no writer greenthread
    sock.send(message("3"))
    assert sock.queue.writer is None and sock.queue.qsize() == 0  # straight to the socket
    assert link.frames(4)[3] == (TEXT, b"43")
    link.peer.shutdown(socket.SHUT_WR)  # the client goes away
    assert finished(session) == []
    assert sock.closed and sock.queue.finished
    assert server.events == [("disconnect", "sid", BaseServer.reason.TRANSPORT_CLOSE)]


def test_a_poll_still_waiting_at_the_upgrade_gets_a_noop(patched, links):
    """Against the protocol (a client sends UPGRADE only when its poll has been answered), but
    such a poll must not wait on the old queue until it times out and closes the connection."""
    link = links()
    sock = polling_connection()
    first_poll = eventlet.spawn(sock.poll)
    eventlet.sleep(0)
    session, client = upgrade(sock, link)
    finished(first_poll)  # the NOOP of the exchange
    late_poll = eventlet.spawn(sock.poll)
    eventlet.sleep(0)
    client.send("5")
    assert [pkt.packet_type for pkt in finished(late_poll)] == [eio_packet.NOOP]
    assert sock.upgraded and isinstance(sock.queue, fastpath.DrainedQueue)
    link.peer.shutdown(socket.SHUT_WR)
    finished(session)


def test_an_upgrade_without_the_probe_fails_and_leaves_polling_as_it_was(patched, links):
    link = links()
    sock = polling_connection()
    queue = sock.queue
    session = eventlet.spawn(sock._websocket_handler, link.ws)
    client_of(link).send("4hello")
    assert finished(session) == []
    assert not sock.upgrading and not sock.upgraded and sock.queue is queue
    assert getattr(sock, "websocket", None) is None and not sock.closed


def test_an_upgrade_without_upgrade_fails_and_leaves_polling_as_it_was(patched, links):
    link = links()
    sock = polling_connection()
    session, client = upgrade(sock, link)
    client.send("4not an upgrade")
    assert finished(session) == []
    assert not sock.upgrading and not sock.upgraded
    assert not isinstance(sock.queue, fastpath.DrainedQueue)
    assert [pkt.packet_type for pkt in sock.poll()] == [eio_packet.NOOP]  # polling goes on


def test_a_read_that_fails_during_the_upgrade_fails_it_instead_of_leaving_it_pending(
    patched, links
):
    link = links()
    server = FakeServer()
    server.max_http_buffer_size = 10
    sock = polling_connection(server)
    session = eventlet.spawn(sock._websocket_handler, link.ws)
    client_of(link).send("2probe" + "x" * 100)  # too large
    assert finished(session) == []
    assert not sock.upgrading and not sock.upgraded


def test_an_upgraded_idle_connection_parks_only_its_reader(patched, links):
    """Per idle connection, upgraded from polling: one live greenthread (its websocket reader),
    no writer; python-engineio's own handler parks a writer beside it for the connection's life.
    """
    count = 5
    before = live_greenlets()
    sessions = []
    for _ in range(count):
        link = links()
        sock = polling_connection()
        sock.send(message("queued"))  # left for the websocket: a writer runs, then ends
        session, client = upgrade(sock, link)
        client.send("5")
        assert link.frames(2)[1] == (TEXT, b"4queued")
        settle(sock)
        sessions.append((session, sock, link))
    gc.collect()
    assert live_greenlets() - before == count
    for session, sock, link in sessions:
        assert sock.queue.writer is None
        link.peer.shutdown(socket.SHUT_WR)
        finished(session)


# --- polling: a broadcast's answer encoded once ---------------------------------------------------


@pytest.fixture
def eio_server():
    return engineio.Server(async_mode="threading")


def test_a_poll_with_one_shared_packet_gets_the_same_bytes_for_every_recipient(patched, eio_server):
    pkt = message('2["post_created",{"body":"' + "ż" * 600 + '"}]')
    first = eio_server._ok([pkt])
    second = eio_server._ok([pkt])
    assert first["response"] is second["response"]  # encoded once
    assert first == fastpath._stock_ok(eio_server, [pkt])  # as python-engineio answers
    assert first["headers"] is not second["headers"]  # each answer's own list (it is extended)


def test_a_shared_poll_answer_is_compressed_once_per_encoding(patched, eio_server):
    pkt = message("x" * 2000)
    body = eio_server._ok([pkt])["response"]
    gzipped = eio_server._gzip(body)
    assert eio_server._gzip(eio_server._ok([pkt])["response"]) is gzipped
    assert gzip.decompress(gzipped) == body
    deflated = eio_server._deflate(body)
    assert eio_server._deflate(body) is deflated and zlib.decompress(deflated) == body
    assert eio_server._gzip(b"x" * 2000) is not eio_server._gzip(b"x" * 2000)  # not shared


@pytest.mark.parametrize(
    "packets, jsonp_index",
    [
        ([message("1"), message("2")], None),  # several packets
        ([eio_packet.Packet(eio_packet.MESSAGE, data=b"\x00\x01")], None),  # binary
        ([message("1")], 3),  # JSONP
        ([], None),
        (None, None),
    ],
    ids=["several", "binary", "jsonp", "empty", "none"],
)
def test_other_poll_answers_are_python_engineios_own(patched, eio_server, packets, jsonp_index):
    answer = eio_server._ok(packets, jsonp_index=jsonp_index)
    assert not isinstance(answer["response"], fastpath.PolledPayload)
    assert answer == fastpath._stock_ok(eio_server, packets, jsonp_index=jsonp_index)
