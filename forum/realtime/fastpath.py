"""The eventlet broadcast fast path: per recipient of a broadcast, one write of a frame built once.

Only ``run.py`` imports this module, only under eventlet, and only when ``BROADCAST_FAST_PATH``
is not ``0``; it calls :func:`install`. The application code never sees it: with it or without
it (or with ``SOCKETIO_ASYNC_MODE=threading``) clients get the same packets in the same order.

Why it exists (figures in bench/README.md): python-engineio hands each packet to the
recipient's writer greenthread through a queue, and that greenthread then encodes and frames it:
tens of microseconds of Python for every recipient of every broadcast, and one greenthread
parked per connection for its whole life, plus one more sleeping between pings. Here

- a message frame is built once per broadcast (python-socketio shares one packet object among
  all the recipients of an emit without a callback) and, when the recipient's queue is empty
  and nothing is being written to its socket, written straight to the socket without blocking.
  Otherwise (a slow reader, a write in progress, a frame only partly taken) the packet, or the
  rest of the frame, goes through the queue as before, so the order on each connection never
  changes;
- a connection's queue is drained by a greenthread that runs only while it holds packets
  (:class:`DrainedQueue`), and pings run on a hub timer, so an idle connection parks one
  greenthread (its reader), not three;
- all of this holds for every transport sequence a browser may use: a connection that starts on
  websocket, and one that starts on long-polling and upgrades (the upgrade exchange is done here,
  as python-engineio does it, and the connection then gets its DrainedQueue with whatever no poll
  took, in order); while a connection long-polls, a poll answered with one broadcast packet
  gets bytes encoded (and compressed, if the client accepts it) once per broadcast, kept on the
  shared packet as its websocket frame is.

It replaces eight attributes of three libraries' classes (:data:`PATCHES`), so it depends on
their internals: :data:`WRITTEN_FOR` names the exact versions it was written and tested against,
and :func:`install` does nothing but warn when the installed ones differ. After an upgrade, read
the new python-engineio ``socket.py`` (``send``, ``_websocket_handler``, ``handle_get_request``,
``poll``, ``schedule_ping``, ``check_ping_timeout``, ``close``) and ``base_server.py`` (``_ok``,
``_gzip``, ``_deflate``, and how ``server.py``'s ``handle_request`` uses them),
python-socketio's ``manager.emit`` and eventlet's ``RFC6455WebSocket`` against this module, run
tests/realtime/test_fastpath.py and tests/e2e/test_fastpath.py, then update :data:`WRITTEN_FOR`.

The one rule of a patched ``send``: it never raises. A broadcast calls it once per recipient in
a loop (:func:`broadcast`, python-socketio's ``manager.emit``); an exception for one recipient
would abort the loop for every recipient after it, and fail the request that published the
event.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
import warnings
from collections.abc import Mapping

import eventlet
import eventlet.hubs
import eventlet.queue
import eventlet.semaphore
from engineio import base_server as eio_base_server
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio import socket as eio_socket
from eventlet.greenio import GreenSocket
from eventlet.websocket import RFC6455WebSocket
from socketio import manager as sio_manager
from socketio import packet as sio_packet

logger = logging.getLogger(__name__)

# The exact versions this module was written for (requirements.txt pins them): it relies on
# python-engineio's Socket internals, python-socketio sharing one packet among the recipients
# of a broadcast, and eventlet's RFC6455WebSocket internals (_pack_message, _send, _sendlock,
# socket.fd).
WRITTEN_FOR: dict[str, str] = {
    "python-engineio": "4.15.1",
    "python-socketio": "5.18.1",
    "eventlet": "0.41.3",
}

# A broadcast to a big room is long work for the one loop (a thousand recipients took 12-15 ms
# on the bench's machine, and a slow moment made it 30): it lets the hub run each time it has
# worked this long, as a page's rendering does (forum/rendering.py), so that no request, ping or
# other room waits behind it for longer (bench/README.md, "Scale", the worst stall).
TURN_SECONDS = 0.004


class FastPathVersionWarning(UserWarning):
    """The installed libraries are not those the fast path was written for: it stays off."""


def version_mismatches(
    installed: Mapping[str, str | None], expected: Mapping[str, str] = WRITTEN_FOR
) -> list[str]:
    """What differs between the installed versions (None: not installed) and the expected ones,
    one phrase per package; empty when everything matches. Pure: tests pass fake maps."""
    problems = []
    for name, wanted in expected.items():
        found = installed.get(name)
        if found is None:
            problems.append(f"{name} is not installed (written for {wanted})")
        elif found != wanted:
            problems.append(f"{name} {found} is installed (written for {wanted})")
    return problems


def installed_versions(names: Mapping[str, str] | list[str] = WRITTEN_FOR) -> dict[str, str | None]:
    """The installed version of each distribution, None for one that is not installed."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


class FrameRest(bytes):
    """The unsent rest of a frame: written as it is, not framed again."""


class FrameRestPacket(eio_packet.Packet):
    """The rest of a frame the socket took only in part, queued behind nothing (the queue was
    empty) and ahead of every later packet, so the frame ends before the next one begins."""

    def __init__(self, rest: bytes):
        super().__init__(eio_packet.NOOP)
        self.rest = FrameRest(rest)

    def encode(self, b64=False):
        return self.rest


class DrainedQueue(eventlet.queue.Queue):
    """A websocket connection's outgoing packets, written by a greenthread that runs only while
    there are some, instead of one parked for the connection's lifetime (memory per connection).

    ``None`` ends the connection, as in python-engineio: the writer closes the websocket, and
    anything put after that is dropped (python-engineio's writer has exited by then too), so
    nobody writes to a closed socket and ``join()`` never waits for packets nobody will send.
    """

    def __init__(self, ws):
        super().__init__()
        self.ws = ws
        self.writer = None  # the greenthread draining the queue, while there is one
        self.finished = False

    def put(self, item, block=True, timeout=None):
        if self.finished:
            return
        super().put(item, block, timeout)
        if self.writer is None:
            self.writer = eventlet.spawn(self._drain)

    def _drain(self):
        try:
            while True:
                try:
                    pkt = self.get(block=False)
                except eventlet.queue.Empty:
                    # Idle again: the next put() starts a writer. Nothing yields between this
                    # and `writer = None` below, so no put() can slip in between.
                    return
                self.task_done()
                if pkt is None:  # the connection is over
                    break
                try:
                    self.ws.send(pkt.encode())
                except Exception:  # a broken connection: its reader sees it closed
                    break
            self._finish()
        finally:
            self.writer = None

    def _finish(self):
        """Drop what is left and close the websocket; the writer stays set meanwhile, so the
        connection's handler waits for this before it returns."""
        self.finished = True
        while True:
            try:
                self.get(block=False)
            except eventlet.queue.Empty:
                break
            self.task_done()
        try:
            self.ws.close()
        except Exception:  # already closed by the peer
            pass


# python-engineio's and eventlet's own functions, kept for the paths the fast path leaves to them
# and for uninstall().
_stock_emit = sio_manager.Manager.emit
_stock_send = eio_socket.Socket.send
_stock_websocket_handler = eio_socket.Socket._websocket_handler
_stock_schedule_ping = eio_socket.Socket.schedule_ping
_stock_frame_send = RFC6455WebSocket.send
_stock_ok = eio_base_server.BaseServer._ok
_stock_gzip = eio_base_server.BaseServer._gzip
_stock_deflate = eio_base_server.BaseServer._deflate


def send(self, pkt):
    """Socket.send: a MESSAGE to an idle websocket is written straight to its socket, as a frame
    built once per packet (so once per broadcast); anything else goes through the queue."""
    if self.closed:
        # python-engineio's check_ping_timeout() raises SocketIsClosedError here; its broadcast
        # skips closed sockets before calling send (Server._get_socket), so a closed recipient
        # is skipped here too, instead of aborting the broadcast for everyone after it.
        return
    if self.last_ping and not self.check_ping_timeout():  # (no ping unanswered: nothing to check)
        # Past its ping timeout: check_ping_timeout() has just closed it, and python-engineio's
        # send returns quietly. Handing the packet to python-engineio's send would check again,
        # find the socket closed and raise SocketIsClosedError into the broadcast.
        return
    ws = getattr(self, "websocket", None)  # set by websocket_session
    if not _writable_now(self, ws, pkt):
        # python-engineio's own send: the socket is open and has just passed its ping check,
        # and nothing yields in between, so it queues the packet and cannot raise.
        return _stock_send(self, pkt)
    frame = pkt.__dict__.get("frame")
    if frame is None:
        frame = pkt.frame = ws._pack_message(pkt.encode())
    try:
        sent = ws.socket.fd.send(frame)  # non-blocking: eventlet keeps its sockets so
    except OSError:  # would block, or broken: the writer takes it from here
        return _stock_send(self, pkt)
    if sent < len(frame):
        self.queue.put(FrameRestPacket(frame[sent:]))


def broadcast(
    self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs
):
    """Manager.emit without a callback, as python-socketio does it (one packet for all the
    recipients), but each recipient's engine.io socket is looked up here and sent to, instead of
    through three calls of python-socketio's and python-engineio's per recipient (a tenth of a
    recipient's CPU). A recipient that has gone is skipped, as python-engineio's send_packet
    skips it."""
    if callback is not None:
        return _stock_emit(self, event, data, namespace, room, skip_sid, callback, to, **kwargs)
    room = to or room
    if namespace not in self.rooms:
        return
    if isinstance(data, tuple):
        data = list(data)
    elif data is not None:
        data = [data]
    else:
        data = []
    skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
    encoded = self.server.packet_class(
        sio_packet.EVENT, namespace=namespace, data=[event] + data
    ).encode()
    eio_pkts = [
        eio_packet.Packet(eio_packet.MESSAGE, part)
        for part in (encoded if isinstance(encoded, list) else [encoded])
    ]
    sockets = self.server.eio.sockets
    # One packet (no binary attachments): its frame, built once, is written inline to each
    # recipient that send() would write it to at once (see direct_socket).
    single = eio_pkts[0] if len(eio_pkts) == 1 else None
    frame = None
    turn_ends = time.perf_counter() + TURN_SECONDS
    members = None  # after a turn: who is in the room now
    for sid, eio_sid in self.get_participants(namespace, room):  # (a copy of the room)
        if time.perf_counter() >= turn_ends:
            eventlet.sleep(0)
            turn_ends = time.perf_counter() + TURN_SECONDS
            members = _members_now(self, namespace, room)
        if sid in skip:
            continue
        if members is not None and sid not in members:
            continue  # left, or was taken out (access withdrawn), while the hub ran
        recipient = sockets.get(eio_sid)
        if recipient is None:
            continue
        if recipient.closed:  # as python-engineio's _get_socket forgets it
            sockets.pop(eio_sid, None)
            continue
        direct = recipient.__dict__.get("direct")
        if (
            single is not None
            and direct is not None
            and not recipient.last_ping  # no ping unanswered: no timeout to check
            and not recipient.queue.queue  # nothing queued goes first
            and direct[1].counter > 0  # no frame being written (its _sendlock is free)
        ):
            if frame is None:  # the same for every connection without compression
                frame = single.__dict__.get("frame")  # (send() may have built it already)
                if frame is None:
                    frame = single.frame = direct[2]._pack_message(single.encode())
            try:
                sent = direct[0].send(frame)
            except OSError:  # would block, or broken: send() and the writer take it from here
                recipient.send(single)
                continue
            if sent < len(frame):
                recipient.queue.put(FrameRestPacket(frame[sent:]))
            continue
        for pkt in eio_pkts:
            recipient.send(pkt)


def _members_now(manager, namespace, room):
    """The sids in the room (or the rooms) now, as get_participants would list them: one room's
    own mapping (not a copy: looked up once a turn, it answers for the rest of the turn), or
    the union of several."""
    rooms = manager.rooms.get(namespace, {})
    if not hasattr(room, "__len__") or isinstance(room, str):
        return rooms[room]._fwdm if room in rooms else {}
    return {sid for name in room if name in rooms for sid in rooms[name]._fwdm}


def _writable_now(self, ws, pkt) -> bool:
    """Whether a frame may be written straight to the socket without reordering anything."""
    return (
        # RFC 6455 only (None: long-polling). eventlet also accepts the legacy hixie-75/76
        # handshakes, whose WebSocket frames messages differently (and has no .extensions).
        isinstance(ws, RFC6455WebSocket)
        and pkt.packet_type == eio_packet.MESSAGE
        and self.upgraded  # not while long-polling or in the middle of an upgrade
        and not ws.extensions  # a compressed connection frames per recipient
        # A plain TCP socket: under TLS (a GreenSSLSocket, no .fd) bytes must go through ssl.
        and isinstance(ws.socket, GreenSocket)
        and not self.queue.qsize()  # anything queued goes first
        and not ws._sendlock.locked()  # a frame is being written (and may be half out)
    )


def direct_socket(ws):
    """What broadcast() writes a frame to inline, for a websocket whose frames it may write
    (the conditions of _writable_now that never change on a connection): its raw socket, the
    lock its writes hold, and the websocket (which frames messages); None otherwise."""
    if (
        isinstance(ws, RFC6455WebSocket)
        and not ws.extensions
        and isinstance(ws.socket, GreenSocket)
        and isinstance(ws._sendlock, eventlet.semaphore.Semaphore)
    ):
        return ws.socket.fd, ws._sendlock, ws
    return None


def send_rest_unframed(self, message, **kwargs):
    """RFC6455WebSocket.send: the rest of a partly written frame is written as it is."""
    if isinstance(message, FrameRest):
        return self._send(bytes(message))
    return _stock_frame_send(self, message, **kwargs)


def websocket_session(self, ws):
    """Socket._websocket_handler: python-engineio's websocket loop, with the queue drained on
    demand (DrainedQueue) instead of by a writer greenthread parked for the connection's life,
    for a connection that starts on websocket and for one upgraded from long-polling alike."""
    ws.socket.settimeout(self.server.ping_interval + self.server.ping_timeout)
    if self.connected:  # an upgrade from long-polling
        if not upgrade(self, ws):
            return []
    else:
        self.connected = self.upgraded = True
    self.websocket = ws  # the fast path writes to it
    self.direct = direct_socket(ws)
    take_over_queue(self, ws)
    # run.py's HTTP handler frees its buffers, and may let the websocket leave it: then the
    # handler's greenthread ends, instead of parking its deep stack for the connection's life.
    # (A legacy websocket, whose closing differs, stays in its handler.)
    rfc6455 = isinstance(ws, RFC6455WebSocket)
    opened = ws.environ.pop("forum.websocket_opened", None)
    release = opened(leave=rfc6455) if opened is not None else None
    if rfc6455:
        # Only the legacy protocols' wait() keeps messages there: an empty deque is 0.6 KiB.
        ws._msgs = ()
    if release is not None:
        ws.websocket_closed = True  # the handler's return must not send a closing frame
        eventlet.spawn(read_websocket, self, ws, release)
        return []
    read_websocket(self, ws)
    return []


def read_websocket(self, ws, release=None):
    """A websocket's reading loop, as python-engineio's; in a greenthread of its own when the
    websocket has left its HTTP handler (``release`` gives its place in the pool back)."""
    if release is not None:
        ws.websocket_closed = False  # (set while the handler returned)
    try:
        while True:
            try:
                data = ws.wait()
            except Exception:
                break
            if data is None or len(data) > self.server.max_http_buffer_size:
                break
            try:
                self.receive(eio_packet.Packet(encoded_packet=data))
            except eio_exceptions.UnknownPacketError:
                pass
            except eio_exceptions.SocketIsClosedError:
                break
            except Exception:
                self.server.logger.exception("Unknown receive error")
                break
    finally:
        try:
            self.queue.put(None)
            if self.queue.writer is not None:
                self.queue.writer.wait()
            self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
        finally:
            if release is not None:
                # As python-engineio does when a websocket's handler returns to it.
                if self.server.sockets.get(self.sid) is self:
                    del self.server.sockets[self.sid]
                release()


def upgrade(self, ws) -> bool:
    """python-engineio's upgrade exchange, as its _websocket_handler does it: the client's PING
    "probe" answered with PONG "probe", a NOOP queued to end the poll in flight, then the
    client's UPGRADE. Meanwhile packets still go to the polling queue (``upgrading`` keeps the
    fast path off them), and polls get a NOOP at once. Whether the upgrade happened.

    Unlike python-engineio's, a read that fails (a timeout, a frame too large, a broken
    connection) fails the upgrade too, instead of leaving ``upgrading`` set for good, which
    would answer every later poll with a NOOP at once while nothing ever reaches the client.
    """
    self.upgrading = True
    try:
        data = ws.wait()
        if data and len(data) > self.server.max_http_buffer_size:
            raise ValueError("packet is too large")
        probe = eio_packet.Packet(encoded_packet=data)
        if probe.packet_type != eio_packet.PING or probe.data != "probe":
            self.server.logger.info("%s: Failed websocket upgrade, no PING packet", self.sid)
            return False
        ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
        self.queue.put(eio_packet.Packet(eio_packet.NOOP))  # end the poll in flight
        data = ws.wait()
        if data and len(data) > self.server.max_http_buffer_size:
            raise ValueError("packet is too large")
        if eio_packet.Packet(encoded_packet=data).packet_type != eio_packet.UPGRADE:
            self.upgraded = False
            self.server.logger.info(
                "%s: Failed websocket upgrade, expected UPGRADE packet, received %s instead.",
                self.sid,
                data,
            )
            return False
        end_waiting_polls(self.queue)
    except Exception as error:
        self.server.logger.info("%s: Failed websocket upgrade: %r", self.sid, error)
        return False
    finally:
        self.upgrading = False
    self.upgraded = True
    return True


def end_waiting_polls(queue, turns: int = 100) -> None:
    """Answer with a NOOP any poll still waiting on the polling queue, and let it finish before
    the queue is replaced: python-engineio's poll() goes on with ``self.queue`` once woken, and
    must not take packets from (nor count tasks of) the websocket's queue. A client following
    the protocol sends UPGRADE only once its last poll has been answered, so there is none;
    this is for one that does not, which would otherwise see that poll time out and close the
    connection. Until it returns, ``upgrading`` keeps every packet in the polling queue."""
    if not queue.getting():
        return
    for _ in range(queue.getting()):
        queue.put(eio_packet.Packet(eio_packet.NOOP))
    while queue.getting() and turns:  # each wakes at the hub's next turn, and finishes in it
        eventlet.sleep(0)
        turns -= 1


def take_over_queue(self, ws) -> None:
    """Put a DrainedQueue in the place of the connection's queue, with what the old one still
    holds, in its order: the handshake's packets on a new websocket; after an upgrade, what no
    poll took (the client sends UPGRADE only once its last poll has been answered, so every
    packet is either in that answer or still here, and comes after it). Nothing yields here, so
    no send() can slip in between."""
    waiting, self.queue = self.queue, DrainedQueue(ws)
    while True:
        try:
            pkt = waiting.get(block=False)
        except eventlet.queue.Empty:
            break
        waiting.task_done()
        self.queue.put(pkt)


class PolledPayload(bytes):
    """A poll's answer holding one packet, encoded once per packet (so once per broadcast) and
    kept on the packet, with its compressed forms as the first recipient that asked for one
    got them (``compressed``: encoding → bytes). It refers to no packet: no reference cycle."""

    compressed: dict[str, bytes]


def ok(self, packets=None, headers=None, jsonp_index=None):
    """Server._ok: a poll answered with one text packet, shared among the recipients of a
    broadcast, gets the payload bytes built for the first of them; anything else (several
    packets, binary data, JSONP, no packets) is python-engineio's own."""
    if packets is None or len(packets) != 1 or jsonp_index is not None or packets[0].binary:
        return _stock_ok(self, packets, headers, jsonp_index)
    pkt = packets[0]
    body = pkt.__dict__.get("polled")
    if body is None:
        # As Payload.encode: one packet, no separator, encoded as text.
        body = pkt.polled = PolledPayload(pkt.encode(b64=True).encode("utf-8"))
        body.compressed = {}
    return {
        "status": "200 OK",
        "headers": (headers or []) + [("Content-Type", "text/plain; charset=UTF-8")],
        "response": body,
    }


def _compressed_once(encoding: str, stock):
    def compress(self, response):
        if not isinstance(response, PolledPayload):
            return stock(self, response)
        cached = response.compressed.get(encoding)
        if cached is None:
            cached = response.compressed[encoding] = stock(self, response)
        return cached

    compress.__name__ = compress.__qualname__ = f"{encoding}_once"
    compress.__doc__ = (
        f"Server._{encoding}: a shared poll answer is compressed once, then the same bytes "
        "go to every recipient (each still gets them only if it accepts the encoding)."
    )
    return compress


gzip_once = _compressed_once("gzip", _stock_gzip)
deflate_once = _compressed_once("deflate", _stock_deflate)


def schedule_ping(self):
    """Socket.schedule_ping: the same ping cycle as python-engineio's, on a hub timer instead of
    a greenthread sleeping per connection: a parked greenthread costs every connection
    kilobytes."""
    if self.last_ping:
        self.last_ping = None
        eventlet.hubs.get_hub().schedule_call_global(self.server.ping_interval, send_ping, self)


def send_ping(self):
    """The timer's callback (it runs in the hub): python-engineio's _send_ping after its sleep."""
    if not self.closing and not self.closed:
        self.last_ping = time.time()
        self.send(eio_packet.Packet(eio_packet.PING))


# What a parked greenthread is doing, by the outermost function of its stack that names it.
ROLES = {
    ("engineio/socket.py", "writer"): "engineio writer",  # python-engineio's, per websocket
    ("engineio/socket.py", "_send_ping"): "engineio ping",  # python-engineio's, between pings
    ("engineio/socket.py", "poll"): "poll",  # a long-polling GET waiting for packets
    ("engineio/socket.py", "_websocket_handler"): "websocket reader",
    ("forum/realtime/fastpath.py", "websocket_session"): "websocket reader",
    # one that has left its HTTP handler (run.py): no handler's frames under it
    ("forum/realtime/fastpath.py", "read_websocket"): "websocket reader, own greenthread",
    ("forum/realtime/fastpath.py", "_drain"): "drained writer",  # only while packets wait
}


def census(eio_server) -> dict:
    """What the server holds now, for tests that check what an idle connection costs: live
    greenthreads by role (ROLES; "other" for the rest: the hub's, the listener, HTTP
    keep-alive connections), and engine.io sockets by transport and queue."""
    import gc

    import greenlet

    roles: dict[str, int] = {}
    for obj in gc.get_objects():
        if not isinstance(obj, greenlet.greenlet) or obj.dead:
            continue
        role, frame = "other", obj.gr_frame
        while frame is not None:  # the outermost named function wins (a writer's poll())
            code = frame.f_code
            for (path, name), label in ROLES.items():
                if code.co_name == name and code.co_filename.endswith(path):
                    role = label
            frame = frame.f_back
        roles[role] = roles.get(role, 0) + 1
    sockets = list(eio_server.sockets.values())
    return {
        "greenthreads": roles,
        "sockets": {
            "websocket": sum(1 for s in sockets if s.upgraded),
            "polling": sum(1 for s in sockets if not s.upgraded),
            "drained queue": sum(1 for s in sockets if isinstance(s.queue, DrainedQueue)),
        },
    }


# (class, attribute, replacement)
PATCHES = (
    (sio_manager.Manager, "emit", broadcast),
    (eio_socket.Socket, "send", send),
    (eio_socket.Socket, "_websocket_handler", websocket_session),
    (eio_socket.Socket, "schedule_ping", schedule_ping),
    (RFC6455WebSocket, "send", send_rest_unframed),
    (eio_base_server.BaseServer, "_ok", ok),
    (eio_base_server.BaseServer, "_gzip", gzip_once),
    (eio_base_server.BaseServer, "_deflate", deflate_once),
)
STOCK = {
    (sio_manager.Manager, "emit"): _stock_emit,
    (eio_socket.Socket, "send"): _stock_send,
    (eio_socket.Socket, "_websocket_handler"): _stock_websocket_handler,
    (eio_socket.Socket, "schedule_ping"): _stock_schedule_ping,
    (RFC6455WebSocket, "send"): _stock_frame_send,
    (eio_base_server.BaseServer, "_ok"): _stock_ok,
    (eio_base_server.BaseServer, "_gzip"): _stock_gzip,
    (eio_base_server.BaseServer, "_deflate"): _stock_deflate,
}


def installed() -> bool:
    """Whether the patched attributes are this module's (install() has run, uninstall() not)."""
    return all(getattr(owner, name) is replacement for owner, name, replacement in PATCHES)


def install() -> bool:
    """Patch python-engineio and eventlet if they are the versions this was written for; else
    warn, patch nothing, and leave python-engineio's own behaviour. Whether it is installed.

    Call it once at start-up, after eventlet.monkey_patch(), before the server accepts a
    connection. Calling it again changes nothing.
    """
    problems = version_mismatches(installed_versions())
    if problems:
        message = (
            "Broadcast fast path not installed: "
            + "; ".join(problems)
            + ". python-engineio's own behaviour is used (see forum/realtime/fastpath.py)."
        )
        logger.warning(message)
        warnings.warn(message, FastPathVersionWarning, stacklevel=2)
        return False
    if installed():
        return True
    for owner, name, replacement in PATCHES:
        setattr(owner, name, replacement)
    return True


def uninstall() -> None:
    """Put python-engineio's and eventlet's own functions back (for tests: connections opened
    with the fast path keep their DrainedQueue)."""
    for (owner, name), original in STOCK.items():
        setattr(owner, name, original)
