"""Rendering a big page in turns: the server's one loop (eventlet) serves others in between.

Jinja renders a template piece by piece; render_in_turns collects the pieces and, each time it
has worked TURN_SECONDS since the last turn, lets the hub run (time.sleep(0) yields to it under
eventlet's monkey patching; elsewhere it costs a system call). The page is still sent whole, with
its status, once rendered: only the loop's time is shared, not the response.

Only a request that writes nothing (GET, HEAD) takes turns: a write's transaction may hold
SQLite's write lock, and another request waiting for it would wait in C, holding the hub.

Pages are read one at a time: the others wait for their turn off the hub's run queue. With
eight readers at once, every turn of every page came before the next step of a post being
written or broadcast (the hub runs what is ready in order), so a live post waited behind eight
turns each time it yielded; now it waits behind one (bench/README.md, the readers scenario).
A view whose queries are a large part of its page takes the slot for them too
(`one_page_at_a_time`), so they are not interleaved with other readers' either, and its first
turn comes after them.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from flask import g, render_template, request, stream_template

TURN_SECONDS = 0.002
# Green under eventlet's monkey patching (run.py patches before the application is imported).
_rendering = threading.Semaphore(1)


def _reads() -> bool:
    return request.method in ("GET", "HEAD")


@contextmanager
def one_page_at_a_time():
    """Hold the one page slot (once per request: a view and its render_in_turns share it); the
    turns are counted from here."""
    if not _reads() or "turn_ends" in g:
        yield
        return
    with _rendering:
        g.turn_ends = time.perf_counter() + TURN_SECONDS
        try:
            yield
        finally:
            del g.turn_ends


def _turn_if_due() -> None:
    if time.perf_counter() >= g.turn_ends:
        time.sleep(0)
        g.turn_ends = time.perf_counter() + TURN_SECONDS


def render_in_turns(template: str, **context) -> str:
    if not _reads():
        return render_template(template, **context)
    with one_page_at_a_time():
        parts = []
        for part in stream_template(template, **context):
            _turn_if_due()
            parts.append(part)
        return "".join(parts)
