"""Run the forum's run.py with its garbage-collector pauses measured, and optionally tuned.

A diagnosis tool, not part of the forum: `bench/run.py --forum-gc stock|tuned` starts the forum
through this file instead of run.py. GC_REPORT names the file that gets, when the process is sent
SIGTERM, the number and length of collections per generation and every pause over 20 ms.

GC_MODE=tuned does, once the application is built and just before it starts serving, what the
README suggests the forum do in run.py:

    gc.collect(); gc.freeze()              # startup objects (app, SQLAlchemy, catalogues) never
                                           # scanned again
    gc.set_threshold(50_000, 20, 100)      # per-delivery garbage dies young, instead of being
                                           # promoted into full collections every ~3 s

    GC_MODE=tuned GC_REPORT=/tmp/gc.txt .venv/bin/python bench/gc_probe.py
"""

import gc
import os
import runpy
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODE = os.environ.get("GC_MODE", "stock")
REPORT = os.environ.get("GC_REPORT", "")

pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
long_pauses: list[tuple[float, int, float]] = []
_started = [0.0]


def _on_gc(phase, info):
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    pause = time.perf_counter() - _started[0]
    pauses[info["generation"]].append(pause)
    if pause > 0.02:
        long_pauses.append((time.time(), info["generation"], pause))


def _write_report(*_):
    lines = [f"mode {MODE}"]
    for generation, values in pauses.items():
        if values:
            values = sorted(values)
            lines.append(
                f"gen{generation}: {len(values)} collections, total {sum(values) * 1000:.0f} ms, "
                f"max {values[-1] * 1000:.1f} ms"
            )
    lines.append(f"pauses over 20 ms: {len(long_pauses)}")
    lines += [f"  at {t:.3f}: gen{g} {p * 1000:.1f} ms" for t, g, p in long_pauses]
    if REPORT:
        Path(REPORT).write_text("\n".join(lines) + "\n")
    os._exit(0)


gc.callbacks.append(_on_gc)
signal.signal(signal.SIGTERM, _write_report)

if MODE == "tuned":
    import flask_socketio

    _run = flask_socketio.SocketIO.run

    def _tuned_run(self, *args, **kwargs):
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        return _run(self, *args, **kwargs)

    flask_socketio.SocketIO.run = _tuned_run

sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
runpy.run_path(str(ROOT / "run.py"), run_name="__main__")
