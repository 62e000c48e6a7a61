"""Start the forum: Flask-SocketIO on eventlet (the only eventlet-specific code is here).

SOCKETIO_ASYNC_MODE=threading runs the same application without eventlet.
"""

import gc
import os
import resource
import time

ASYNC_MODE = os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "eventlet":
    import warnings

    # Known and chosen (see the README): the same code runs with SOCKETIO_ASYNC_MODE=threading.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

from forum import create_app  # noqa: E402  (after monkey-patching)
from forum.cli import prepare_database  # noqa: E402
from forum.extensions import socketio  # noqa: E402

app = create_app()

# Every open websocket is a connection: eventlet's default cap (1024) would leave the 1025th
# person hanging, and each needs a file descriptor.
MAX_CONNECTIONS = int(os.environ.get("MAX_CONNECTIONS", "10000"))


def raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def install_broadcast_fast_path() -> None:
    """Per recipient of a broadcast, one write of a frame built once (see bench/README.md).

    python-engineio hands each packet to the recipient's writer greenthread through a queue,
    and that greenthread then encodes and frames it: tens of microseconds of Python for every
    recipient. Here a message frame is built once per broadcast (python-socketio shares one
    packet object among all recipients) and, when the recipient's queue is empty and nothing is
    being written to its socket, written straight to the socket without blocking. Otherwise (a
    slow reader, a write in progress, a frame only partly taken) the packet, or the rest of the
    frame, goes through the queue as before, so the order on each connection never changes.
    """
    import eventlet.queue
    from engineio import exceptions as eio_exceptions
    from engineio import packet as eio_packet
    from engineio import socket as eio_socket
    from eventlet.websocket import RFC6455WebSocket

    class FrameRest(bytes):
        """The unsent rest of a frame: written as it is, not framed again."""

    class FrameRestPacket(eio_packet.Packet):
        def __init__(self, rest: bytes):
            super().__init__(eio_packet.NOOP)
            self.rest = FrameRest(rest)

        def encode(self, b64=False):
            return self.rest

    class DrainedQueue(eventlet.queue.Queue):
        """A connection's outgoing packets, written by a greenthread that runs only while there
        are some, instead of one parked for the connection's lifetime (memory per connection)."""

        def __init__(self, ws):
            super().__init__()
            self.ws = ws
            self.writer = None

        def put(self, item, block=True, timeout=None):
            super().put(item, block, timeout)
            if self.writer is None:
                self.writer = eventlet.spawn(self._drain)

        def _drain(self):
            try:
                while True:
                    try:
                        pkt = self.get(block=False)
                    except eventlet.queue.Empty:
                        return
                    self.task_done()
                    if pkt is None:  # the connection is over
                        self.ws.close()
                        return
                    self.ws.send(pkt.encode())
            except Exception:  # a broken connection: the reader sees it closed
                self.ws.close()
            finally:
                self.writer = None

    queued_send = eio_socket.Socket.send
    framed_send = RFC6455WebSocket.send
    websocket_handler = eio_socket.Socket._websocket_handler

    def websocket_session(self, ws):
        """python-engineio's websocket loop, with the queue drained on demand (see above)."""
        self.websocket = ws
        if self.connected:  # an upgrade from long-polling: python-engineio's own handler
            return websocket_handler(self, ws)
        ws.socket.settimeout(self.server.ping_interval + self.server.ping_timeout)
        self.connected = self.upgraded = True
        waiting, self.queue = self.queue, DrainedQueue(ws)
        while not waiting.empty():  # the handshake's packets, queued before the upgrade
            self.queue.put(waiting.get(block=False))
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
                except Exception:
                    self.server.logger.exception("Unknown receive error")
                    break
        finally:
            self.queue.put(None)
            if self.queue.writer is not None:
                self.queue.writer.wait()
            self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
        return []

    def send_rest_unframed(self, message, **kwargs):
        if isinstance(message, FrameRest):
            return self._send(bytes(message))
        return framed_send(self, message, **kwargs)

    def send(self, pkt):
        ws = getattr(self, "websocket", None)
        if (
            ws is None
            or pkt.packet_type != eio_packet.MESSAGE
            or not self.upgraded
            or ws.extensions  # a compressed connection frames per recipient
            or self.queue.qsize()
            or ws._sendlock.locked()
            or not self.check_ping_timeout()
        ):
            return queued_send(self, pkt)
        frame = pkt.__dict__.get("frame")
        if frame is None:
            frame = pkt.frame = ws._pack_message(pkt.encode())
        try:
            sent = ws.socket.fd.send(frame)
        except OSError:  # would block, or broken: the writer takes it from here
            return queued_send(self, pkt)
        if sent < len(frame):
            self.queue.put(FrameRestPacket(frame[sent:]))

    def schedule_ping(self):
        # The same ping cycle as python-engineio's, on a hub timer instead of a greenthread
        # sleeping per connection: a parked greenthread costs every connection kilobytes.
        if self.last_ping:
            self.last_ping = None
            eventlet.hubs.get_hub().schedule_call_global(self.server.ping_interval, send_ping, self)

    def send_ping(self):
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            self.send(eio_packet.Packet(eio_packet.PING))

    eio_socket.Socket.schedule_ping = schedule_ping
    eio_socket.Socket._websocket_handler = websocket_session
    eio_socket.Socket.send = send
    RFC6455WebSocket.send = send_rest_unframed


def tune_garbage_collector() -> None:
    """Full collections over a thousand connections' objects paused every delivery for 100+ ms
    (bench/README.md): startup objects are frozen out of collections, and the young generation
    is made large, so the garbage of one broadcast dies young instead of reaching gen 2."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


if __name__ == "__main__":
    with app.app_context():
        prepare_database(with_demo=app.config["SEED_DEMO_DATA"])
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000"))
    raise_file_limit(MAX_CONNECTIONS + 256)
    tune_garbage_collector()
    if ASYNC_MODE == "eventlet" and os.environ.get("BROADCAST_FAST_PATH", "1") == "1":
        install_broadcast_fast_path()
    print(f"Wspólne Projekty: http://{host}:{port}/ ({ASYNC_MODE})", flush=True)
    options = {"max_size": MAX_CONNECTIONS} if ASYNC_MODE == "eventlet" else {}
    socketio.run(
        app,
        host=host,
        port=port,
        allow_unsafe_werkzeug=ASYNC_MODE == "threading",
        **options,
    )
