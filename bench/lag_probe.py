"""Run the forum's run.py with its event loop's lag recorded (bench/scale.py's stall measure).

Under eventlet one thread serves every socket: while anything holds the hub (a request's own
work, or a call that blocks instead of waiting on the hub, as psycopg2 would without eventlet's
patch), no broadcast goes out. A greenthread here asks to wake every TICK_SECONDS; how late it
wakes is how long the hub was held (or the process was not given its core). LAG_REPORT names the
JSON file that gets, when the process is sent SIGTERM, every wake later than RECORD_MS: its time
(seconds since the epoch, to match with the load generator's steps), how late it was, the
process's own CPU over that interval, and how long its thread waited for a core meanwhile
(/proc/thread-self/schedstat's run-queue wait). Lateness less that wait is the stall: the time
the loop was held by the process itself, working or blocked in a call; the wait is the machine's
doing (another process on the core), which a bigger or quieter machine does not have.

    LAG_REPORT=/tmp/lag.json .venv/bin/python bench/lag_probe.py

With LAG_STACKS=1 an OS thread (not a greenthread: it must run while the loop is held) looks at
the main thread's stack every 2 ms while the loop is late, and the report gets, for each hold
longer than STACKS_MS, the stacks seen during it with how often each was seen: what held the
loop; sampling costs time of its own, so a run for the figures leaves it off.

Every garbage collection longer than 2 ms is recorded (gc.callbacks; two clock reads a
collection, so always on): its time, generation and length, as `collections`.
"""

import gc
import json
import os
import runpy
import signal
import sys
import time
import traceback
from pathlib import Path

import eventlet

eventlet.monkey_patch()  # what run.py does first; done here so the ticker is a greenthread

ROOT = Path(__file__).resolve().parent.parent
REPORT = os.environ.get("LAG_REPORT", "")
TICK_SECONDS = 0.005
RECORD_MS = 2.0
STACKS = os.environ.get("LAG_STACKS") == "1"
STACKS_MS = 15.0
SAMPLE_SECONDS = 0.002

# (epoch s, ms late, own CPU ms in the interval, ms waited for a core in the interval)
late: list[tuple[float, float, float, float]] = []
ticks = [0]
last_wake = [time.monotonic()]
holds: list[dict] = []  # with LAG_STACKS: {"at", "ms", "stacks": {stack text: samples}}
collections: list[tuple[float, int, float]] = []  # (epoch s, generation, ms)


def run_queue_ms() -> float:
    """How long this thread has waited for a core so far (schedstat's second field, ns)."""
    with open("/proc/thread-self/schedstat") as schedstat:
        return int(schedstat.read().split()[1]) / 1e6


def ticker() -> None:
    before, cpu_before, waited_before = time.monotonic(), time.process_time(), run_queue_ms()
    while True:
        eventlet.sleep(TICK_SECONDS)
        woke, cpu, waited = time.monotonic(), time.process_time(), run_queue_ms()
        ticks[0] += 1
        last_wake[0] = woke
        lateness_ms = (woke - before - TICK_SECONDS) * 1000
        if lateness_ms > RECORD_MS:
            late.append(
                (time.time(), lateness_ms, (cpu - cpu_before) * 1000, waited - waited_before)
            )
        before, cpu_before, waited_before = woke, cpu, waited


def sample_stacks() -> None:
    """Runs in an OS thread: the main thread's stacks while the loop is held past a tick."""
    main = threading_original.main_thread().ident
    sleep = eventlet.patcher.original("time").sleep
    seen: dict[str, int] = {}
    held_since = None
    while True:
        sleep(SAMPLE_SECONDS)
        now, wake = time.monotonic(), last_wake[0]
        if now - wake > TICK_SECONDS * 2:
            if held_since != wake:
                seen, held_since = {}, wake
            frame = sys._current_frames().get(main)
            if frame is not None:
                stack = "".join(traceback.format_stack(frame, limit=14))  # the innermost 14
                seen[stack] = seen.get(stack, 0) + 1
        elif held_since is not None:
            held_ms = (wake - held_since) * 1000
            if held_ms > STACKS_MS and seen:
                holds.append({"at": time.time(), "ms": held_ms, "stacks": seen})
            held_since = None


collection_started = [0.0]


def record_collection(phase: str, info: dict) -> None:
    if phase == "start":
        collection_started[0] = time.perf_counter()
    elif (ms := (time.perf_counter() - collection_started[0]) * 1000) > 2:
        collections.append((time.time(), info["generation"], ms))


def write_report(*_) -> None:
    if REPORT:
        report = {"tick_ms": TICK_SECONDS * 1000, "record_ms": RECORD_MS, "ticks": ticks[0]}
        report["collections"] = collections
        if STACKS:
            report["holds"] = holds
        Path(REPORT).write_text(json.dumps(dict(report, late=late)))
    os._exit(0)


signal.signal(signal.SIGTERM, write_report)
eventlet.spawn(ticker)
if STACKS:
    threading_original = eventlet.patcher.original("threading")
    threading_original.Thread(target=sample_stacks, daemon=True).start()
gc.callbacks.append(record_collection)
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
sys.argv = [str(ROOT / "run.py")]
runpy.run_path(str(ROOT / "run.py"), run_name="__main__")
