#!/usr/bin/env python3
"""A reply's server CPU over HTTP, in a closed loop and at a pace: what an idle pause costs.

    python3 bench/paced.py                        # 2000 in a loop, then 400 at 1 / 25 ms, 3 runs
    python3 bench/paced.py --gaps 0,0.005,0.025,0.1 --replies 300 --runs 1
    python3 bench/paced.py --path /api/v1/nothing-here   # a GET answered 404, for comparison

The forum (run.py, eventlet, the bench's seeded database: bench/seed.py) is started alone on
core 0; this process, on core 1, logs in as the demo resident (one keep-alive connection) and
replies to the 18 room threads in turn with the load generator's 1000-character text, nobody
listening, waiting `gap` seconds after each answer. The server's CPU time (user + system, from
/proc) over the replies, divided by their number, is the figure: on this machine a reply that
comes after a pause of 10 ms or more costs about twice its CPU in a closed loop, while the
server burns nothing when idle (bench/README.md, "fourth round"). Each run starts a fresh server
on a fresh copy of the database.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
EMAIL, PASSWORD = "anna@example.pl", "mieszkanka-demo"
FILLER = (  # as bench/load/load.js's
    "Proponuję, żeby w ramach budżetu obywatelskiego odnowić skwer przy ulicy Kalwaryjskiej: "
    "nowe ławki, więcej drzew, stojaki na rowery i poidełko. Koszt szacuję na około 300 tys. zł. "
)
WARMUP = 200


def seed(directory: Path) -> tuple[Path, dict]:
    """bench/run.py's database for the scenarios (bench/seed.py), made the same way."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    bench_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_run)
    return bench_run.seed_template(directory)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Forum:
    """run.py on a fresh copy of the seeded database, on core 0."""

    def __init__(self, template: Path):
        self.directory = Path(tempfile.mkdtemp(prefix="forum-paced-"))
        shutil.copy(template, self.directory / "forum.db")
        self.port = free_port()
        env = dict(
            os.environ,
            HOST="127.0.0.1",
            PORT=str(self.port),
            DATABASE_URL=f"sqlite:///{self.directory}/forum.db",
            SEED_DEMO_DATA="1",
            RATELIMIT_ENABLED="0",
            SOCKETIO_ASYNC_MODE="eventlet",
            FORUM_CONFIG="development",
            SECRET_KEY="bench-only-secret",
        )
        self.log = open(self.directory / "server.log", "w")
        self.process = subprocess.Popen(
            ["taskset", "-c", "0", str(VENV_PYTHON), str(ROOT / "run.py")],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                probe.request("GET", "/api/v1/session")
                probe.getresponse().read()
                probe.close()
                break
            except OSError as error:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    log = f"{self.directory}/server.log"
                    raise RuntimeError(f"the forum did not start: {log}") from error
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class Author:
    """The demo resident on one keep-alive connection."""

    def __init__(self, port: int, threads: list[int], path: str | None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.threads, self.path, self.count = threads, path, 0
        answer = self.request(
            "POST", "/api/v1/session", {"email": EMAIL, "password": PASSWORD}, expect=(200,)
        )
        self.cookie = "; ".join(
            value.split(";")[0] for name, value in answer.getheaders() if name == "Set-Cookie"
        )

    def request(self, method, path, body=None, expect=(200, 201)):
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if getattr(self, "cookie", None):
            headers["Cookie"] = self.cookie
        data = json.dumps(body) if body is not None else None
        self.connection.request(method, path, data, headers)
        answer = self.connection.getresponse()
        answer.read()
        if answer.status not in expect:
            raise RuntimeError(f"{method} {path}: {answer.status}")
        return answer

    def once(self) -> None:
        self.count += 1
        if self.path:
            self.request("GET", self.path, expect=(200, 404))
            return
        text = f"B{self.count}T{time.time() * 1000:.3f} "
        while len(text) < 1000:
            text += FILLER
        thread = self.threads[self.count % len(self.threads)]
        self.request("POST", f"/api/v1/threads/{thread}/posts", {"body": text[:1000]})


def measure(template: Path, seeded: dict, gap: float, replies: int, path: str | None) -> float:
    """Server CPU ms per request at this gap, on a fresh server."""
    forum = Forum(template)
    try:
        author = Author(forum.port, seeded["room_threads"], path)
        for _ in range(WARMUP):
            author.once()
        before = server_cpu(forum.process.pid)
        for _ in range(replies):
            author.once()
            if gap:
                time.sleep(gap)
        return 1000 * (server_cpu(forum.process.pid) - before) / replies
    finally:
        forum.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gaps", default="0,0.025", help="seconds after each answer (0: a loop)")
    parser.add_argument("--replies", type=int, default=0, help="per run (default 2000 in a loop, "
                        "400 at a pace)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--path", help="GET this path instead of replying")
    args = parser.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        print("needs two cores (the server on one, this client on the other)", file=sys.stderr)
        return 1
    os.sched_setaffinity(0, {1})
    gaps = [float(gap) for gap in args.gaps.split(",")]
    with tempfile.TemporaryDirectory(prefix="forum-paced-seed-") as directory:
        template, seeded = seed(Path(directory))
        figures: dict[float, list[float]] = {gap: [] for gap in gaps}
        for _ in range(args.runs):  # the gaps interleaved, so a drifting machine hits all alike
            for gap in gaps:
                replies = args.replies or (2000 if gap == 0 else 400)
                figures[gap].append(measure(template, seeded, gap, replies, args.path))
    what = f"GET {args.path}" if args.path else "reply"
    print(f"| gap after each answer | server CPU ms per {what}, median [min–max] of {args.runs} |")
    print("|---|---|")
    for gap, values in figures.items():
        label = "none (closed loop)" if gap == 0 else f"{gap * 1000:g} ms"
        low, middle, high = min(values), statistics.median(values), max(values)
        print(f"| {label} | {middle:.2f} [{low:.2f}–{high:.2f}] |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
