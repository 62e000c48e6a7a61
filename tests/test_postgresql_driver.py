"""On PostgreSQL, a database call waits on eventlet's hub instead of blocking it.

A worker serves everyone from one thread: if psycopg2 blocked in C while the server thinks, every
socket of the worker would wait with it. run.py's eventlet.monkey_patch() makes psycopg2 wait
through the hub (eventlet's psycopg2_patcher), which this checks in a process started as run.py
starts: a slow statement on the forum's own engine, and the hub running other greenthreads
meanwhile. The same script with the patch left out shows the difference the test relies on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not URL.startswith("postgresql"),
    reason="needs PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg2://…)",
)

# Runs in a fresh interpreter: monkey-patching the test process would change every other test.
SCRIPT = """
import json, os, sys, time
import eventlet
if sys.argv[1] == "green":
    eventlet.monkey_patch()
from sqlalchemy import text
from forum import create_app
from forum.extensions import db

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[2]}, "testing")
ticks = []
running = True

def ticker():
    while running:
        ticks.append(time.monotonic())
        eventlet.sleep(0.005)

def slow_statement():
    with app.app_context():
        db.session.execute(text("SELECT pg_sleep(0.4)"))
        db.session.rollback()

with app.app_context():
    db.session.execute(text("SELECT 1"))  # connected before the clock starts
    db.session.rollback()
eventlet.spawn(ticker)
eventlet.sleep(0)
start = time.monotonic()
eventlet.spawn(slow_statement).wait()
end = time.monotonic()
running = False
print(json.dumps({"during": sum(start < t < end for t in ticks), "seconds": end - start}))
"""


def ticks_during_a_slow_statement(app, mode: str) -> dict:
    """Run SCRIPT on the test's own database (its process's, under pytest-xdist)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode, url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_other_greenthreads_run_while_postgresql_thinks(app):
    green = ticks_during_a_slow_statement(app, "green")
    assert green["seconds"] >= 0.4
    # A tick every 5 ms: dozens in 0.4 s on a quiet machine, still several on a loaded one.
    assert green["during"] >= 5, green


def test_without_the_patch_the_hub_stops_for_the_whole_statement(app):
    blocked = ticks_during_a_slow_statement(app, "blocking")
    assert blocked["seconds"] >= 0.4
    assert blocked["during"] <= 1, blocked
