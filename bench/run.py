#!/usr/bin/env python3
"""The one command: benchmark the forum's live broadcast against bare Node socket.io and bare
python-socketio, side by side.

    python3 bench/run.py                                # N = 100, 500, 1000; about 10 minutes
    python3 bench/run.py --clients 100 --duration 5     # a quick look

For every N and every server in turn: start the server alone on core 0 (taskset -c 0) on a loopback
port, run the load generator (bench/load/load.js) on core 1, read its JSON, stop the server. Then
print one table per server, the forum's ratios to both references, and the PERFORMANCE.md targets
at the largest N. Everything it starts is stopped at the end, on error and on Ctrl-C too.
Raw results go to bench/results/ (not in git). See bench/README.md for the columns.
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


def on_signal(signum, _frame):
    stop_all()
    raise SystemExit(128 + signum)


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


def run_one(kind: str, n: int, args, results_dir: Path, pins: tuple[list[str], list[str]]) -> dict:
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), PYTHONUNBUFFERED="1")
    tmp = None
    if kind == "python-nodeflate":
        env["DECLINE_DEFLATE"] = "1"
    if kind == "forum":
        tmp = tempfile.mkdtemp(prefix="forum-bench-")
        env.update(
            DATABASE_URL=f"sqlite:///{tmp}/forum.db",
            SEED_DEMO_DATA="1",
            POST_RATE_LIMIT="off",
            SOCKETIO_ASYNC_MODE="eventlet",
            FORUM_CONFIG="development",
            SECRET_KEY="bench-only-secret",
        )
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        env.update(GC_MODE=args.forum_gc, GC_REPORT=str(results_dir / f"forum-{n}.gc.txt"))
    log = results_dir / f"{kind}-{n}.server.log"
    proc = start(server_command(kind, pins[0], args.forum_gc), env=env, log=log)
    result = None
    try:
        ready = "/api/v1/session" if kind == "forum" else "/health"
        wait_ready(proc, f"http://127.0.0.1:{port}{ready}", args.start_timeout, log)
        handshake = handshake_extensions(port)
        cmd = pins[1] + [
            "node",
            str(BENCH / "load" / "load.js"),
            "--url", f"http://127.0.0.1:{port}",
            "--mode", "forum" if kind == "forum" else "ref",
            "--server-pid", str(proc.pid),
            "--clients", str(n),
            "--duration", str(args.duration),
            "--ramp-duration", str(args.ramp_duration),
            "--rates", args.rates,
            "--body-bytes", str(args.body_bytes),
            "--max-latency-ms", str(args.max_latency_ms),
            "--budget", str(args.budget),
            "--email", DEMO_EMAIL,
            "--password", DEMO_PASSWORD,
        ]  # fmt: skip
        # Bounded: connecting (120 s) + all steps (budget) + the last drain + slack.
        timeout = 120 + args.budget + 60
        load_log = results_dir / f"{kind}-{n}.load.log"
        out_json = results_dir / f"{kind}-{n}.json"
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
        if kind == "forum":
            result["forum_gc"] = args.forum_gc
        result["handshake"] = handshake
        if proc.poll() is not None:
            result["server_exited"] = proc.returncode
        return result
    finally:
        stop(proc)
        gc_report = Path(env.get("GC_REPORT", "/nonexistent"))
        if result is not None and kind == "forum" and gc_report.exists():
            result["gc"] = gc_report.read_text()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- report
def f(value, digits=0, unit=""):
    if value is None:
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:,.{digits}f}{unit}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def first(result: dict) -> dict:
    return (result.get("steps") or [{}])[0]


def saturation_step(result: dict) -> dict:
    steps = result.get("steps") or []
    return max(steps, key=lambda s: s["deliveries_per_s"]) if steps else {}


NUMERIC = re.compile(r"^(-|inf|[\d,.]+(×|\w*))$")


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]

    def cell(value, width):  # figures to the right, words to the left
        text = str(value)
        return text.rjust(width) if NUMERIC.match(text) else text.ljust(width)

    def line(cells):
        return "| " + " | ".join(cell(c, w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


SUMMARY_HEADER = [
    "N", "joined", "RSS/conn KiB", "pub p50 ms", "p50 ms", "p99 ms", "last p99 ms", "lost",
    "max deliv/s", "at posts/s", "srv CPU%", "load CPU%", "stopped because",
]  # fmt: skip


def summary_row(r: dict) -> list[str]:
    s0, sat = first(r), saturation_step(r)
    return [
        str(r["clients_requested"]),
        str(r["clients"]),
        f(r.get("rss_per_conn_kib"), 1),
        f(s0.get("publish_p50_ms"), 1),
        f(s0.get("p50_ms"), 1),
        f(s0.get("p99_ms"), 1),
        f(s0.get("last_recipient_p99_ms"), 1),
        f(s0.get("lost")),
        f(r.get("max_deliveries_per_s")),
        f(sat.get("rate")),
        f(sat.get("server_cpu_pct")),
        f(sat.get("loadgen_cpu_pct")),
        r.get("stop_reason", "").replace("saturated at ", "")
        + (" (load generator at its limit)" if (sat.get("loadgen_cpu_pct") or 0) >= 90 else ""),
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


def ratio_cells(a: dict, b: dict) -> list[str]:
    cells = [ratio(first(a).get(k), first(b).get(k)) for k in RATIO_STEP_KEYS]
    cells += [ratio(a.get(k), b.get(k)) for k in ("max_deliveries_per_s", "rss_per_conn_kib")]
    return [f(c, 2, "×") for c in cells]


RATIO_STEP_KEYS = ("p50_ms", "p99_ms", "last_recipient_p99_ms")


def per_cpu(result: dict) -> float | None:
    """Deliveries per second of server CPU in the saturation step: a capacity estimate for a
    server that the load generator could not saturate."""
    sat = saturation_step(result)
    cpu = sat.get("server_cpu_pct")
    return sat["deliveries_per_s"] / (cpu / 100) if cpu else None


def targets(forum: dict, node: dict, n: int) -> str:
    """PERFORMANCE.md's bar at N (1000): the forum against Node measured in the same run."""
    a0, b0 = first(forum), first(node)
    last_a, last_b = a0.get("last_recipient_p99_ms"), b0.get("last_recipient_p99_ms")
    sat_a, sat_b = forum.get("max_deliveries_per_s"), node.get("max_deliveries_per_s")
    rss_a, rss_b = forum.get("rss_per_conn_kib"), node.get("rss_per_conn_kib")
    lower_bound = (saturation_step(node).get("loadgen_cpu_pct") or 0) >= 90
    checks = [
        (
            "zero lost deliveries (10 posts/s)",
            a0.get("lost") == 0 and forum["clients"] == n and a0.get("posts_failed") == 0,
            f"lost {a0.get('lost')}, joined {forum['clients']}/{n}, "
            f"failed posts {a0.get('posts_failed')}",
        ),
        (
            "last-recipient p99 ≤ 1.5× Node's",
            (ratio(last_a, last_b) or 99) <= 1.5,
            f"{f(last_a, 1)} ms vs {f(last_b, 1)} ms ({f(ratio(last_a, last_b), 2, '×')})",
        ),
        (
            "saturation deliveries/s ≥ 0.8× Node's",
            (ratio(sat_a, sat_b) or 0) >= 0.8,
            f"{f(sat_a)} vs {f(sat_b)} ({f(ratio(sat_a, sat_b), 2, '×')})"
            + (
                "; Node's is a lower bound (load generator at its limit): per second of server"
                f" CPU {f(per_cpu(forum))} vs {f(per_cpu(node))}"
                f" ({f(ratio(per_cpu(forum), per_cpu(node)), 2, '×')})"
                if lower_bound
                else ""
            ),
        ),
        (
            "RSS per idle connection ≤ 2× Node's",
            (ratio(rss_a, rss_b) or 99) <= 2,
            f"{f(rss_a, 1)} KiB vs {f(rss_b, 1)} KiB ({f(ratio(rss_a, rss_b), 2, '×')})",
        ),
    ]
    # Met against a Node figure the load generator capped, but not per second of server CPU.
    doubtful = lower_bound and (ratio(per_cpu(forum), per_cpu(node)) or 0) < 0.8
    verdicts = ["MET" if ok else "NOT MET" for _, ok, _ in checks]
    if doubtful and verdicts[2] == "MET":
        verdicts[2] = "UNCERTAIN"
    return table(
        [
            [name, verdict, detail]
            for (name, _, detail), verdict in zip(checks, verdicts, strict=True)
        ],
        ["target", "forum", "measured (forum vs Node)"],
    )


def report(results: dict[str, dict[int, dict]], ns: list[int], steps: bool) -> str:
    out = []
    for kind in SERVERS:
        if kind not in results:
            continue
        any_r = next(iter(results[kind].values()))
        gc_mode = any_r.get("forum_gc", "off")
        note = f" (through bench/gc_probe.py, GC {gc_mode})" if gc_mode != "off" else ""
        out.append(f"\n### {LABELS[kind]}{note}\n")
        out.append(
            f"handshake offering permessage-deflate: {any_r.get('handshake')}; "
            f"client offered: {any_r.get('offer')}\n\n"
            f"one event ({any_r.get('event_bytes')} B, texts cut short): "
            f"{any_r.get('event_sample')}\n"
        )
        rows = [summary_row(results[kind][n]) for n in ns if n in results[kind]]
        out.append(table(rows, SUMMARY_HEADER))
        for n in ns:
            gc_text = results[kind].get(n, {}).get("gc")
            if gc_text:
                summary = [line for line in gc_text.splitlines() if not line.startswith("  at")]
                out.append(f"\nGC of the forum, N={n}: " + "; ".join(summary))
        if steps:
            for n in ns:
                if n in results[kind]:
                    out.append(f"\nsteps, N={n}:\n")
                    out.append(table([step_row(s) for s in results[kind][n]["steps"]], STEP_HEADER))
    if "forum" in results:
        for ref in ("node", "python", "python-nodeflate"):
            if ref not in results:
                continue
            out.append(f"\n### the forum ÷ {LABELS[ref]} (lower is better, except deliveries/s)\n")
            rows = []
            for n in ns:
                a, b = results["forum"].get(n), results[ref].get(n)
                if not a or not b:
                    continue
                rows.append([str(n)] + ratio_cells(a, b))
            out.append(table(rows, ["N", "p50", "p99", "last p99", "max deliv/s", "RSS/conn"]))
        top = max(n for n in ns if n in results["forum"])
        if "node" in results and top in results["node"]:
            out.append(f"\n### PERFORMANCE.md targets at N={top}\n")
            out.append(targets(results["forum"][top], results["node"][top], top))
    return "\n".join(out)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="100,500,1000", help="comma-separated N")
    parser.add_argument("--servers", default=",".join(SERVERS), help=",".join(SERVERS))
    parser.add_argument("--duration", type=float, default=10, help="seconds at 10 posts/s")
    parser.add_argument("--ramp-duration", type=float, default=5, help="seconds per later step")
    parser.add_argument("--rates", default="10,20,50,100,200,500,1000,2000", help="posts/s steps")
    parser.add_argument("--body-bytes", type=int, default=1000, help="length of each post's text")
    parser.add_argument(
        "--max-latency-ms", type=float, default=2000, help="per-delivery p99 that means saturated"
    )
    parser.add_argument("--budget", type=float, default=100, help="seconds of steps per run")
    parser.add_argument("--start-timeout", type=float, default=120, help="seconds to start one")
    parser.add_argument("--steps", action="store_true", help="also print every step")
    parser.add_argument(
        "--forum-gc",
        choices=("off", "stock", "tuned"),
        default="off",
        help="start the forum through bench/gc_probe.py: stock GC with its pauses measured, "
        "or tuned (gc.freeze + higher thresholds)",
    )
    parser.add_argument("--report", metavar="RESULTS_JSON", help="only print the report of a run")
    args = parser.parse_args()
    if args.report:
        raw = json.loads(Path(args.report).read_text())
        results = {k: {int(n): r for n, r in v.items()} for k, v in raw.items()}
        ns = sorted({n for v in results.values() for n in v})
        say(report(results, ns, args.steps))
        return 0
    ns = [int(x) for x in args.clients.split(",") if x.strip()]
    kinds = [k for k in args.servers.split(",") if k]
    if unknown := set(kinds) - set(SERVERS):
        parser.error(f"unknown servers: {sorted(unknown)}")

    for tool in ("node", "npm", "taskset"):
        if not shutil.which(tool):
            say(f"needs {tool} on PATH")
            return 2
    if not VENV_PYTHON.exists():
        say(f"needs the forum's virtualenv ({VENV_PYTHON}): run `make run` or `make test` once")
        return 2
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= 2:
        pins = (["taskset", "-c", str(cpus[0])], ["taskset", "-c", str(cpus[1])])
    else:
        say("only one CPU: server and load generator share it (figures not comparable)")
        pins = ([], [])
    fds = raise_fd_limit()
    if fds < max(ns) * 2 + 256:
        say(f"warning: open-file limit {fds} is low for {max(ns)} clients")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ensure_npm()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_dir = BENCH / "results" / stamp
    results_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say(f"{dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    say(
        f"servers on core {pins[0][-1] if pins[0] else 'any'}, "
        f"load generator on core {pins[1][-1] if pins[1] else 'any'}; "
        f"N = {ns}; {args.duration:g} s at {args.rates.split(',')[0]} posts/s, then "
        f"{args.ramp_duration:g} s per step; raw results in {results_dir.relative_to(ROOT)}"
    )

    results: dict[str, dict[int, dict]] = {}
    errors = []
    try:
        for n in ns:
            for kind in kinds:
                say(f"\n== {LABELS[kind]}, N={n}")
                try:
                    results.setdefault(kind, {})[n] = run_one(kind, n, args, results_dir, pins)
                except RuntimeError as exc:
                    errors.append(f"{kind} N={n}: {exc}")
                    say(f"FAILED: {exc}")
    finally:
        stop_all()
    (results_dir / "results.json").write_text(json.dumps(results, indent=1))
    text = report({k: v for k, v in results.items() if v}, ns, args.steps)
    text = f"{dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}\n{text}\n"
    (results_dir / "report.md").write_text(text)
    say("\n" + text)
    if errors:
        say("errors:\n  " + "\n  ".join(errors))
    say(f"total {time.monotonic() - started:.0f} s; raw results in {results_dir.relative_to(ROOT)}")
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
