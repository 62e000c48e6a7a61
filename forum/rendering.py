"""Rendering a big page in turns: the server's one loop (eventlet) serves others in between.

Jinja renders a template piece by piece; render_in_turns collects the pieces and, each time it
has worked TURN_SECONDS since the last turn, lets the hub run (time.sleep(0) yields to it under
eventlet's monkey patching; elsewhere it costs a system call). The page is still sent whole, with
its status, once rendered: only the loop's time is shared, not the response.

Only a request that writes nothing (GET, HEAD) takes turns: a write's transaction may hold
SQLite's write lock, and another request waiting for it would wait in C, holding the hub.

Pages render one at a time: the others wait for their turn off the hub's run queue. With eight
readers rendering at once, every turn of every page came before the next step of a post being
written or broadcast (the hub runs what is ready in order), so a live post waited behind eight
turns each time it yielded; now it waits behind one (bench/README.md, the readers scenario).
"""

from __future__ import annotations

import threading
import time

from flask import render_template, request, stream_template

TURN_SECONDS = 0.002
# Green under eventlet's monkey patching (run.py patches before the application is imported).
_rendering = threading.Semaphore(1)


def render_in_turns(template: str, **context) -> str:
    if request.method not in ("GET", "HEAD"):
        return render_template(template, **context)
    with _rendering:
        parts = []
        turn_ends = time.perf_counter() + TURN_SECONDS
        for part in stream_template(template, **context):
            parts.append(part)
            if time.perf_counter() >= turn_ends:
                time.sleep(0)
                turn_ends = time.perf_counter() + TURN_SECONDS
        return "".join(parts)
