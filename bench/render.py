#!/usr/bin/env python3
"""How long one post body holds the event loop: render_markdown over the pathological corpus.

    .venv/bin/python bench/render.py                 # every case at BODY_MAX_LENGTH, 3 runs
    .venv/bin/python bench/render.py --length 5000 --renders 10

Each run renders every case --renders times (in this process, on one thread, as the server does);
a case's p50 and max are taken per run, then printed as median [min–max] over the runs. Wall time
is what the loop is held; CPU time (this process only) is how much of that is the render itself
when other programs share the cores. The target (bench/README.md, "Rendering"): every case's max
under 50 ms of CPU, judged on the median over the runs; CPU rather than wall time because on a
shared machine the wall time also counts waits for a core, which no limit on the body can bound.
The corpus is cmark's pathological tests regenerated at the given length plus issue 7's cases
(tests/data/corpus.py); the inputs are built before any timing starts.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Config  # noqa: E402
from forum.sanitize import render_markdown  # noqa: E402
from tests.data.corpus import pathological  # noqa: E402

TARGET_MS = 50.0


def spread(values: list[float]) -> str:
    """median [min–max] over the runs."""
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.median(values):.1f} [{min(values):.1f}–{max(values):.1f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--length", type=int, default=Config.BODY_MAX_LENGTH)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--renders", type=int, default=5, help="renders of each case per run")
    args = parser.parse_args()

    corpus = pathological(args.length)
    # The collector as run.py sets it before serving: what was built at start is never scanned.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    p50s = {name: [] for name in corpus}
    maxes = {name: [] for name in corpus}
    cpu_maxes = {name: [] for name in corpus}
    for _run in range(args.runs):
        for name, body in corpus.items():
            times, cpu_times = [], []
            for _ in range(args.renders):
                start, cpu_start = time.perf_counter(), time.process_time()
                render_markdown(body)
                times.append((time.perf_counter() - start) * 1000)
                cpu_times.append((time.process_time() - cpu_start) * 1000)
            p50s[name].append(statistics.median(times))
            maxes[name].append(max(times))
            cpu_maxes[name].append(max(cpu_times))

    print(
        f"render_markdown, {len(corpus)} cases at ≤ {args.length} characters, "
        f"{args.runs} runs × {args.renders} renders; ms, median [min–max] over runs; "
        f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
    )
    width = max(map(len, corpus))
    print(f"| {'input':{width}} | chars | p50 ms | max ms | max CPU ms |")
    print(f"|{'-' * (width + 2)}|------:|-------:|-------:|-----------:|")
    for name, body in corpus.items():
        print(
            f"| {name:{width}} | {len(body)} | {spread(p50s[name])} | {spread(maxes[name])} "
            f"| {spread(cpu_maxes[name])} |"
        )
    worst_name = max(corpus, key=lambda name: statistics.median(cpu_maxes[name]))
    worst = statistics.median(cpu_maxes[worst_name])
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(
        f"\nslowest: {worst_name}, max {worst:.1f} ms of CPU (median of runs): "
        f"{verdict} the target of < {TARGET_MS:.0f} ms"
    )
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
