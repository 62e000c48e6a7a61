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
"""

import json
import os
import runpy
import signal
import sys
import time
from pathlib import Path

import eventlet

eventlet.monkey_patch()  # what run.py does first; done here so the ticker is a greenthread

ROOT = Path(__file__).resolve().parent.parent
REPORT = os.environ.get("LAG_REPORT", "")
TICK_SECONDS = 0.005
RECORD_MS = 2.0

# (epoch s, ms late, own CPU ms in the interval, ms waited for a core in the interval)
late: list[tuple[float, float, float, float]] = []
ticks = [0]


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
        lateness_ms = (woke - before - TICK_SECONDS) * 1000
        if lateness_ms > RECORD_MS:
            late.append(
                (time.time(), lateness_ms, (cpu - cpu_before) * 1000, waited - waited_before)
            )
        before, cpu_before, waited_before = woke, cpu, waited


def write_report(*_) -> None:
    if REPORT:
        report = {"tick_ms": TICK_SECONDS * 1000, "record_ms": RECORD_MS, "ticks": ticks[0]}
        Path(REPORT).write_text(json.dumps(dict(report, late=late)))
    os._exit(0)


signal.signal(signal.SIGTERM, write_report)
eventlet.spawn(ticker)
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
sys.argv = [str(ROOT / "run.py")]
runpy.run_path(str(ROOT / "run.py"), run_name="__main__")
