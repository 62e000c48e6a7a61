"""Start the forum: Flask-SocketIO on eventlet (eventlet-specific code is here and in
forum/realtime/fastpath.py, which only this file imports).

SOCKETIO_ASYNC_MODE=threading runs the same application without eventlet.
"""

import gc
import os
import resource

ASYNC_MODE = os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "eventlet":
    import warnings

    # Known and chosen (see the README): the same code runs with SOCKETIO_ASYNC_MODE=threading.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

from forum import create_app  # noqa: E402  (after monkey-patching)
from forum.cli import (  # noqa: E402
    prepare_database,
    prune_event_log,
    prune_idempotency_keys,
    send_meeting_reminders,
)
from forum.extensions import socketio  # noqa: E402

app = create_app()

# The live-event log is kept to EVENT_LOG_RETENTION_DAYS, idempotency keys to
# IDEMPOTENCY_KEY_HOURS, while serving, not only at start.
PRUNE_EVERY_SECONDS = 3600

# Every open websocket is a connection: eventlet's default cap (1024) would leave the 1025th
# person hanging, and each needs a file descriptor.
MAX_CONNECTIONS = int(os.environ.get("MAX_CONNECTIONS", "10000"))


def raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def tune_garbage_collector() -> None:
    """A collection holds the loop for as long as it walks (bench/README.md, "Garbage
    collections"). Startup objects are frozen out of every collection; full ones, which walk a
    thousand connections' objects for 100+ ms, wait for 2,000 × 20 × 100 allocations; and the
    young generation stays small, so a young collection takes a few ms, a middle one under
    20 (at 50,000 a young one took ~100 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(2_000, 20, 100)


def lean_http_protocol(pool=None):
    """eventlet.wsgi's HTTP connection handler with what every open connection keeps cut down
    (bench/README.md: memory per connection). A websocket keeps its HTTP connection's handler,
    buffers and environ for its whole life, without using them after the handshake:

    - read and write buffers of 1 KiB instead of 8 and 16: 7 KiB less per connection, measured.
      A request's line and headers are read in a few more calls, and bodies straight through;
      a response's headers and body may now leave in two sends instead of one, so Nagle's
      algorithm is turned off (TCP_NODELAY, as Node's HTTP server does), or the second send
      could wait for the client's delayed acknowledgement;
    - no ``headers_raw`` in the environ (an eventlet extension: the request's headers once
      more, as a tuple of pairs; nothing here reads it, the headers are in ``HTTP_*``);
    - once a websocket is open (its handshake written straight to the socket), the handler's
      read and write buffers are closed, its parsed request headers (an ``email`` message,
      2.3 KiB) replaced by the two values eventlet may still read, and its own environ emptied
      (engine.io keeps Flask-SocketIO's copy): about 6 KiB less per open websocket
      (the environ's ``forum.websocket_opened``, called by forum/realtime/fastpath.py). The
      websocket reads and writes the socket itself, never these; after it, the handler ends the
      connection (eventlet marks it handled) and only closes them again;
    - and then, given the server's ``pool`` (its connections, at most MAX_CONNECTIONS), the
      websocket leaves the handler: it takes a place of its own in the pool, eventlet is given
      a stand-in to shut down and close instead of its socket, and ``websocket_opened`` returns
      what gives the place back when the websocket ends. The handler then returns, and with it
      its greenthread, whose deep stack (HTTP handler, WSGI middleware, engine.io, the
      websocket's read) an idle connection parked for its whole life: 6 KiB of saved C stack
      and a page or two of Python frames. fastpath.py reads the websocket in a greenthread of
      its own instead. With no place left in the pool the websocket stays in its handler.
    """
    import socket

    import eventlet.wsgi

    class SpentHeaders(dict):
        """What eventlet.wsgi still reads of a request's headers once its websocket is open:
        ``Connection`` (whether to keep a connection alive after a response) and
        ``X-Forwarded-For`` (its access log), by any case of their names."""

        KEPT = ("connection", "x-forwarded-for")

        def __init__(self, headers):
            super().__init__(
                (name, headers.get(name)) for name in self.KEPT if headers.get(name) is not None
            )

        def get(self, name, default=None):
            return super().get(name.lower(), default)

    class HandedOver:
        """What eventlet shuts down and closes when a handler whose websocket has left it ends:
        nothing (the websocket closes its socket itself)."""

        def shutdown(self, *args):
            pass

        def close(self):
            pass

    handed_over = HandedOver()

    class LeanHttpProtocol(eventlet.wsgi.HttpProtocol):
        rbufsize = 1 << 10
        wbufsize = 1 << 10

        def setup(self):
            super().setup()
            try:
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not TCP (a Unix socket)
                pass

        def get_environ(self):
            environ = super().get_environ()
            environ.pop("headers_raw", None)
            if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                environ["forum.websocket_opened"] = self.websocket_opened
            return environ

        def websocket_opened(self, leave=True):
            """The websocket's handshake is written: the HTTP side's buffers are not needed,
            nor its environ: engine.io keeps its own copy (made by Flask-SocketIO), and once
            the websocket ends eventlet reads only the post-request hooks of this one. With
            ``leave``, the websocket leaves this handler if the pool has a place for it: what
            gives that place back when it ends; else None, and it stays."""
            self.headers = SpentHeaders(self.headers)
            hooks = self.environ.get("eventlet.posthooks", [])
            self.environ.clear()  # in place: the frames under the websocket share it
            self.environ["eventlet.posthooks"] = hooks
            for buffered in (self.wfile, self.rfile):  # the write buffer is empty (flushed)
                try:
                    buffered.close()  # frees the buffer; the socket stays open
                except OSError:  # a write buffer that could not be flushed: the peer is gone
                    pass
            if not leave or pool is None or not pool.sem.acquire(blocking=False):
                return None  # the websocket stays in this handler
            # What eventlet shuts down and closes when the handler ends (finish() and the
            # server's _clean_connection): the stand-in, not the websocket's socket.
            self.connection = self.request = self.conn_state[1] = handed_over
            return pool.sem.release

    return LeanHttpProtocol


def prune_event_log_periodically() -> None:
    while True:
        socketio.sleep(PRUNE_EVERY_SECONDS)
        try:
            with app.app_context():
                prune_event_log()
                prune_idempotency_keys()
        except Exception:  # the next hour tries again; serving goes on
            app.logger.exception("pruning the live-event log or idempotency keys failed")


# Meeting reminders go out within a minute of falling due (forum/meetings/reminders.py).
REMIND_EVERY_SECONDS = 60


def send_meeting_reminders_periodically() -> None:
    while True:
        socketio.sleep(REMIND_EVERY_SECONDS)
        try:
            with app.app_context():
                send_meeting_reminders()
        except Exception:  # the next minute tries again; serving goes on
            app.logger.exception("sending meeting reminders failed")


if __name__ == "__main__":
    with app.app_context():
        prepare_database(with_demo=app.config["SEED_DEMO_DATA"])
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000"))
    raise_file_limit(MAX_CONNECTIONS + 256)
    tune_garbage_collector()
    # Every open connection holds a place in the pool: an HTTP request, or a websocket (in its
    # handler, or after leaving it: lean_http_protocol).
    pool = eventlet.GreenPool(MAX_CONNECTIONS) if ASYNC_MODE == "eventlet" else None
    if ASYNC_MODE == "eventlet" and os.environ.get("BROADCAST_FAST_PATH", "1") != "0":
        # One frame per broadcast, written straight to idle sockets; python-engineio's own
        # behaviour if its versions are not those it was written for (it warns then).
        from forum.realtime import fastpath

        fastpath.install()
    if os.environ.get("TEST_REFUSE_WEBSOCKET") == "1":
        # Tests only: websocket handshakes are refused (400) as behind a proxy that cannot
        # pass them, so the pages' fallback to long-polling can be seen in a real browser.
        socketio.server.eio.transports = ["polling"]
    if ASYNC_MODE == "eventlet" and os.environ.get("FASTPATH_CENSUS") == "1":
        # Tests only (tests/e2e/test_fastpath.py): SIGUSR1 writes what the server holds per
        # connection (greenthreads by role, engine.io sockets) to stderr as one JSON line.
        import json
        import signal
        import sys

        from forum.realtime import fastpath

        def write_census(signum, frame):
            census = fastpath.census(socketio.server.eio)
            census["pool in use"] = pool.size - pool.free()  # open connections, websockets too
            sys.stderr.write(f"fastpath census: {json.dumps(census)}\n")  # one write: one line
            sys.stderr.flush()

        signal.signal(signal.SIGUSR1, write_census)
    socketio.start_background_task(prune_event_log_periodically)
    socketio.start_background_task(send_meeting_reminders_periodically)
    print(f"Wspólne Projekty: http://{host}:{port}/ ({ASYNC_MODE})", flush=True)
    options = {}
    if ASYNC_MODE == "eventlet":
        options["custom_pool"] = pool
        options["protocol"] = lean_http_protocol(pool)
    socketio.run(
        app,
        host=host,
        port=port,
        allow_unsafe_werkzeug=ASYNC_MODE == "threading",
        **options,
    )
