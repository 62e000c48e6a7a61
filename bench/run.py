#!/usr/bin/env python3
"""The one command: benchmark the forum's live broadcast against bare Node socket.io and bare
python-socketio, side by side, with browser-like clients.

    python3 bench/run.py                     # N = 100, 500, 1000, 4 servers, browser, 3 runs
    python3 bench/run.py --quick             # N = 100, node and forum, 1 run: about a minute

For every N, every repeat, every client mode (--transport) and every server in turn: start the
server alone on core 0 (taskset -c 0) on a loopback port, run the load generator
(bench/load/load.js) on core 1, read its JSON, stop the server. Then print, per client mode, one
table per server (median [min–max] over the repeats), the forum's ratios to the references (paired
by repeat) and the targets at the largest N (bench/README.md), judged on medians. Everything it
starts is stopped at the end, on error and on Ctrl-C too. Raw results go to bench/results/ (not in
git). See bench/README.md for the columns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
SERVERS = ("node", "python", "python-nodeflate", "forum")
TRANSPORTS = ("browser", "upgrade", "websocket")
TRANSPORT_LABELS = {
    "browser": "browser clients (websocket first, long-polling as fallback, as the pages do; "
    "Origin; page cookies; permessage-deflate offered)",
    "upgrade": "upgrade clients (long-polling, then the upgrade to websocket: socket.io-client's "
    "default; Origin; page cookies; permessage-deflate offered)",
    "websocket": "websocket-only clients (permessage-deflate offered; no Origin, no cookies)",
}
LABELS = {
    "node": "bare Node socket.io 4.8",
    "python": "bare python-socketio 5.18 / eventlet 0.41",
    "python-nodeflate": "bare python-socketio 5.18 / eventlet 0.41, compression declined",
    "forum": "the forum (run.py, eventlet)",
}
DEMO_EMAIL, DEMO_PASSWORD = "anna@example.pl", "mieszkanka-demo"

children: list[subprocess.Popen] = []


def say(*args) -> None:
    print(*args, flush=True)


# ---------------------------------------------------------------- processes
def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """Stop one process we started (and its process group: it was started in a new session)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=grace)
    if proc in children:
        children.remove(proc)


def stop_all() -> None:
    for proc in list(children):
        try:
            stop(proc, grace=3.0)
        except Exception as exc:  # keep stopping the others
            say(f"could not stop pid {proc.pid}: {exc}")


class Interrupted(Exception):
    """SIGINT or SIGTERM: stop what runs, then report the runs that finished."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def on_signal(signum, _frame):
    stop_all()
    raise Interrupted(signum)


def start(cmd: list[str], *, env: dict, log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    children.append(proc)
    return proc


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc: subprocess.Popen, url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready at {url} after {timeout:.0f} s; see {log}:\n{tail(log)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def copy_lines(stream, path: Path) -> None:
    with open(path, "wb") as log:
        for line in iter(stream.readline, b""):
            log.write(line)
            sys.stdout.write(line.decode(errors="replace"))
            sys.stdout.flush()


def handshake_extensions(port: int) -> str:
    """One raw websocket handshake offering permessage-deflate as browsers do: what the server
    answers in Sec-WebSocket-Extensions."""
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
    lines = head.split(b"\r\n\r\n")[0].decode("latin1").split("\r\n")
    status = lines[0] if lines else "(no answer)"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "sec-websocket-extensions":
            return f"{status}; Sec-WebSocket-Extensions: {value.strip()}"
    return f"{status}; no Sec-WebSocket-Extensions (compression declined)"


# ---------------------------------------------------------------- one server, one N
def server_command(kind: str, pin: list[str], forum_gc: str = "off") -> list[str]:
    if kind == "node":
        return pin + ["node", str(BENCH / "node-server" / "server.js")]
    if kind in ("python", "python-nodeflate"):
        return pin + [str(VENV_PYTHON), str(BENCH / "python_server.py")]
    if forum_gc != "off":  # run.py through the GC probe (see gc_probe.py)
        return pin + [str(VENV_PYTHON), str(BENCH / "gc_probe.py")]
    return pin + [str(VENV_PYTHON), str(ROOT / "run.py")]


def sweep_options(n: int, transport: str, args) -> dict:
    """The load generator's options for one run of the N sweep (--scenario sweep)."""
    return {
        "clients": n,
        "transport": transport,
        "duration": args.duration,
        "ramp-duration": args.ramp_duration,
        "rates": args.rates,
        "body-bytes": args.body_bytes,
        "max-latency-ms": args.max_latency_ms,
        "budget": args.budget,
        "slope-settle-ms": round(args.slope_settle * 1000),
        **({"rss-halves": 0} if args.no_halves else {}),
    }


def run_one(
    kind: str,
    name: str,
    load_opts: dict,
    rep: int,
    args,
    results_dir: Path,
    pins,
    timeout: float,
    template: Path | None = None,
) -> dict:
    """Start one server alone on its core, run the load generator with load_opts against it,
    stop the server; the load generator's JSON. The forum gets a fresh copy of `template` (the
    seeded database) when given, else a fresh empty database."""
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), PYTHONUNBUFFERED="1")
    tmp = None
    if kind == "python-nodeflate":
        env["DECLINE_DEFLATE"] = "1"
    if kind == "forum":
        tmp = tempfile.mkdtemp(prefix="forum-bench-")
        if template is not None:
            shutil.copy(template, Path(tmp) / "forum.db")
        env.update(
            DATABASE_URL=f"sqlite:///{tmp}/forum.db",
            SEED_DEMO_DATA="1",
            RATELIMIT_ENABLED="0",
            SOCKETIO_ASYNC_MODE="eventlet",
            FORUM_CONFIG="development",
            SECRET_KEY="bench-only-secret",
        )
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        env.pop("SOCKETIO_CORS_ORIGINS", None)  # its default: its own origin, as the clients send
    if kind == "forum":
        env.update(GC_MODE=args.forum_gc, GC_REPORT=str(results_dir / f"{name}.gc.txt"))
    log = results_dir / f"{name}.server.log"
    proc = None
    result = None
    try:
        proc = start(server_command(kind, pins[0], args.forum_gc), env=env, log=log)
        ready = "/api/v1/session" if kind == "forum" else "/health"
        wait_ready(proc, f"http://127.0.0.1:{port}{ready}", args.start_timeout, log)
        handshake = handshake_extensions(port)
        cmd = pins[1] + [
            "node",
            str(BENCH / "load" / "load.js"),
            "--url", f"http://127.0.0.1:{port}",
            "--mode", "forum" if kind == "forum" else "ref",
            "--server-pid", str(proc.pid),
            "--email", DEMO_EMAIL,
            "--password", DEMO_PASSWORD,
        ]  # fmt: skip
        for key, value in load_opts.items():
            cmd += [f"--{key}", str(value)]
        load_log = results_dir / f"{name}.load.log"
        out_json = results_dir / f"{name}.json"
        cmd += ["--out", str(out_json)]
        load = subprocess.Popen(
            cmd,
            cwd=BENCH,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        children.append(load)
        # The load generator's progress lines: to the console as they come, and to its log.
        tee = threading.Thread(target=copy_lines, args=(load.stderr, load_log), daemon=True)
        tee.start()
        try:
            load.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            stop(load)
            raise RuntimeError(f"load generator did not finish in {timeout} s") from exc
        finally:
            if load in children:
                children.remove(load)
            tee.join(timeout=5)
        if load.returncode != 0:
            raise RuntimeError(f"load generator failed ({load.returncode}); see {load_log}")
        result = json.loads(out_json.read_text())
        result["server"] = kind
        result["repeat"] = rep
        if kind == "forum":
            result["forum_gc"] = args.forum_gc
        result["handshake"] = handshake
        if proc.poll() is not None:
            result["server_exited"] = proc.returncode
        return result
    finally:
        if proc is not None:
            stop(proc)
        gc_report = Path(env.get("GC_REPORT", "/nonexistent"))
        if result is not None and kind == "forum" and gc_report.exists():
            result["gc"] = gc_report.read_text()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- report
# results[transport][server][N] is the list of that measurement's runs (one per repeat).
def f(value, digits=0, unit=""):
    if value is None:
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:,.{digits}f}{unit}"


def ratio(a, b):
    """a ÷ b; None when b is no reference (missing, not above 0, infinite): a memory figure can
    come out negative when the server's heap shrank between its two readings (Node's GC at small
    N), and a ratio to it means nothing."""
    if a is None or b is None or b <= 0 or b == float("inf"):
        return None
    return a / b


def median(values):
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    mid = len(vals) // 2
    return vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2


def spread(values, digits=0, unit="") -> str:
    """The repeats' median, and [min–max] when there is more than one."""
    vals = [v for v in values if v is not None]
    if not vals:
        return "-"
    if len(vals) == 1:
        return f(vals[0], digits, unit)
    return f"{f(median(vals), digits, unit)} [{f(min(vals), digits)}–{f(max(vals), digits)}]"


def first(result: dict) -> dict:
    return (result.get("steps") or [{}])[0]


def saturation_step(result: dict) -> dict:
    steps = result.get("steps") or []
    return max(steps, key=lambda s: s["deliveries_per_s"]) if steps else {}


def per_cpu(result: dict) -> float | None:
    """Deliveries per second of server CPU in the saturation step: a capacity estimate for a
    server that the load generator could not saturate."""
    sat = saturation_step(result)
    cpu = sat.get("server_cpu_pct")
    return sat["deliveries_per_s"] / (cpu / 100) if cpu else None


# One figure of one run: (how to read it, digits).
METRICS = {
    "joined": (lambda r: r.get("clients"), 0),
    "join_s": (lambda r: r.get("connect_seconds"), 1),
    "rss": (lambda r: r.get("rss_per_conn_kib"), 1),
    "rss_slope": (lambda r: r.get("rss_slope_kib"), 1),
    "pub_p50": (lambda r: first(r).get("publish_p50_ms"), 1),
    "p50": (lambda r: first(r).get("p50_ms"), 1),
    "p99": (lambda r: first(r).get("p99_ms"), 1),
    "last_p99": (lambda r: first(r).get("last_recipient_p99_ms"), 1),
    "lost": (lambda r: first(r).get("lost"), 0),
    "failed": (lambda r: first(r).get("posts_failed"), 0),
    "max_deliv": (lambda r: r.get("max_deliveries_per_s"), 0),
    "at_rate": (lambda r: saturation_step(r).get("rate"), 0),
    "srv_cpu": (lambda r: saturation_step(r).get("server_cpu_pct"), 0),
    "load_cpu": (lambda r: saturation_step(r).get("loadgen_cpu_pct"), 0),
    "per_cpu": (per_cpu, 0),
}


def values(runs: list[dict], key: str) -> list:
    return [METRICS[key][0](r) for r in runs]


def cell(runs: list[dict], key: str, unit: str = "") -> str:
    return spread(values(runs, key), METRICS[key][1], unit)


def paired(a_runs: list[dict], b_runs: list[dict], key: str) -> list:
    """Per repeat, a's figure ÷ b's: runs of the same round, measured minutes apart."""
    b_by_repeat = {r.get("repeat", 0): r for r in b_runs}
    out = []
    for r in a_runs:
        other = b_by_repeat.get(r.get("repeat", 0))
        if other is not None:
            out.append(ratio(METRICS[key][0](r), METRICS[key][0](other)))
    return out


def ratio_cell(a_runs, b_runs, key) -> str:
    return spread(paired(a_runs, b_runs, key), 2, "×")


NUMERIC = re.compile(r"^(-|inf|-?[\d,.]+(×|\w*))( \[[-\d,.inf]+–[-\d,.inf]+\])?$")


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]

    def cell_text(value, width):  # figures to the right, words to the left
        text = str(value)
        return text.rjust(width) if NUMERIC.match(text) else text.ljust(width)

    def line(cells):
        return "| " + " | ".join(cell_text(c, w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


SHORT_TRANSPORT = {"websocket": "ws", "polling": "polling"}


def transports_cell(runs: list[dict]) -> str:
    """Which transport the joined clients ended on: counts, as a range over the repeats."""
    names = sorted(
        {t for r in runs for t in (r.get("transports") or {})}, key=lambda t: (t != "websocket", t)
    )
    parts = []
    for name in names:
        counts = [(r.get("transports") or {}).get(name, 0) for r in runs]
        lo, hi = min(counts), max(counts)
        parts.append(f"{SHORT_TRANSPORT.get(name, name)} {lo}" + (f"–{hi}" if hi != lo else ""))
    return ", ".join(parts) or "-"


def reasons_cell(runs: list[dict]) -> str:
    counts: dict[str, int] = {}
    for r in runs:
        text = r.get("stop_reason", "").replace("saturated at ", "")
        if (saturation_step(r).get("loadgen_cpu_pct") or 0) >= 90:
            text += " (load generator at its limit)"
        counts[text] = counts.get(text, 0) + 1
    if len(runs) == 1:
        return next(iter(counts))
    return "; ".join(f"{text} ×{n}" for text, n in counts.items())


SUMMARY_HEADER = [
    "N", "joined", "ended on", "join s", "join ×Node", "RSS slope KiB", "RSS/conn KiB",
    "pub p50 ms", "p50 ms", "p99 ms", "last p99 ms", "lost", "max deliv/s", "at posts/s",
    "srv CPU%", "load CPU%", "stopped because",
]  # fmt: skip


def summary_row(n: int, runs: list[dict], node_runs: list[dict] | None) -> list[str]:
    return [
        str(n),
        cell(runs, "joined"),
        transports_cell(runs),
        cell(runs, "join_s"),
        ratio_cell(runs, node_runs, "join_s") if node_runs else "-",
        cell(runs, "rss_slope"),
        cell(runs, "rss"),
        cell(runs, "pub_p50"),
        cell(runs, "p50"),
        cell(runs, "p99"),
        cell(runs, "last_p99"),
        cell(runs, "lost"),
        cell(runs, "max_deliv"),
        cell(runs, "at_rate"),
        cell(runs, "srv_cpu"),
        cell(runs, "load_cpu"),
        reasons_cell(runs),
    ]


STEP_HEADER = [
    "posts/s", "achieved", "pub p50 ms", "deliv/s", "p50 ms", "p99 ms", "last p99 ms",
    "lost", "failed posts", "srv CPU%", "load CPU%",
]  # fmt: skip


def step_row(s: dict) -> list[str]:
    return [
        f(s["rate"]),
        f(s["posts_per_s"], 1),
        f(s["publish_p50_ms"], 1),
        f(s["deliveries_per_s"]),
        f(s["p50_ms"], 1),
        f(s["p99_ms"], 1),
        f(s["last_recipient_p99_ms"], 1),
        f(s["lost"]),
        f(s["posts_failed"]),
        f(s["server_cpu_pct"]),
        f(s["loadgen_cpu_pct"]),
    ]


RATIO_HEADER = ["N", "join s", "p50", "p99", "last p99", "max deliv/s", "RSS slope", "RSS/conn"]
RATIO_KEYS = ("join_s", "p50", "p99", "last_p99", "max_deliv", "rss_slope", "rss")


def client_lines(r: dict) -> list[str]:
    """What the clients did, from one run: the recorded check, the page GETs."""
    lines = []
    check = r.get("client_check")
    if check and r.get("transport") in ("browser", "upgrade"):
        polls = check.get("polling") or []
        ws = check.get("websocket") or {}
        problems = check.get("problems") or []
        lines.append(
            "clients, as recorded by a loopback server before the run: page GET, then "
            f"{len(polls)} polling requests ({', '.join(p['method'] for p in polls)}), then the "
            f"websocket upgrade offering `{ws.get('extensions')}`; Origin = the server's own "
            "origin and the page's cookie on every polling request and on the upgrade"
            + (f" — PROBLEMS: {'; '.join(problems)}" if problems else "")
        )
    page = r.get("page")
    if page:
        statuses = ", ".join(f"{k} ×{v}" for k, v in (page.get("statuses") or {}).items())
        cookies = ", ".join(page.get("cookie_names") or []) or "none"
        lines.append(
            f"page GET {page.get('path')} per client: {statuses}; cookies it set: {cookies} "
            f"(kept in each client's jar, sent on its socket.io requests)"
        )
    return lines


def targets(forum: list[dict], node: list[dict], n: int, transport: str) -> str:
    """The bar at N (bench/README.md): the forum against Node measured in the same run, each verdict
    on the median over the repeats (the ratios paired by repeat)."""
    lost, joined, failed = values(forum, "lost"), values(forum, "joined"), values(forum, "failed")
    last_r = paired(forum, node, "last_p99")
    sat_r = paired(forum, node, "max_deliv")
    cpu_r = paired(forum, node, "per_cpu")
    slope_r = paired(forum, node, "rss_slope")
    rss_r = paired(forum, node, "rss")
    join_r = paired(forum, node, "join_s")
    lower_bound = (median(values(node, "load_cpu")) or 0) >= 90
    checks = [
        (
            "zero lost deliveries (10 posts/s)",
            median(lost) == 0 and median(joined) == n and median(failed) == 0,
            f"lost {spread(lost)}, joined {spread(joined)} of {n:,}, failed posts {spread(failed)}"
            + (" (some run lost deliveries)" if any(v != 0 for v in lost) else ""),
        ),
        (
            "last-recipient p99 ≤ 1.5× Node's",
            (median(last_r) or 99) <= 1.5,
            f"{cell(forum, 'last_p99')} ms vs {cell(node, 'last_p99')} ms "
            f"({spread(last_r, 2, '×')})",
        ),
        (
            "saturation deliveries/s ≥ 0.8× Node's",
            (median(sat_r) or 0) >= 0.8,
            f"{cell(forum, 'max_deliv')} vs {cell(node, 'max_deliv')} ({spread(sat_r, 2, '×')})"
            + (
                "; Node's is a lower bound (load generator at its limit): per second of server"
                f" CPU {cell(forum, 'per_cpu')} vs {cell(node, 'per_cpu')}"
                f" ({spread(cpu_r, 2, '×')})"
                if lower_bound
                else ""
            ),
        ),
        (
            "RSS per idle connection (slope, N/2 → N) ≤ 2× Node's",
            (median(slope_r) or 99) <= 2,
            f"{cell(forum, 'rss_slope')} KiB vs {cell(node, 'rss_slope')} KiB "
            f"({spread(slope_r, 2, '×')})",
        ),
    ]
    # A ramp that ended on the time budget or ran out of rates did not find that server's maximum.
    unsaturated = [
        name
        for name, runs in (("forum", forum), ("Node", node))
        if any(not r.get("stop_reason", "").startswith("saturated") for r in runs)
    ]
    if unsaturated:
        name, ok, detail = checks[2]
        checks[2] = (
            name,
            ok,
            f"{detail}; not a saturation figure for {' and '.join(unsaturated)} (the ramp "
            "ended on the time budget or the last rate)",
        )
    # Met against a Node figure the load generator capped, but not per second of server CPU.
    doubtful = (lower_bound and (median(cpu_r) or 0) < 0.8) or bool(unsaturated)
    verdicts = ["MET" if ok else "NOT MET" for _, ok, _ in checks]
    if doubtful and verdicts[2] == "MET":
        verdicts[2] = "UNCERTAIN"
    # Below the bar, but the forum's own figure was not its maximum either.
    if "forum" in unsaturated and verdicts[2] == "NOT MET":
        verdicts[2] = "UNCERTAIN"
    if median(slope_r) is None:
        verdicts[3] = "no figure"  # a run from before the slope (--report of an old run)
    rows = [[name, v, detail] for (name, _, detail), v in zip(checks, verdicts, strict=True)]
    rows.append(
        [
            "RSS per idle connection from after the page GETs (no bar: the slope is the verdict)",
            "reported",
            f"{cell(forum, 'rss')} KiB vs {cell(node, 'rss')} KiB ({spread(rss_r, 2, '×')})",
        ]
    )
    rows.append(
        [
            f"time for {n} clients to join (no bar for it)",
            "reported",
            f"{cell(forum, 'join_s')} s vs {cell(node, 'join_s')} s ({spread(join_r, 2, '×')})",
        ]
    )
    if transport in ("browser", "upgrade"):
        left = [r.get("not_upgraded", 0) for r in forum + node]
        rows.append(
            [
                "every client ended on websocket (else the figures are distorted)",
                "yes" if not any(left) else "NO: DISTORTED",
                f"forum {transports_cell(forum)}; Node {transports_cell(node)}",
            ]
        )
    return table(
        rows, ["target", "forum", f"measured: forum vs Node, median [min–max] of {len(forum)}"]
    )


def report(results: dict, ns: list[int], steps: bool) -> str:
    out = []
    for transport in TRANSPORTS:
        by_kind = {k: v for k, v in results.get(transport, {}).items() if any(v.values())}
        if not by_kind:
            continue
        out.append(f"\n## {TRANSPORT_LABELS[transport]}")
        node = by_kind.get("node", {})
        for kind in SERVERS:
            if kind not in by_kind:
                continue
            runs_by_n = by_kind[kind]
            any_r = next(r for n in ns for r in runs_by_n.get(n, []))
            gc_mode = any_r.get("forum_gc", "off")
            note = f" (through bench/gc_probe.py, GC {gc_mode})" if gc_mode != "off" else ""
            repeats = max(len(runs_by_n.get(n, [])) for n in ns)
            out.append(
                f"\n### {LABELS[kind]}{note}: {transport} clients, median [min–max] of "
                f"{repeats} run{'s' if repeats != 1 else ''}\n"
            )
            out.append(
                f"handshake offering permessage-deflate: {any_r.get('handshake')}; "
                f"client offered: {any_r.get('offer')}\n"
            )
            for line in client_lines(any_r):
                out.append(line + "\n")
            out.append(
                f"one event ({any_r.get('event_bytes')} B, texts cut short): "
                f"{any_r.get('event_sample')}\n"
            )
            rows = [
                summary_row(n, runs_by_n[n], node.get(n) if kind != "node" else None)
                for n in ns
                if runs_by_n.get(n)
            ]
            out.append(table(rows, SUMMARY_HEADER))
            for n in ns:
                for r in runs_by_n.get(n, []):
                    run_name = f"N={n}, run {r.get('repeat', 0) + 1}"
                    if r.get("not_upgraded"):
                        out.append(
                            f"\nWARNING {run_name}: {r['not_upgraded']} clients stayed on polling "
                            f"({'; '.join(r.get('not_upgraded_examples') or [])})"
                        )
                    if r.get("connect_failures"):
                        out.append(
                            f"\n{run_name}: {r['connect_failures']} clients failed to join "
                            f"({' | '.join(r.get('connect_failure_examples') or [])})"
                        )
                    if r.get("gc"):
                        summary = [x for x in r["gc"].splitlines() if not x.startswith("  at")]
                        out.append(f"\nGC of the forum, {run_name}: " + "; ".join(summary))
            if steps:
                for n in ns:
                    for r in runs_by_n.get(n, []):
                        out.append(
                            f"\nsteps, {transport} clients, N={n}, run {r.get('repeat', 0) + 1}:\n"
                        )
                        out.append(table([step_row(s) for s in r["steps"]], STEP_HEADER))
        if "forum" in by_kind:
            for ref in ("node", "python", "python-nodeflate"):
                if ref not in by_kind:
                    continue
                out.append(
                    f"\n### the forum ÷ {LABELS[ref]}: {transport} clients (lower is better, "
                    "except deliveries/s; ratios paired by repeat, median [min–max])\n"
                )
                rows = []
                for n in ns:
                    a, b = by_kind["forum"].get(n), by_kind[ref].get(n)
                    if a and b:
                        rows.append([str(n)] + [ratio_cell(a, b, k) for k in RATIO_KEYS])
                out.append(table(rows, RATIO_HEADER))
            done = [n for n in ns if by_kind["forum"].get(n) and node.get(n)]
            if done:
                top = max(done)
                counts = (
                    "the mode the bar asks for: these verdicts count"
                    if transport == "browser"
                    else "websocket-only clients, for comparison with earlier runs; "
                    "the bar asks for browser-like clients"
                )
                out.append(f"\n### The targets at N={top}: {transport} clients ({counts})\n")
                out.append(targets(by_kind["forum"][top], node[top], top, transport))
    return "\n".join(out)


def load_results(path: Path) -> tuple[dict, list[int]]:
    """A saved results.json: this format, or the one before --transport and --repeat (one
    websocket-only run per server and N)."""
    raw = json.loads(path.read_text())
    if raw.get("format") == 2:
        results = {
            t: {k: {int(n): runs for n, runs in by_n.items()} for k, by_n in by_kind.items()}
            for t, by_kind in raw["results"].items()
        }
    else:
        results = {
            "websocket": {
                k: {int(n): [dict(r, repeat=0)] for n, r in by_n.items()} for k, by_n in raw.items()
            }
        }
    ns = sorted({n for by_kind in results.values() for by_n in by_kind.values() for n in by_n})
    return results, ns


def save_results(path: Path, results: dict, args, ns: list[int], modes: list[str]) -> None:
    data = {
        "format": 2,
        "ns": ns,
        "transports": modes,
        "repeat": args.repeat,
        "args": {k: v for k, v in vars(args).items() if k != "report"},
        "results": {
            t: {k: {str(n): runs for n, runs in by_n.items()} for k, by_n in by_kind.items()}
            for t, by_kind in results.items()
        },
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


def machine() -> str:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    node = subprocess.run(["node", "-v"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({model}), {mem} RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, node {node}"
    )


# ---------------------------------------------------------------- the scenarios
# --scenario: the targets of issue 11, each a few runs of one server at a time, browser clients.
# `saturation` rides on `one-room`'s runs (the ramp after the 10 posts/s step) when both are
# chosen, so the 1000 clients join once.
SCENARIOS = ("one-room", "3000", "rooms", "saturation", "readers", "writes")
SCENARIO_TITLES = {
    "one-room": "1000 clients, one room, 10 posts/s",
    "3000": "3000 clients, one room, 10 posts/s",
    "rooms": "18 rooms × 100 clients, 40 posts/s spread over the 18",
    "saturation": "saturation, one room of 1000",
    "readers": "8 readers looping on a 3000-post thread while 1000 clients listen at 10 posts/s",
    "writes": "write path: 10 authors, no listeners, then 10 posts/s without and with 1000 "
    "listeners",
}
# The targets table's names: the issue's own.
TARGET_NAMES = {
    "one-room": "1000 clients, one room, 10 posts/s",
    "3000": "3000 clients, one room, 10 posts/s",
    "rooms": "18 rooms × 100 clients, 40 posts/s spread",
    "saturation": "saturation, one room of 1000",
    "readers": "8 readers looping on a 3000-post thread while 1000 clients listen",
    "writes": "write path, no listeners, one core",
}
# Seconds per run of one server at the default durations (measured 2026-11-26 on the 2-core
# machine of bench/README.md); printed as the plan's estimate.
SCENARIO_SECONDS = {"one-room": 30, "saturation": 15, "3000": 130, "rooms": 45, "readers": 85,
                    "writes": 95}  # fmt: skip
FORUM_ONLY = ("readers", "writes")
ROOMS, ROOM_CLIENTS = 18, 100


def scenario_units(selected: list[str], kinds: list[str], seed: dict | None, args) -> list:
    """What one round runs: (scenario, server, load generator options, timeout s)."""
    scale = args.scale

    def clients(n: int) -> int:
        return max(1, round(n * scale))

    base = {
        "transport": "browser",
        "duration": args.duration,
        "body-bytes": args.body_bytes,
        "max-latency-ms": args.max_latency_ms,
        "slope-settle-ms": round(args.slope_settle * 1000),
        **({"rss-halves": 0} if args.no_halves else {}),
    }
    units = []
    for scenario in selected:
        if scenario == "saturation" and "one-room" in selected:
            continue  # measured in one-room's runs
        for kind in kinds:
            if scenario in FORUM_ONLY and kind != "forum":
                continue
            o = dict(base, rates="10")
            timeout = 600.0
            if scenario in ("one-room", "saturation"):
                o["clients"] = clients(1000)
                if "saturation" in selected:
                    o.update(rates=args.rates, budget=args.budget)
                    o["ramp-duration"] = args.ramp_duration
                    timeout += args.budget
                key = "one-room"
            elif scenario == "3000":
                o["clients"] = clients(3000)
                o["connect-timeout"] = 300  # the forum took 77 s to join 3000 on a busy machine
                timeout = 900.0
                key = "3000"
            elif scenario == "rooms":
                threads = (seed["room_threads"] if kind == "forum" else list(range(1, ROOMS + 1)))[
                    :ROOMS
                ]
                o.update(clients=clients(ROOMS * ROOM_CLIENTS), rates="40")
                o["threads"] = ",".join(map(str, threads))
                key = "rooms"
            elif scenario == "readers":
                o.update(clients=clients(1000), rates="10,10", readers=8)
                o["reader-thread"] = seed["long_thread"]
                o["readers-from-step"] = 1
                o["reader-page"] = args.reader_page
                # Readers may hold every delivery for seconds: wait for them, and let no latency
                # end the run early (both steps always run).
                o["quiet-ms"] = 15000
                o["drain-ms"] = 45000
                o["max-latency-ms"] = 1e9
                key = "readers"
            else:  # writes
                wt = seed["write_threads"]
                o = dict(base, scenario="writes", clients=clients(1000))
                o["threads"] = wt["listened"]
                o["authors"] = ",".join(seed["authors"])
                o["author-password"] = seed["author_password"]
                o["write-threads"] = f"{wt['closed']},{wt['quiet']},{wt['listened']}"
                o["write-seconds"] = args.duration
                o["write-rate"] = 10
                key = "writes"
            units.append((key, kind, o, timeout))
    return units


def seed_template(results_dir: Path) -> tuple[Path, dict]:
    """The forum's database for every forum run of this bench: schema, demo data, the 18 rooms'
    threads, the authors and the 3000-post thread (bench/seed.py); each run gets a copy."""
    template_dir = results_dir / "template"
    template_dir.mkdir(exist_ok=True)
    db_file = template_dir / "forum.db"
    out = template_dir / "seed.json"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{db_file}",
        SEED_DEMO_DATA="1",
        RATELIMIT_ENABLED="0",
        FORUM_CONFIG="development",
        SECRET_KEY="bench-only-secret",
    )
    say("seeding the forum's database (bench/seed.py) …")
    proc = start(
        [str(VENV_PYTHON), str(BENCH / "seed.py"), "--out", str(out)],
        env=env,
        log=template_dir / "seed.log",
    )
    try:
        proc.wait(timeout=300)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError("seeding took over 300 s") from exc
    finally:
        stop(proc)
    if proc.returncode != 0:
        raise RuntimeError(
            f"seeding failed; see {template_dir / 'seed.log'}:\n{tail(template_dir / 'seed.log')}"
        )
    seed = json.loads(out.read_text())
    for suffix in ("-wal", "-shm"):  # a clean close leaves none; a copy must not miss one
        if Path(f"{db_file}{suffix}").exists():
            raise RuntimeError(f"the seeded database left {db_file}{suffix}")
    say(f"seeded in {seed['seconds']} s: {json.dumps(seed)}")
    return db_file, seed


# One figure of one run, by name (None when the run has no such figure).
def _step(r: dict, i: int) -> dict:
    steps = r.get("steps") or []
    return steps[i] if len(steps) > i else {}


def _writes(r: dict, phase: str) -> dict:
    return (r.get("writes") or {}).get(phase) or {}


def _last_p99(step: dict):
    """A post some client never got has an infinite last-recipient latency (JSON has null)."""
    value = step.get("last_recipient_p99_ms")
    if value is None and step.get("lost"):
        return float("inf")
    return value


FIG = {
    "last_p99": lambda r: _last_p99(_step(r, 0)),
    "p50": lambda r: _step(r, 0).get("p50_ms"),
    "p99": lambda r: _step(r, 0).get("p99_ms"),
    "pub_p50": lambda r: _step(r, 0).get("publish_p50_ms"),
    "lost": lambda r: _step(r, 0).get("lost"),
    "failed": lambda r: _step(r, 0).get("posts_failed"),
    "rss": lambda r: r.get("rss_per_conn_kib"),
    "rss_slope": lambda r: r.get("rss_slope_kib"),
    "join_s": lambda r: r.get("connect_seconds"),
    "joined": lambda r: r.get("clients"),
    "cpu_s": lambda r: _step(r, 0).get("server_cpu_s"),
    "srv_cpu": lambda r: _step(r, 0).get("server_cpu_pct"),
    "load_cpu": lambda r: _step(r, 0).get("loadgen_cpu_pct"),
    "srv_wait": lambda r: _step(r, 0).get("server_wait_pct"),
    "load_wait": lambda r: _step(r, 0).get("loadgen_wait_pct"),
    "load_wanted": lambda r: _step(r, 0).get("loadgen_wanted_pct"),
    "per_cpu": per_cpu,
    "max_deliv": lambda r: r.get("max_deliveries_per_s"),
    "sat_rate": lambda r: saturation_step(r).get("rate"),
    "sat_load_cpu": lambda r: saturation_step(r).get("loadgen_cpu_pct"),
    "sat_srv_cpu": lambda r: saturation_step(r).get("server_cpu_pct"),
    "rd_last_p99": lambda r: _last_p99(_step(r, 1)),
    "rd_p50": lambda r: _step(r, 1).get("p50_ms"),
    "rd_lost": lambda r: _step(r, 1).get("lost"),
    "rd_cpu": lambda r: _step(r, 1).get("server_cpu_pct"),
    "closed_rps": lambda r: _writes(r, "closed").get("replies_per_s"),
    "closed_p50": lambda r: _writes(r, "closed").get("p50_ms"),
    "closed_p99": lambda r: _writes(r, "closed").get("p99_ms"),
    "closed_failed": lambda r: _writes(r, "closed").get("failed"),
    "closed_cpu": lambda r: _writes(r, "closed").get("server_cpu_pct"),
    "quiet_p50": lambda r: _writes(r, "quiet").get("publish_p50_ms"),
    "quiet_p99": lambda r: _writes(r, "quiet").get("publish_p99_ms"),
    "listened_p50": lambda r: _writes(r, "listened").get("publish_p50_ms"),
    "listened_p99": lambda r: _writes(r, "listened").get("publish_p99_ms"),
}


def figs(runs: list[dict], key: str) -> list:
    return [FIG[key](r) for r in runs]


def fcell(runs: list[dict], key: str, digits: int = 1) -> str:
    return spread(figs(runs, key), digits)


def pair(a_runs: list[dict], b_runs: list[dict], key: str) -> list:
    """Per repeat, a's figure ÷ b's (runs of the same round)."""
    b_by_repeat = {r.get("repeat", 0): r for r in b_runs}
    return [
        ratio(FIG[key](r), FIG[key](b_by_repeat[r.get("repeat", 0)]))
        for r in a_runs
        if r.get("repeat", 0) in b_by_repeat
    ]


def within(runs: list[dict], num: str, den: str) -> list:
    """Per run, one of its figures ÷ another (the same server process, minutes apart)."""
    return [ratio(FIG[num](r), FIG[den](r)) for r in runs]


def ramped(r: dict) -> bool:
    """Whether the run was given the saturation ramp (it may have stopped at its first step)."""
    return "ramp-duration" in (r.get("load_opts") or {}) or len(r.get("steps") or []) > 1


def load_limit(runs: list[dict]) -> float:
    """How busy the load generator was in the measured step, the median over these runs: per run
    its CPU or the time it ran or waited for its core, whichever is higher (a shared core lowers
    the first, not the second)."""
    per_run = [
        max([0.0] + [v for v in (FIG["load_cpu"](r), FIG["load_wanted"](r)) if v]) for r in runs
    ]
    return median(per_run) or 0.0


def not_upgraded(runs: list[dict]) -> int:
    return sum(r.get("not_upgraded") or 0 for r in runs)


SCENARIO_HEADER = [
    "server", "runs", "joined", "ended on", "join s", "RSS slope KiB", "RSS/conn KiB",
    "pub p50 ms", "p50 ms", "p99 ms", "last p99 ms", "lost", "srv CPU s", "srv CPU%",
    "srv waited%", "load CPU%", "load wanted%",
]  # fmt: skip


def scenario_row(kind: str, runs: list[dict]) -> list[str]:
    return [
        LABELS[kind],
        str(len(runs)),
        fcell(runs, "joined", 0),
        transports_cell(runs),
        fcell(runs, "join_s"),
        fcell(runs, "rss_slope"),
        fcell(runs, "rss"),
        fcell(runs, "pub_p50"),
        fcell(runs, "p50"),
        fcell(runs, "p99"),
        fcell(runs, "last_p99"),
        fcell(runs, "lost", 0),
        fcell(runs, "cpu_s", 2),
        fcell(runs, "srv_cpu", 0),
        fcell(runs, "srv_wait", 0),
        fcell(runs, "load_cpu", 0),
        fcell(runs, "load_wanted", 0),
    ]


def verdict(value, ok) -> str:
    if value is None:
        return "no figure"
    return "MET" if ok(value) else "NOT MET"


def scenario_targets(results: dict) -> list[list[str]]:
    """The issue's targets table: scenario, measure, target, median [min–max], verdict (on the
    median; ratios to Node paired by repeat, the forum's own ratios within each run)."""
    rows = []

    def get(key, kind):
        return (results.get(key) or {}).get(kind) or []

    def add(scenario, measure, target, vals, ok, detail="", digits=2, unit="×", note=""):
        med = median(vals)
        text = spread(vals, digits, unit) if vals else "-"
        if detail:
            text += f" ({detail})"
        v = verdict(med, ok)
        if note and v != "no figure":
            v += f" {note}"
        rows.append([TARGET_NAMES[scenario], measure, target, text, v])

    def rss_rows(scenario, forum, node):
        """Memory per connection counted from after the page GETs: printed, not judged."""
        rows.append(
            [
                TARGET_NAMES[scenario],
                "RSS per connection from after the page GETs ÷ Node",
                "(reported)",
                f"{spread(pair(forum, node, 'rss'), 2, '×')} "
                f"({fcell(forum, 'rss')} vs {fcell(node, 'rss')} KiB)",
                "reported",
            ]
        )

    def distortion(*groups, timed=True) -> str:
        """Notes on a verdict: clients left on polling; for a timed figure (not memory, read
        with the clients idle before the steps), a load generator at its limit in the step."""
        left = sum(not_upgraded(g) for g in groups)
        notes = [f"distorted: {left} clients stayed on polling"] if left else []
        if timed and max(load_limit(g) for g in groups) >= 90:
            notes.append("UNCERTAIN: the load generator wanted its core ≥ 90 % of the step")
        return f"({'; '.join(notes)})" if notes else ""

    forum, node = get("one-room", "forum"), get("one-room", "node")
    if forum and node:
        d = distortion(forum, node)
        add(
            "one-room",
            "last-recipient p99 ÷ Node",
            "≤ 1.2×",
            pair(forum, node, "last_p99"),
            lambda v: v <= 1.2,
            f"{fcell(forum, 'last_p99')} vs {fcell(node, 'last_p99')} ms",
            note=d,
        )
        add(
            "one-room",
            "RSS per connection, slope N/2 → N, ÷ Node",
            "≤ 1.5×",
            pair(forum, node, "rss_slope"),
            lambda v: v <= 1.5,
            f"{fcell(forum, 'rss_slope')} vs {fcell(node, 'rss_slope')} KiB",
            note=distortion(forum, node, timed=False),
        )
        rss_rows("one-room", forum, node)
        add(
            "one-room",
            "join time for all ÷ Node",
            "≤ 2×",
            pair(forum, node, "join_s"),
            lambda v: v <= 2,
            f"{fcell(forum, 'join_s')} vs {fcell(node, 'join_s')} s",
            note=d,
        )
        add(
            "one-room",
            "lost deliveries (forum)",
            "0",
            figs(forum, "lost"),
            lambda v: v == 0,
            f"joined {fcell(forum, 'joined', 0)}, failed posts {fcell(forum, 'failed', 0)}",
            digits=0,
            unit="",
        )
    forum, node = get("3000", "forum"), get("3000", "node")
    if forum and node:
        loaded = max(load_limit(forum), load_limit(node))
        d = distortion(forum, node)
        add(
            "3000",
            "last-recipient p99 ÷ Node",
            "≤ 1.5×",
            pair(forum, node, "last_p99"),
            lambda v: v <= 1.5,
            f"{fcell(forum, 'last_p99')} vs {fcell(node, 'last_p99')} ms",
            note=d,
        )
        add(
            "3000",
            "RSS per connection, slope N/2 → N, ÷ Node",
            "≤ 2×",
            pair(forum, node, "rss_slope"),
            lambda v: v <= 2,
            f"{fcell(forum, 'rss_slope')} vs {fcell(node, 'rss_slope')} KiB",
            note=distortion(forum, node, timed=False),
        )
        rss_rows("3000", forum, node)
        add(
            "3000",
            "lost deliveries (forum)",
            "0",
            figs(forum, "lost"),
            lambda v: v == 0,
            f"joined {fcell(forum, 'joined', 0)}, failed posts {fcell(forum, 'failed', 0)}",
            digits=0,
            unit="",
        )
        rows.append(
            [
                TARGET_NAMES["3000"],
                "load generator at 10 posts/s: its CPU %, and ran + waited for its core %",
                "< 90 % (not the bottleneck)",
                f"forum runs {fcell(forum, 'load_cpu', 0)} % / {fcell(forum, 'load_wanted', 0)} %, "
                f"Node runs {fcell(node, 'load_cpu', 0)} % / {fcell(node, 'load_wanted', 0)} %",
                "ok" if loaded < 90 else "AT ITS LIMIT",
            ]
        )
    forum, node = get("rooms", "forum"), get("rooms", "node")
    if forum and node:
        d = distortion(forum, node)
        add(
            "rooms",
            "last-recipient p99 ÷ Node",
            "≤ 2×",
            pair(forum, node, "last_p99"),
            lambda v: v <= 2,
            f"{fcell(forum, 'last_p99')} vs {fcell(node, 'last_p99')} ms; "
            f"lost {fcell(forum, 'lost', 0)}",
            note=d,
        )
        add(
            "rooms",
            "server CPU s over the step ÷ Node",
            "≤ 2×",
            pair(forum, node, "cpu_s"),
            lambda v: v <= 2,
            f"{fcell(forum, 'cpu_s', 2)} vs {fcell(node, 'cpu_s', 2)} s",
            note=d,
        )
    forum, node = get("one-room", "forum"), get("one-room", "node")
    if forum and node and any(ramped(r) for r in forum + node):
        capped = max((v or 0) for v in figs(node, "sat_load_cpu")) >= 90
        add(
            "saturation",
            "deliveries per server CPU-second ÷ Node",
            "≥ 0.8×",
            pair(forum, node, "per_cpu"),
            lambda v: v >= 0.8,
            f"{fcell(forum, 'per_cpu', 0)} vs {fcell(node, 'per_cpu', 0)}; max deliveries/s "
            f"{fcell(forum, 'max_deliv', 0)} vs {fcell(node, 'max_deliv', 0)}"
            + ("; Node's maximum was capped by the load generator" if capped else "")
            + f"; ramps stopped: forum {reasons_cell(forum)}, Node {reasons_cell(node)}",
        )
    forum = get("readers", "forum")
    if forum:
        add(
            "readers",
            "live last-recipient p99 with ÷ without readers (forum, same run)",
            "≤ 1.5×",
            within(forum, "rd_last_p99", "last_p99"),
            lambda v: v <= 1.5,
            f"{fcell(forum, 'rd_last_p99')} vs {fcell(forum, 'last_p99')} ms; not delivered "
            f"with readers {fcell(forum, 'rd_lost', 0)}, clients disconnected "
            f"{spread([r.get('disconnects') or 0 for r in forum], 0)}",
            note=distortion(forum),
        )
        for path, stats in reader_stats(forum).items():
            rows.append(
                [
                    TARGET_NAMES["readers"],
                    f"reader GET {path}: p50 / p99 ms, size",
                    "(reported)",
                    f"{spread(stats['p50'], 0)} / {spread(stats['p99'], 0)} ms, "
                    f"{spread(stats['kb'], 0)} kB, {int(sum(stats['n']))} GETs",
                    "reported",
                ]
            )
    forum = get("writes", "forum")
    if forum:
        add(
            "writes",
            "replies/s from 10 authors, closed loop, no listeners",
            "≥ 200",
            figs(forum, "closed_rps"),
            lambda v: v >= 200,
            f"p50 {fcell(forum, 'closed_p50')} ms, p99 {fcell(forum, 'closed_p99')} ms, failed "
            f"{fcell(forum, 'closed_failed', 0)}, server CPU {fcell(forum, 'closed_cpu', 0)} %",
            digits=1,
            unit="",
        )
        add(
            "writes",
            "author's response p50 at 10 posts/s, with ÷ without 1000 listeners",
            "≤ 1.2×",
            within(forum, "listened_p50", "quiet_p50"),
            lambda v: v <= 1.2,
            f"{fcell(forum, 'listened_p50')} vs {fcell(forum, 'quiet_p50')} ms; lost "
            f"{spread([_writes(r, 'listened').get('lost') for r in forum], 0)}",
            note=distortion(forum),
        )
    return rows


def reader_stats(runs: list[dict]) -> dict:
    """Per reader path (the page number replaced by N), the runs' p50, p99, size and count."""
    out: dict = {}
    for r in runs:
        for path, s in (r.get("readers") or {}).items():
            key = re.sub(r"page=\d+", "page=N", path)
            d = out.setdefault(key, {"p50": [], "p99": [], "kb": [], "n": []})
            d["p50"].append(s.get("p50_ms"))
            d["p99"].append(s.get("p99_ms"))
            d["kb"].append((s.get("bytes_p50") or 0) / 1000)
            d["n"].append(s.get("requests") or 0)
    return out


TARGETS_HEADER = ["scenario", "measure", "target", "median [min–max]", "verdict"]


def scenario_report(results: dict, steps: bool = False) -> str:
    out = []
    for key in SCENARIOS:
        by_kind = {k: v for k, v in (results.get(key) or {}).items() if v}
        if not by_kind:
            continue
        out.append(f"\n## {SCENARIO_TITLES[key]}\n")
        if key == "one-room" and any(ramped(r) for runs in by_kind.values() for r in runs):
            out.append("(the ramp after the 10 posts/s step is the saturation scenario)\n")
        rows = [scenario_row(k, by_kind[k]) for k in SERVERS if k in by_kind]
        if key == "readers":
            runs = by_kind["forum"]
            rows = [["forum, without readers (step 1)"] + scenario_row("forum", runs)[1:]]
            second = [dict(r, steps=(r.get("steps") or [])[1:]) for r in runs]
            rows.append(["forum, with 8 readers (step 2)"] + scenario_row("forum", second)[1:])
            how = {r.get("reader_page_how") for r in runs}
            paths = {" and ".join(r.get("reader_paths") or []) for r in runs}
            out.append(f"readers loop on {'; '.join(paths)} ({'; '.join(sorted(how))})\n")
        out.append(table(rows, SCENARIO_HEADER))
        if key == "one-room" and rows and any(ramped(r) for runs in by_kind.values() for r in runs):
            sat = [
                [
                    LABELS[k],
                    fcell(v, "max_deliv", 0),
                    fcell(v, "sat_rate", 0),
                    fcell(v, "sat_srv_cpu", 0),
                    fcell(v, "sat_load_cpu", 0),
                    fcell(v, "per_cpu", 0),
                    reasons_cell(v),
                ]
                for k, v in by_kind.items()
            ]
            out.append("\nsaturation (the step with the most deliveries/s):\n")
            out.append(
                table(
                    sat,
                    [
                        "server",
                        "max deliv/s",
                        "at posts/s",
                        "srv CPU%",
                        "load CPU%",
                        "deliv per srv CPU-s",
                        "stopped because",
                    ],
                )
            )
        if key == "writes":
            runs = by_kind["forum"]
            wrows = [
                [
                    "closed loop, 10 authors, no listeners",
                    fcell(runs, "closed_rps"),
                    fcell(runs, "closed_p50"),
                    fcell(runs, "closed_p99"),
                    fcell(runs, "closed_cpu", 0),
                ],
                [
                    "10 posts/s from the 10, no listeners",
                    "-",
                    fcell(runs, "quiet_p50"),
                    fcell(runs, "quiet_p99"),
                    spread([_writes(r, "quiet").get("server_cpu_pct") for r in runs], 0),
                ],
                [
                    "10 posts/s from the 10, 1000 listeners",
                    "-",
                    fcell(runs, "listened_p50"),
                    fcell(runs, "listened_p99"),
                    fcell(runs, "srv_cpu", 0),
                ],
            ]
            out.append(
                "\nthe authors' requests (response time of POST /api/v1/threads/<id>/posts):\n"
            )
            out.append(table(wrows, ["phase", "replies/s", "p50 ms", "p99 ms", "srv CPU%"]))
        problems = []
        for kind, runs in by_kind.items():
            for r in runs:
                name = f"{kind} run {r.get('repeat', 0) + 1}"
                if r.get("not_upgraded"):
                    problems.append(
                        f"{name}: {r['not_upgraded']} clients stayed on polling "
                        f"({'; '.join(r.get('not_upgraded_examples') or [])})"
                    )
                if r.get("disconnects"):
                    problems.append(
                        f"{name}: {r['disconnects']} joined clients disconnected during the steps "
                        f"(their missing deliveries count as lost; {r.get('stop_reason')})"
                    )
                if r.get("connect_failures"):
                    problems.append(
                        f"{name}: {r['connect_failures']} clients failed to join "
                        f"({' | '.join(r.get('connect_failure_examples') or [])})"
                    )
                for s in r.get("steps") or []:
                    if s.get("failures"):
                        problems.append(f"{name}: failed posts {s['failures']}")
        for p in problems:
            out.append(f"\nWARNING {p}")
        if steps:
            for kind, runs in by_kind.items():
                for r in runs:
                    out.append(f"\nsteps, {kind}, run {r.get('repeat', 0) + 1}:\n")
                    out.append(table([step_row(s) for s in r.get("steps") or []], STEP_HEADER))
    rows = scenario_targets(results)
    if rows:
        repeats = max(len(v) for by_kind in results.values() for v in by_kind.values() if v)
        out.append(
            f"\n## The targets of issue 11 (browser clients; median [min–max] of {repeats} "
            "run(s); ratios to bare Node socket.io paired by repeat, the forum's own ratios "
            "within each run; verdicts on the medians)\n"
        )
        out.append(table(rows, TARGETS_HEADER))
    return "\n".join(out)


def run_scenarios(args, selected: list[str], kinds: list[str], pins) -> int:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_dir = BENCH / "results" / stamp
    results_dir.mkdir(parents=True, exist_ok=True)
    results_json = results_dir / "results.json"
    started = time.monotonic()
    say(f"{dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    results: dict = {}
    errors: list[str] = []
    interrupted = None
    data = {
        "format": 3,
        "scenarios": selected,
        "repeat": args.repeat,
        "args": {k: v for k, v in vars(args).items() if k != "report"},
    }

    def save():
        data["results"] = results
        tmp = results_json.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(results_json)

    try:
        template, seed = None, None
        if "forum" in kinds:
            template, seed = seed_template(results_dir)
            data["seed"] = seed
        units = scenario_units(selected, kinds, seed, args)
        total = len(units) * args.repeat
        ramp = SCENARIO_SECONDS["saturation"] if "saturation" in selected else 0
        per_round = sum(SCENARIO_SECONDS[k] + (ramp if k == "one-room" else 0) for k, *_ in units)
        estimate = per_round * args.repeat
        say(
            f"servers on core {pins[0][-1] if pins[0] else 'any'}, load generator on core "
            f"{pins[1][-1] if pins[1] else 'any'}; scenarios {', '.join(selected)}; "
            f"{args.repeat} round(s) of {len(units)} runs ({total} in all, about "
            f"{estimate / 60:.0f} min); raw results in {results_dir.relative_to(ROOT)}"
        )
        done = 0
        # Rounds outermost: a slow spell of the shared machine touches every server of a round.
        for rep in range(args.repeat):
            for key, kind, load_opts, timeout in units:
                left = ""
                if done:
                    each = (time.monotonic() - started) / done
                    left = f", about {each * (total - done) / 60:.0f} min left"
                say(
                    f"\n== {SCENARIO_TITLES[key]}: {LABELS[kind]}, run {rep + 1}/{args.repeat} "
                    f"({done + 1}/{total}{left})"
                )
                name = f"{key}-{kind}-r{rep}"
                t0 = time.monotonic()
                try:
                    result = run_one(
                        kind,
                        name,
                        load_opts,
                        rep,
                        args,
                        results_dir,
                        pins,
                        timeout,
                        template if kind == "forum" else None,
                    )
                    result["scenario"] = key
                    result["load_opts"] = load_opts
                    result["run_seconds"] = time.monotonic() - t0
                    results.setdefault(key, {}).setdefault(kind, []).append(result)
                    save()
                except (RuntimeError, OSError, ValueError) as exc:
                    errors.append(f"{key} {kind} run {rep + 1}: {exc}")
                    say(f"FAILED: {exc}")
                say(f"({time.monotonic() - t0:.0f} s)")
                done += 1
    except Interrupted as exc:
        interrupted = exc
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        say(f"\ninterrupted ({exc}): every process started was stopped; the finished runs follow")
    except (RuntimeError, OSError, ValueError) as exc:  # seeding
        errors.append(str(exc))
        say(f"FAILED: {exc}")
    finally:
        stop_all()
    save()
    text = scenario_report(results, args.steps)
    text = f"{dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}\n{text}\n"
    (results_dir / "report.md").write_text(text)
    say("\n" + text)
    if errors:
        say("errors:\n  " + "\n  ".join(errors))
    say(f"total {time.monotonic() - started:.0f} s; raw results in {results_dir.relative_to(ROOT)}")
    if interrupted:
        return 128 + interrupted.signum
    return 1 if errors else 0


# ---------------------------------------------------------------- main
def ensure_npm() -> None:
    for d in ("node-server", "load"):
        pkg = BENCH / d
        if not (pkg / "node_modules" / ".package-lock.json").exists():
            say(f"npm ci in bench/{d}")
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=pkg, check=True, timeout=300,
            )  # fmt: skip


FULL = {"clients": "100,500,1000", "servers": ",".join(SERVERS), "duration": 10.0,
        "ramp_duration": 5.0, "budget": 100.0, "repeat": 3}  # fmt: skip
QUICK = {"clients": "100", "servers": "node,forum", "duration": 5.0, "ramp_duration": 3.0,
         "budget": 30.0, "repeat": 1}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario",
        help=f"comma-separated, of {','.join(SCENARIOS)} (issue 11's targets; default: all "
        "six), or sweep (the N sweep: --clients, --transport), or scale alone (issue 12: "
        "SQLite, PostgreSQL, the Redis queue, two workers; bench/scale.py); --clients, --quick or "
        "--transport alone also mean sweep",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="scenarios: multiply every client count (a quick check: 0.1); the verdicts are "
        "for 1 only",
    )
    parser.add_argument(
        "--reader-page",
        type=int,
        default=0,
        help="readers: the middle page N of /threads/<id>?page=N (default: the middle of the "
        "page count the API answers, else 10)",
    )
    parser.add_argument("--clients", help="sweep: comma-separated N (default 100,500,1000)")
    parser.add_argument(
        "--servers",
        help=f"comma-separated, of {','.join(SERVERS)} (default: all for the sweep, node,forum "
        "for the scenarios)",
    )
    parser.add_argument(
        "--transport",
        help="client modes, comma-separated: browser (polling then upgrade, Origin, page "
        "cookies, permessage-deflate offered) and/or websocket (websocket-only); default browser",
    )
    parser.add_argument(
        "--repeat", type=int, help="runs of each (server, N, mode); default 3 (--quick: 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a quick look: N=100, node and forum, 5 s + 3 s steps, budget 30 s, 1 run "
        "(each can still be set explicitly)",
    )
    parser.add_argument(
        "--duration", type=float, help="seconds at 10 posts/s (default 10; scale: 30)"
    )
    parser.add_argument(
        "--ramp-duration", type=float, help="seconds per later step (default 5; scale: 10)"
    )
    parser.add_argument("--rates", default="10,20,50,100,200,500,1000,2000", help="posts/s steps")
    parser.add_argument("--body-bytes", type=int, default=1000, help="length of each post's text")
    parser.add_argument(
        "--max-latency-ms", type=float, default=2000, help="per-delivery p99 that means saturated"
    )
    parser.add_argument("--budget", type=float, help="seconds of steps per run (default 100)")
    parser.add_argument("--start-timeout", type=float, default=120, help="seconds to start one")
    parser.add_argument("--steps", action="store_true", help="also print every step")
    parser.add_argument(
        "--forum-gc",
        choices=("off", "stock", "tuned"),
        default="off",
        help="start the forum through bench/gc_probe.py: stock GC with its pauses measured, "
        "or tuned (gc.freeze + higher thresholds)",
    )
    parser.add_argument(
        "--slope-settle",
        type=float,
        default=2,
        help="seconds of quiet before each of the RSS slope's two readings (default 2, as every "
        "other reading; longer lets V8 return memory, not reliably: bench/README.md)",
    )
    parser.add_argument(
        "--no-halves",
        action="store_true",
        help="clients join in one go instead of two halves: no RSS slope (a check that joining "
        "in halves leaves the join time as it was)",
    )
    parser.add_argument(
        "--deployments",
        help="--scenario scale: comma-separated, of sqlite,sqlite-redis-queue,postgresql,"
        "redis-queue,two-workers (default: all five)",
    )
    parser.add_argument(
        "--no-writes",
        action="store_true",
        help="--scenario scale: leave out the writes runs (the loop-lag measure)",
    )
    parser.add_argument("--report", metavar="RESULTS_JSON", help="only print the report of a run")
    args = parser.parse_args()
    if args.report:
        raw = json.loads(Path(args.report).read_text())
        if raw.get("format") == "scale-1":
            import scale

            say(scale.report(sys.modules[__name__], raw["results"]))
            return 0
        if raw.get("format") == 3:
            say(scenario_report(raw["results"], args.steps))
            return 0
        results, ns = load_results(Path(args.report))
        say(report(results, ns, args.steps))
        return 0
    sweep = args.scenario == "sweep" or (
        args.scenario is None and (args.clients or args.quick or args.transport)
    )
    if not sweep:
        return scenario_main(parser, args)
    if args.transport is None:
        args.transport = "browser"
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    ns = [int(x) for x in args.clients.split(",") if x.strip()]
    kinds = [k for k in args.servers.split(",") if k]
    if unknown := set(kinds) - set(SERVERS):
        parser.error(f"unknown servers: {sorted(unknown)}")
    modes = [t for t in args.transport.split(",") if t]
    if unknown := set(modes) - set(TRANSPORTS):
        parser.error(f"unknown transports: {sorted(unknown)} (browser, websocket)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    pins = prepare()
    if pins is None:
        return 2
    fds = raise_fd_limit()
    if fds < max(ns) * 2 + 256:
        say(f"warning: open-file limit {fds} is low for {max(ns)} clients")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ensure_npm()
    return run_sweep(args, ns, kinds, modes, pins)


def scenario_main(parser, args) -> int:
    selected = [x for x in (args.scenario or ",".join(SCENARIOS)).split(",") if x]
    if "scale" in selected:
        if selected != ["scale"]:
            parser.error("--scenario scale runs alone (it has its own servers: bench/scale.py)")
        return scale_main(parser, args)
    if unknown := set(selected) - set(SCENARIOS):
        parser.error(f"unknown scenarios: {sorted(unknown)} (of {', '.join(SCENARIOS)}, sweep)")
    selected = [x for x in SCENARIOS if x in selected]  # the table's order
    for key, value in FULL.items():
        if key not in ("clients", "servers") and getattr(args, key) is None:
            setattr(args, key, value)
    kinds = [k for k in (args.servers or "node,forum").split(",") if k]
    if unknown := set(kinds) - set(SERVERS):
        parser.error(f"unknown servers: {sorted(unknown)}")
    if args.repeat < 1 or args.scale <= 0:
        parser.error("--repeat must be at least 1, --scale above 0")
    pins = prepare()
    if pins is None:
        return 2
    # The largest scenario: 3000 browser clients, each a websocket on both sides of loopback.
    most = 3000 * args.scale if "3000" in selected else 1800 * args.scale
    fds = raise_fd_limit()
    say(f"open-file limit {fds} (for {most:.0f} clients: the server and the load generator "
        f"each need one per client, plus the page GETs' and polling connections)")  # fmt: skip
    if fds < most + 1024:
        say(f"warning: open-file limit {fds} is low for {most:.0f} clients")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ensure_npm()
    return run_scenarios(args, selected, kinds, pins)


def scale_main(parser, args) -> int:
    """Issue 12: the forum on SQLite, PostgreSQL, with the Redis queue, and two workers behind
    nginx (bench/scale.py)."""
    import scale

    defaults = dict(FULL, duration=scale.DURATION_S, ramp_duration=scale.RAMP_STEP_S)
    for key, value in defaults.items():
        if key not in ("clients", "servers") and getattr(args, key) is None:
            setattr(args, key, value)
    if args.repeat < 1 or args.scale <= 0:
        parser.error("--repeat must be at least 1, --scale above 0")
    chosen = [d for d in (args.deployments or "").split(",") if d]
    if unknown := set(chosen) - set(scale.DEPLOYMENTS):
        parser.error(f"unknown deployments: {sorted(unknown)} (of {', '.join(scale.DEPLOYMENTS)})")
    missing = [tool for tool in ("redis-server", "psql") if not shutil.which(tool)]
    if not (shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")):
        missing.append("nginx")
    if missing:
        say(
            f"--scenario scale needs {', '.join(missing)} (Debian: postgresql, redis-server, nginx)"
        )
        return 2
    pins = prepare()
    if pins is None:
        return 2
    fds = raise_fd_limit()
    if fds < 2000 * args.scale + 1024:  # through nginx: two descriptors per client
        say(f"warning: open-file limit {fds} is low for {1000 * args.scale:.0f} clients")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ensure_npm()
    return scale.run_scale(sys.modules[__name__], args, pins)


def prepare():
    """The tools, the venv and the two cores: (server pin, load generator pin), or None."""
    for tool in ("node", "npm", "taskset"):
        if not shutil.which(tool):
            say(f"needs {tool} on PATH")
            return None
    if not VENV_PYTHON.exists():
        say(f"needs the forum's virtualenv ({VENV_PYTHON}): run `make run` or `make test` once")
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= 2:
        return (["taskset", "-c", str(cpus[0])], ["taskset", "-c", str(cpus[1])])
    say("only one CPU: server and load generator share it (figures not comparable)")
    return ([], [])


def run_sweep(args, ns: list[int], kinds: list[str], modes: list[str], pins) -> int:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_dir = BENCH / "results" / stamp
    results_dir.mkdir(parents=True, exist_ok=True)
    results_json = results_dir / "results.json"
    started = time.monotonic()
    total = len(ns) * args.repeat * len(modes) * len(kinds)
    say(f"{dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    say(
        f"servers on core {pins[0][-1] if pins[0] else 'any'}, "
        f"load generator on core {pins[1][-1] if pins[1] else 'any'}; "
        f"N = {ns}; clients: {', '.join(modes)}; {args.repeat} run(s) of each; "
        f"{args.duration:g} s at {args.rates.split(',')[0]} posts/s, then "
        f"{args.ramp_duration:g} s per step; {total} runs in all (roughly 40–60 s each at the "
        f"default durations); raw results in {results_dir.relative_to(ROOT)}"
    )

    results: dict = {t: {k: {} for k in kinds} for t in modes}
    errors = []
    done = 0
    interrupted = None
    try:
        # Repeats outermost within each N, so a slow spell of the machine touches every server.
        for n in ns:
            for rep in range(args.repeat):
                for transport in modes:
                    for kind in kinds:
                        left = ""
                        if done:
                            each = (time.monotonic() - started) / done
                            left = f", about {each * (total - done) / 60:.0f} min left"
                        say(
                            f"\n== {LABELS[kind]}, {transport} clients, N={n}, run "
                            f"{rep + 1}/{args.repeat} ({done + 1}/{total}{left})"
                        )
                        try:
                            name = f"{transport}-{kind}-{n}-r{rep}"
                            # Bounded: checks and RSS readings, the page GETs, connecting (120 s),
                            # all steps (budget), the last drain, and slack.
                            timeout = 30 + 60 + 120 + args.budget + 60
                            result = run_one(
                                kind, name, sweep_options(n, transport, args), rep, args,
                                results_dir, pins, timeout,
                            )  # fmt: skip
                            results[transport][kind].setdefault(n, []).append(result)
                            save_results(results_json, results, args, ns, modes)
                        except (RuntimeError, OSError, ValueError) as exc:
                            errors.append(f"{kind} {transport} N={n} run {rep + 1}: {exc}")
                            say(f"FAILED: {exc}")
                        done += 1
    except Interrupted as exc:
        interrupted = exc
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C ends the report too
        say(f"\ninterrupted ({exc}): every process started was stopped; the finished runs follow")
    finally:
        stop_all()
    save_results(results_json, results, args, ns, modes)
    text = report(results, ns, args.steps)
    text = f"{dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}\n{text}\n"
    (results_dir / "report.md").write_text(text)
    say("\n" + text)
    if errors:
        say("errors:\n  " + "\n  ".join(errors))
    say(f"total {time.monotonic() - started:.0f} s; raw results in {results_dir.relative_to(ROOT)}")
    if interrupted:
        return 128 + interrupted.signum
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Interrupted as exc:  # before the runs started, or during the report
        sys.exit(128 + exc.signum)
    finally:
        stop_all()
