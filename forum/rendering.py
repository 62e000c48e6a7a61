"""Rendering a big page in turns: the server's one loop (eventlet) serves others in between.

Jinja renders a template piece by piece; render_in_turns collects the pieces and, each time it
has worked TURN_SECONDS since the last turn, lets the hub run (time.sleep(0) yields to it under
eventlet's monkey patching; elsewhere it costs a system call). The page is still sent whole, with
its status, once rendered: only the loop's time is shared, not the response.

Only a request that writes nothing (GET, HEAD) takes turns: a write's transaction may hold
SQLite's write lock, and another request waiting for it would wait in C, holding the hub.
"""

from __future__ import annotations

import time

from flask import render_template, request, stream_template

TURN_SECONDS = 0.005


def render_in_turns(template: str, **context) -> str:
    if request.method not in ("GET", "HEAD"):
        return render_template(template, **context)
    parts = []
    turn_ends = time.perf_counter() + TURN_SECONDS
    for part in stream_template(template, **context):
        parts.append(part)
        if time.perf_counter() >= turn_ends:
            time.sleep(0)
            turn_ends = time.perf_counter() + TURN_SECONDS
    return "".join(parts)
