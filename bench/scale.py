"""`python3 bench/run.py --scenario scale`: the forum in four deployments, side by side (issue 12).

Per round, with browser clients (the load generator alone on core 1, as in every scenario):

- `sqlite`: today's single process, its SQLite file (the baseline of every ratio);
- `sqlite-redis-queue`: the same single process with SOCKETIO_MESSAGE_QUEUE and the rate-limit
  storage on a redis-server of its own: what the queue alone costs the single process;
- `postgresql`: one worker on a PostgreSQL this module starts;
- `redis-queue`: one worker on PostgreSQL with SOCKETIO_MESSAGE_QUEUE and the rate-limit storage
  on a redis-server of its own;
- `two-workers`: two workers on PostgreSQL and Redis behind nginx, sticky by the session cookie.

Each deployment gets the one-room step (1000 clients, 10 posts/s) and the saturation ramp in one
load-generator run; `sqlite` and `postgresql` also get the `writes` scenario with the worker's
event-loop lag recorded (bench/lag_probe.py): "posting on PostgreSQL never stalls broadcasts".
Everything on the server side (workers, PostgreSQL, Redis, nginx) runs on core 0, so that CPU per
delivery compares one core's work with one core's work. bench/README.md ("Scale") says how each
figure is computed and what the targets are.

This is the least needed to start PostgreSQL, Redis and nginx for the bench: deploy/cluster
(another branch) does it for production-like use and will replace it here when it lands.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

DEPLOYMENTS = ("sqlite", "sqlite-redis-queue", "postgresql", "redis-queue", "two-workers")
LABELS = {
    "sqlite": "single process, SQLite",
    "sqlite-redis-queue": "single process, SQLite, Redis queue",
    "postgresql": "one worker, PostgreSQL",
    "redis-queue": "one worker, PostgreSQL, Redis queue",
    "two-workers": "two workers, PostgreSQL, Redis, nginx",
}
WITH_REDIS = ("sqlite-redis-queue", "redis-queue", "two-workers")
# The stall measure: the writes scenario on these (SQLite's is the reference).
LAG_DEPLOYMENTS = ("sqlite", "postgresql")
# Longer than the other scenarios' 10 s and 5 s (bench/run.py FULL): the judged p99s are of one
# step, and 10 s at 10 posts/s gives 100 posts, whose p99 is its worst post or two, so one slow
# commit decided a round. 30 s gives 300 posts a step; a 10 s ramp step, 200 at 20 posts/s.
DURATION_S, RAMP_STEP_S = 30.0, 10.0
# Seconds per run at the default durations (estimates: the one-room run of the ratio scenarios,
# its ramp, and the writes scenario's three phases, plus the starts).
SECONDS = {"one-room": 100, "writes": 160}
STALL_LIMIT_MS = 20
# Limits far above the bench's pace (up to 2000 posts/s from one person, 1000 joins from one
# address): every deployment counts them as production does, none refuses.
RATE_LIMITS = {
    "RATELIMIT_ENABLED": "1",
    "RATELIMIT_REPLY": "10000000/minute",
    "RATELIMIT_THREAD": "10000000/minute",
    "RATELIMIT_EDIT": "10000000/minute",
    "RATELIMIT_SOCKET_JOIN": "10000000 per 10 seconds",
    "RATELIMIT_SOCKET_LEAVE": "10000000 per 10 seconds",
    "RATELIMIT_SOCKET_POST_REPLY": "10000000/minute",
    "RATELIMIT_SOCKET_TYPING": "10000000 per 10 seconds",
}
POLL_SECONDS = 0.05


def wait_for(condition, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (answer := condition()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)
    return answer


# ---------------------------------------------------------------- PostgreSQL
def postgres_bin() -> Path:
    found = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL not found (/usr/lib/postgresql/*/bin: apt-get install postgresql)"
        )
    return found[-1]


def as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse root: as root, they run as Debian's postgres user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class Postgres:
    """A PostgreSQL cluster of the bench's own in a temporary directory, on a free loopback port,
    trust authentication (loopback only, no Unix socket), for the whole bench; the seeded
    template database, and a fresh copy of it per run."""

    def __init__(self, bench, pin: list[str], results_dir: Path):
        self.bench = bench
        self.bin = postgres_bin()
        self.home = Path(tempfile.mkdtemp(prefix="bench-scale-pg-"))
        self.data = self.home / "data"
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        self.port = bench.free_port()
        self.log = results_dir / "postgres.log"
        self.copies = 0
        subprocess.run(
            as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", "bench",
                         "--auth=trust", "--encoding=UTF8", "--no-locale"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                       "unix_socket_directories = ''\n")  # fmt: skip
        self.proc = bench.start(
            pin + as_postgres([str(self.bin / "postgres"), "-D", str(self.data)]),
            env=dict(os.environ),
            log=self.log,
        )
        wait_for(self.ready, "PostgreSQL")
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def ready(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited; see {self.log}:\n{self.bench.tail(self.log)}")
        probe = [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe, check=False).returncode == 0

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://bench@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str) -> None:
        subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "bench",
             "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", statement],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def fresh_copy(self) -> str:
        """A new database from the template: the same seeded data for every run."""
        self.copies += 1
        name = f"bench_run_{self.copies}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE bench_template")
        return name

    def drop(self, name: str) -> None:
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self.bench.stop(self.proc, grace=15.0)
        shutil.rmtree(self.home, ignore_errors=True)


def seed_postgres(bench, pg: Postgres, results_dir: Path) -> dict:
    """bench/seed.py on the template database, once: every run's copy starts from it."""
    pg.sql("CREATE DATABASE bench_template")
    out_dir = results_dir / "template-postgresql"
    out_dir.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=pg.url("bench_template"),
        SEED_DEMO_DATA="1",
        RATELIMIT_ENABLED="0",
        FORUM_CONFIG="development",
        SECRET_KEY="bench-only-secret",
    )
    bench.say("seeding the PostgreSQL template database (bench/seed.py) …")
    log = out_dir / "seed.log"
    proc = bench.start(
        [str(bench.VENV_PYTHON), str(bench.BENCH / "seed.py"), "--out", str(out_dir / "seed.json")],
        env=env,
        log=log,
    )
    try:
        proc.wait(timeout=600)
    finally:
        bench.stop(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"seeding PostgreSQL failed; see {log}:\n{bench.tail(log)}")
    seed = json.loads((out_dir / "seed.json").read_text())
    bench.say(f"seeded PostgreSQL in {seed['seconds']} s")
    return seed


# ---------------------------------------------------------------- Redis, nginx, workers
def start_redis(bench, pin: list[str], log: Path):
    port = bench.free_port()
    proc = bench.start(
        pin + ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
               "--appendonly", "no", "--daemonize", "no", "--logfile", ""],
        env=dict(os.environ),
        log=log,
    )  # fmt: skip

    def pong() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited; see {log}:\n{bench.tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    wait_for(pong, "redis-server")
    return proc, port


NGINX_CONF = """\
# bench/scale.py: two workers behind nginx, as deploy/nginx.conf.template does, with stickiness
# by the session cookie (each browser client gets its own from the page GET; the polling
# fallback's requests must reach the worker that opened the session).
daemon off;
worker_processes 1;
worker_rlimit_nofile 20000;
{user}pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 10000; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream workers {{
        hash $cookie_session consistent;
{servers}
        keepalive 16;
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" "";
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://workers;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 60s;
            proxy_send_timeout 60s;
            proxy_buffering off;
        }}
    }}
}}
"""


def start_nginx(bench, pin: list[str], run_dir: Path, worker_ports: list[int]):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if nginx is None:
        raise RuntimeError("nginx not found (apt-get install nginx)")
    home = run_dir / "nginx"
    home.mkdir(parents=True, exist_ok=True)
    port = bench.free_port()
    conf = home / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            dir=home,
            port=port,
            user="user root;\n" if os.geteuid() == 0 else "",  # its temp paths are root's
            servers="\n".join(f"        server 127.0.0.1:{p};" for p in worker_ports),
        )
    )
    log = home / "nginx.log"
    proc = bench.start(
        pin + [nginx, "-p", str(home), "-c", str(conf)], env=dict(os.environ), log=log
    )
    return proc, port, log


def worker_env(port: int, database_url: str, redis_port: int | None, behind_nginx: bool) -> dict:
    env = dict(
        os.environ,
        HOST="127.0.0.1",
        PORT=str(port),
        PYTHONUNBUFFERED="1",
        DATABASE_URL=database_url,
        SEED_DEMO_DATA="1",
        SOCKETIO_ASYNC_MODE="eventlet",
        FORUM_CONFIG="development",
        SECRET_KEY="bench-only-secret",  # the same in every worker: one session, any worker
        **RATE_LIMITS,
    )
    env.pop("SOCKETIO_CORS_ORIGINS", None)
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    env.pop("RATELIMIT_STORAGE_URI", None)
    env["TRUSTED_PROXIES"] = "1" if behind_nginx else "0"  # nginx's X-Forwarded-For
    if redis_port is not None:
        env["SOCKETIO_MESSAGE_QUEUE"] = f"redis://127.0.0.1:{redis_port}/0"
        env["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{redis_port}/1"
    return env


def open_sockets(pid: int) -> int:
    """The sockets a process holds open (clients, its listening socket, its database's)."""
    count = 0
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            try:
                count += os.readlink(fd.path).startswith("socket:")
            except OSError:
                pass  # closed meanwhile
    except OSError:
        pass
    return count


class SocketCount(threading.Thread):
    """How the clients split between the workers: each worker's most open sockets, read every
    SOCKET_SECONDS while the load generator runs (two workers only; a few ms of the bench's
    own CPU each time)."""

    SOCKET_SECONDS = 2.0

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.most = [0] * len(pids)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.SOCKET_SECONDS):
            self.most = [max(m, open_sockets(p)) for m, p in zip(self.most, self.pids, strict=True)]


# ---------------------------------------------------------------- one run
def run_unit(bench, deployment: str, scenario: str, load_opts: dict, rep: int, args,
             results_dir: Path, pins, timeout: float, pg: Postgres | None,
             sqlite_template: Path) -> dict:  # fmt: skip
    """Start one deployment on core 0, run the load generator against it on core 1, stop it."""
    name = f"scale-{scenario}-{deployment}-r{rep}"
    run_dir = results_dir / name
    run_dir.mkdir()
    procs = []  # started here, stopped at the end, last first
    database = tmp = None
    probe = scenario == "writes"
    try:
        if deployment.startswith("sqlite"):
            tmp = tempfile.mkdtemp(prefix="forum-bench-")
            shutil.copy(sqlite_template, Path(tmp) / "forum.db")
            database_url = f"sqlite:///{tmp}/forum.db"
        else:
            database = pg.fresh_copy()
            database_url = pg.url(database)
        # Copying the database dirties pages that the kernel writes back ~30 s later (its
        # dirty_expire), in the middle of the run, where every commit's flush then waits behind
        # them (commits of 60-140 ms on PostgreSQL): they are written before the run instead.
        if pg is not None:
            pg.sql("CHECKPOINT")
        os.sync()
        others = {}
        if pg is not None and not deployment.startswith("sqlite"):
            others["postgres"] = pg.pid
        redis_port = None
        if deployment in WITH_REDIS:
            redis, redis_port = start_redis(bench, pins[0], run_dir / "redis.log")
            procs.append(redis)
            others["redis"] = redis.pid
        workers = []
        for number in range(2 if deployment == "two-workers" else 1):
            port = bench.free_port()
            env = worker_env(port, database_url, redis_port, deployment == "two-workers")
            script = bench.ROOT / "run.py"
            if probe:
                env["LAG_REPORT"] = str(run_dir / f"lag-w{number + 1}.json")
                script = bench.BENCH / "lag_probe.py"
            log = run_dir / f"w{number + 1}.log"
            proc = bench.start(pins[0] + [str(bench.VENV_PYTHON), str(script)], env=env, log=log)
            procs.append(proc)
            workers.append((proc, port, log))
        for proc, port, log in workers:
            bench.wait_ready(
                proc, f"http://127.0.0.1:{port}/api/v1/session", args.start_timeout, log
            )
        url_port = workers[0][1]
        if deployment == "two-workers":
            nginx, url_port, nginx_log = start_nginx(
                bench, pins[0], run_dir, [p for _, p, _ in workers]
            )
            procs.append(nginx)
            bench.wait_ready(nginx, f"http://127.0.0.1:{url_port}/api/v1/session", 30, nginx_log)
            others["nginx"] = nginx.pid
        cmd = pins[1] + [
            "node", str(bench.BENCH / "load" / "load.js"),
            "--url", f"http://127.0.0.1:{url_port}",
            "--mode", "forum",
            "--server-pid", str(workers[0][0].pid),
            "--server-pids", ",".join(str(p.pid) for p, _, _ in workers),
            "--email", bench.DEMO_EMAIL,
            "--password", bench.DEMO_PASSWORD,
        ]  # fmt: skip
        if others:
            cmd += ["--other-pids", ",".join(f"{k}={v}" for k, v in others.items())]
        for key, value in load_opts.items():
            cmd += [f"--{key}", str(value)]
        out_json = run_dir / "load.json"
        load_log = run_dir / "load.log"
        cmd += ["--out", str(out_json)]
        load = subprocess.Popen(cmd, cwd=bench.BENCH, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
        bench.children.append(load)
        counter = SocketCount([p.pid for p, _, _ in workers])
        if len(workers) > 1:
            counter.start()
        tee = threading.Thread(target=bench.copy_lines, args=(load.stderr, load_log), daemon=True)
        tee.start()
        try:
            load.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            bench.stop(load)
            raise RuntimeError(f"load generator did not finish in {timeout} s") from exc
        finally:
            if load in bench.children:
                bench.children.remove(load)
            tee.join(timeout=5)
            counter.done.set()
        if load.returncode != 0:
            raise RuntimeError(f"load generator failed ({load.returncode}); see {load_log}")
        result = json.loads(out_json.read_text())
        result.update(server="forum", deployment=deployment, repeat=rep, scenario=scenario,
                      load_opts=load_opts, workers=len(workers))  # fmt: skip
        if len(workers) > 1:
            result["worker_sockets_max"] = counter.most
        exited = [p.returncode for p, _, _ in workers if p.poll() is not None]
        if exited:
            result["server_exited"] = exited
        for proc in reversed(procs):  # the probe writes its report when stopped
            bench.stop(proc)
        if probe:
            result["lag"] = [
                json.loads(path.read_text()) for path in sorted(run_dir.glob("lag-w*.json"))
            ]
        return result
    finally:
        for proc in reversed(procs):
            bench.stop(proc)
        if database:
            pg.drop(database)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def units(args, seeds: dict) -> list:
    """What one round runs: (scenario, deployment, load generator options, timeout s)."""
    clients = max(1, round(1000 * args.scale))
    base = {
        "transport": args.transport or "browser",  # upgrade: polling first, through nginx too
        "duration": args.duration,
        "body-bytes": args.body_bytes,
        "max-latency-ms": args.max_latency_ms,
        "rss-halves": 0,  # memory is not this scenario's measure
    }
    chosen = args.deployments.split(",") if args.deployments else DEPLOYMENTS
    out = []
    for deployment in (d for d in DEPLOYMENTS if d in chosen):
        o = dict(base, clients=clients, rates=args.rates, budget=args.budget)
        o["ramp-duration"] = args.ramp_duration
        out.append(("one-room", deployment, o, 600.0 + args.budget))
    for deployment in (d for d in LAG_DEPLOYMENTS if d in chosen and not args.no_writes):
        seed = seeds["sqlite" if deployment == "sqlite" else "postgresql"]
        wt = seed["write_threads"]
        o = dict(base, scenario="writes", clients=clients, rates="10")
        o["threads"] = wt["listened"]
        o["authors"] = ",".join(seed["authors"])
        o["author-password"] = seed["author_password"]
        o["write-threads"] = f"{wt['closed']},{wt['quiet']},{wt['listened']}"
        o["write-seconds"] = args.duration
        o["write-rate"] = 10
        out.append(("writes", deployment, o, 600.0))
    return out


def run_scale(bench, args, pins) -> int:
    """The scale scenario set: seed both databases, then rounds of every unit; the report."""
    import datetime as dt

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_dir = bench.BENCH / "results" / f"{stamp}-scale"
    results_dir.mkdir(parents=True, exist_ok=True)
    results_json = results_dir / "results.json"
    started = time.monotonic()
    results: dict = {}
    errors: list[str] = []
    data = {"format": "scale-1", "repeat": args.repeat,
            "args": {k: v for k, v in vars(args).items() if k != "report"}}  # fmt: skip
    bench.say(f"{dt.datetime.now():%Y-%m-%d %H:%M} · {bench.machine()}")

    def save():
        data["results"] = results
        tmp = results_json.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(results_json)

    pg = None
    interrupted = None
    try:
        template, sqlite_seed = bench.seed_template(results_dir)
        pg = Postgres(bench, pins[0], results_dir)
        seeds = {"sqlite": sqlite_seed, "postgresql": seed_postgres(bench, pg, results_dir)}
        data["seeds"] = seeds
        plan = units(args, seeds)
        total = len(plan) * args.repeat
        estimate = sum(SECONDS[s] for s, *_ in plan) * args.repeat
        bench.say(
            f"server side (workers, PostgreSQL, Redis, nginx) on core "
            f"{pins[0][-1] if pins[0] else 'any'}, load generator on core "
            f"{pins[1][-1] if pins[1] else 'any'}; {args.repeat} round(s) of {len(plan)} runs "
            f"(about {estimate / 60:.0f} min at the default durations); raw results in "
            f"{results_dir.relative_to(bench.ROOT)}"
        )
        done = 0
        for rep in range(args.repeat):
            for scenario, deployment, load_opts, timeout in plan:
                bench.say(f"\n== scale {scenario}: {LABELS[deployment]}, run {rep + 1}/"
                          f"{args.repeat} ({done + 1}/{total})")  # fmt: skip
                t0 = time.monotonic()
                try:
                    result = run_unit(bench, deployment, scenario, load_opts, rep, args,
                                      results_dir, pins, timeout, pg, template)  # fmt: skip
                    result["run_seconds"] = time.monotonic() - t0
                    results.setdefault(scenario, {}).setdefault(deployment, []).append(result)
                    save()
                except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
                    errors.append(f"{scenario} {deployment} run {rep + 1}: {exc}")
                    bench.say(f"FAILED: {exc}")
                bench.say(f"({time.monotonic() - t0:.0f} s)")
                done += 1
    except bench.Interrupted as exc:
        interrupted = exc
        bench.say(f"\ninterrupted ({exc}): every process started was stopped")
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
        errors.append(str(exc))
        bench.say(f"FAILED: {exc}")
    finally:
        bench.stop_all()
        if pg is not None:
            pg.stop()
    save()
    text = f"{dt.datetime.now():%Y-%m-%d %H:%M} · {bench.machine()}\n{report(bench, results)}\n"
    (results_dir / "report.md").write_text(text)
    bench.say("\n" + text)
    if errors:
        bench.say("errors:\n  " + "\n  ".join(errors))
    bench.say(f"total {time.monotonic() - started:.0f} s; raw results in "
              f"{results_dir.relative_to(bench.ROOT)}")  # fmt: skip
    if interrupted:
        return 128 + interrupted.signum
    return 1 if errors else 0


# ---------------------------------------------------------------- figures and the report
def ten_step(r: dict) -> dict:
    return (r.get("steps") or [{}])[0]


def sat_step(r: dict) -> dict:
    steps = r.get("steps") or []
    return max(steps, key=lambda s: s.get("deliveries_per_s") or 0) if steps else {}


def other_cpu(step: dict, name: str):
    return (step.get("other_cpu_s") or {}).get(name)


def per_cpu_s(step: dict, also: tuple = ()):
    """Deliveries per CPU-second: the step's deliveries ÷ the workers' CPU seconds, with those of
    the servers named in `also` ("redis", "nginx") added, over the same time."""
    cpu = step.get("server_cpu_s")
    if cpu is None or not step.get("wall_s"):
        return None
    cpu += sum(other_cpu(step, name) or 0.0 for name in also)
    deliveries = (step.get("deliveries_per_s") or 0) * step["wall_s"]
    return deliveries / cpu if cpu > 0 else None


def cpu_pct(step: dict, name: str):
    seconds = step.get("server_cpu_s") if name == "workers" else other_cpu(step, name)
    return 100 * seconds / step["wall_s"] if seconds is not None and step.get("wall_s") else None


def last_p99(step: dict):
    value = step.get("last_recipient_p99_ms")
    if value is None and step.get("lost"):
        return float("inf")
    return value


def steps_held(r: dict, target_ms: float) -> dict:
    """The run's ramp steps, by posts/s, whose last-recipient p99 stayed within target_ms with
    nothing lost."""
    return {
        s.get("rate"): s
        for s in r.get("steps") or []
        if (last_p99(s) or float("inf")) <= target_ms and not s.get("lost")
    }


def capacity_rate(r: dict, target_ms: float):
    """The most deliveries/s of a ramp step held within target_ms."""
    ok = [s.get("deliveries_per_s") or 0 for s in steps_held(r, target_ms).values()]
    return max(ok) if ok else None


def same_load_steps(a: dict, b: dict, target_ms: float):
    """a's and b's steps at the highest posts/s both held within target_ms, or (None, None).

    CPU per delivery falls as the load rises (bigger batches share each post's fixed work), so
    two deployments' CPU cost compares like with like only at the same load, and only where
    both still keep up: past that, the figures are of a backlog, not of deliveries."""
    held_a, held_b = steps_held(a, target_ms), steps_held(b, target_ms)
    rates = set(held_a) & set(held_b)
    if not rates:
        return None, None
    rate = max(rates)
    return held_a[rate], held_b[rate]


def lag_in(r: dict, phase: str) -> dict:
    """The worker's loop while the writes phase ran (over every worker of the run): the worst
    stall (a wake's lateness less its wait for a core, ms), with that wake's own CPU ms, the
    worst lateness as it was (the machine's waits included), and the longest garbage
    collection (ms; None from a probe that did not record them)."""
    step = (r.get("writes") or {}).get(phase) or {}
    start, end = step.get("started_epoch_ms"), step.get("ended_epoch_ms")
    if start is None or end is None or not r.get("lag"):
        return {}
    stall = cpu = lateness = 0.0
    for report in r["lag"]:
        for at, late_ms, cpu_ms, waited_ms in report.get("late", []):
            if start <= at * 1000 <= end:
                lateness = max(lateness, late_ms)
                if late_ms - waited_ms > stall:
                    stall, cpu = late_ms - waited_ms, cpu_ms
    recorded = [report["collections"] for report in r["lag"] if "collections" in report]
    in_phase = [ms for each in recorded for at, _, ms in each if start <= at * 1000 <= end]
    collection = max(in_phase, default=0.0) if recorded else None
    return {"stall": stall, "cpu": cpu, "late": lateness, "collection": collection}


FIG = {
    "joined": lambda r: r.get("clients"),
    "last_p99": lambda r: last_p99(ten_step(r)),
    "p99": lambda r: ten_step(r).get("p99_ms"),
    "lost": lambda r: ten_step(r).get("lost"),
    "max_deliv": lambda r: sat_step(r).get("deliveries_per_s"),
    "sat_rate": lambda r: sat_step(r).get("rate"),
    "workers_cpu": lambda r: cpu_pct(sat_step(r), "workers"),
    "redis_cpu": lambda r: cpu_pct(sat_step(r), "redis"),
    "nginx_cpu": lambda r: cpu_pct(sat_step(r), "nginx"),
    "postgres_cpu": lambda r: cpu_pct(sat_step(r), "postgres"),
    "per_cpu": lambda r: per_cpu_s(sat_step(r)),
    "per_cpu_redis": lambda r: per_cpu_s(sat_step(r), also=("redis",)),
    "load_wanted": lambda r: max(
        [0.0]
        + [
            v
            for v in (sat_step(r).get("loadgen_cpu_pct"), sat_step(r).get("loadgen_wanted_pct"))
            if v
        ]
    ),
    "lag_listened": lambda r: lag_in(r, "listened").get("stall"),
    "lag_listened_cpu": lambda r: lag_in(r, "listened").get("cpu"),
    "lag_listened_late": lambda r: lag_in(r, "listened").get("late"),
    "lag_listened_collection": lambda r: lag_in(r, "listened").get("collection"),
    "lag_quiet": lambda r: lag_in(r, "quiet").get("stall"),
    "clients_per_worker": lambda r: (
        " / ".join(str(n) for n in r["worker_sockets_max"]) if r.get("worker_sockets_max") else None
    ),
    "listened_max": lambda r: ((r.get("writes") or {}).get("listened") or {}).get("max_ms"),
    "listened_p50": lambda r: ((r.get("writes") or {}).get("listened") or {}).get("p50_ms"),
    "closed_rps": lambda r: ((r.get("writes") or {}).get("closed") or {}).get("replies_per_s"),
}


CAPACITY_P99_MS = 200.0  # the capacity note's latency target (bench/README.md, "Scale")


def report(bench, results: dict) -> str:
    spread, median, ratio, verdict, table = (
        bench.spread, bench.median, bench.ratio, bench.verdict, bench.table
    )  # fmt: skip

    def runs(scenario, deployment):
        return (results.get(scenario) or {}).get(deployment) or []

    def figs(rs, key):
        return [FIG[key](r) for r in rs]

    def cell(rs, key, digits=1):
        return spread(figs(rs, key), digits)

    def rounds(a, b):
        """a's runs, each with b's run of the same round."""
        by_repeat = {r.get("repeat", 0): r for r in b}
        return [(r, by_repeat[r.get("repeat", 0)]) for r in a if r.get("repeat", 0) in by_repeat]

    def paired(a, b, key, b_key=None):
        """Per round, a's figure ÷ b's."""
        return [ratio(FIG[key](ra), FIG[b_key or key](rb)) for ra, rb in rounds(a, b)]

    out = ["\n## Scale: 1000 clients in one room, 10 posts/s, then the saturation ramp\n"]
    rows = []
    for d in DEPLOYMENTS:
        rs = runs("one-room", d)
        if not rs:
            continue
        split = "; ".join(v for v in figs(rs, "clients_per_worker") if v) or "-"
        rows.append(
            [
                LABELS[d], str(len(rs)), cell(rs, "joined", 0), split,
                bench.transports_cell(rs), cell(rs, "p99"), cell(rs, "last_p99"),
                cell(rs, "lost", 0), cell(rs, "max_deliv", 0), cell(rs, "sat_rate", 0),
                cell(rs, "workers_cpu", 0), cell(rs, "redis_cpu", 0), cell(rs, "nginx_cpu", 0),
                cell(rs, "postgres_cpu", 0), cell(rs, "per_cpu", 0),
                cell(rs, "per_cpu_redis", 0), cell(rs, "load_wanted", 0),
                bench.reasons_cell(rs),
            ]
        )  # fmt: skip
    if rows:
        header = [
            "deployment", "runs", "joined", "sockets per worker", "ended on", "p99 ms",
            "last p99 ms", "lost", "max deliv/s", "at posts/s", "workers CPU%", "Redis CPU%",
            "nginx CPU%", "PostgreSQL CPU%", "deliv per worker CPU-s",
            "deliv per (workers+Redis) CPU-s", "load wanted%", "ramp stopped because",
        ]  # fmt: skip
        out.append(table(rows, header))
        out.append(
            "\n(p99 and last p99: the 10 posts/s step; the CPU figures: the ramp step with the "
            "most deliveries/s; sockets per worker: the most open at once, each run)"
        )
    lag_rows = []
    for d in LAG_DEPLOYMENTS:
        rs = runs("writes", d)
        if rs:
            lag_rows.append(
                [
                    LABELS[d], str(len(rs)), cell(rs, "closed_rps"), cell(rs, "lag_quiet"),
                    cell(rs, "lag_listened"), cell(rs, "lag_listened_cpu"),
                    cell(rs, "lag_listened_late"), cell(rs, "lag_listened_collection"),
                    cell(rs, "listened_p50"),
                    cell(rs, "listened_max"),
                ]
            )  # fmt: skip
    if lag_rows:
        out.append("\n## Scale: the write path, and the worker's loop while it posts\n")
        header = [
            "deployment", "runs", "replies/s, closed loop", "worst stall ms, 10 posts/s, "
            "no listeners", "worst stall ms, 10 posts/s, 1000 listeners", "its own CPU ms",
            "worst lateness ms (waits for the core included)",
            "longest garbage collection ms, 1000 listeners", "authors' p50 ms",
            "authors' max ms",
        ]  # fmt: skip
        out.append(table(lag_rows, header))

    base = runs("one-room", "sqlite")
    targets = []

    def add(measure, target, vals, ok=None, detail="", digits=2, unit="×"):
        text = spread(vals, digits, unit) if vals else "-"
        if detail:
            text += f" ({detail})"
        targets.append([measure, target, text, verdict(median(vals), ok) if ok else "reported"])

    def add_latency_and_saturation(rs, ref, name, ref_name, judged):
        """rs ÷ ref: last-recipient p99 and saturation, against the Redis queue's targets when
        judged, else reported."""
        add(
            f"{name}: last-recipient p99 ÷ {ref_name}",
            "≤ 1.15×" if judged else "(reported)",
            paired(rs, ref, "last_p99"),
            (lambda v: v <= 1.15) if judged else None,
            f"{cell(rs, 'last_p99')} vs {cell(ref, 'last_p99')} ms",
        )
        add(
            f"{name}: saturation deliveries/s ÷ {ref_name}",
            "≥ 0.85×" if judged else "(reported)",
            paired(rs, ref, "max_deliv"),
            (lambda v: v >= 0.85) if judged else None,
            f"{cell(rs, 'max_deliv', 0)} vs {cell(ref, 'max_deliv', 0)}",
        )

    # What the Redis queue costs, the first two targets: the same deployment with the
    # queue and without it, so the ratio is the queue's alone. On the single process (SQLite),
    # the reference of every other ratio, and on one PostgreSQL worker, where production runs it.
    for with_queue, without in (("sqlite-redis-queue", "sqlite"), ("redis-queue", "postgresql")):
        rs, ref = runs("one-room", with_queue), runs("one-room", without)
        if not (rs and ref):
            continue
        add_latency_and_saturation(rs, ref, LABELS[with_queue], LABELS[without], judged=True)
        add(
            f"{LABELS[with_queue]}: deliveries per (worker + Redis) CPU-s ÷ {LABELS[without]}'s "
            "per worker CPU-s",
            "(reported)",
            paired(rs, ref, "per_cpu_redis", "per_cpu"),
            detail=f"{cell(rs, 'per_cpu_redis', 0)} vs {cell(ref, 'per_cpu', 0)}",
        )
    for d in ("postgresql", "redis-queue", "two-workers"):
        rs = runs("one-room", d)
        if rs and base:
            add_latency_and_saturation(rs, base, LABELS[d], "single process", judged=False)
    two = runs("one-room", "two-workers")
    if two and base:
        # The "deliveries per server CPU-second", judged at the same load: see
        # same_load_steps and bench/README.md, "Scale".
        paired_rounds = rounds(two, base)
        same_load = [same_load_steps(a, b, CAPACITY_P99_MS) for a, b in paired_rounds]
        same_load = [(a, b) for a, b in same_load if a is not None]
        unheld = len(paired_rounds) - len(same_load)
        rates = [a.get("rate") for a, _ in same_load]
        ours = [per_cpu_s(a, also=("redis",)) for a, _ in same_load]
        theirs = [per_cpu_s(b) for _, b in same_load]
        add(
            "two workers: deliveries per (workers + Redis) CPU-s ÷ the single process's per "
            f"CPU-s, at the same load: the most posts/s both held within {CAPACITY_P99_MS:.0f} ms",
            "≥ 0.75×",
            [ratio(a, b) for a, b in zip(ours, theirs, strict=True)],
            lambda v: v >= 0.75,
            f"at {spread(rates, 0)} posts/s: {spread(ours, 0)} vs {spread(theirs, 0)}"
            + (f"; {unheld} round(s) without a step both held, not counted" if unheld else ""),
        )
        with_nginx = [per_cpu_s(a, also=("redis", "nginx")) for a, _ in same_load]
        add(
            "the same, nginx's CPU counted too",
            "(reported)",
            [ratio(a, b) for a, b in zip(with_nginx, theirs, strict=True)],
            detail=f"{spread(with_nginx, 0)} vs {spread(theirs, 0)}",
        )
        add(
            "the same, each at its own busiest ramp step (the first two runs' measure)",
            "(reported)",
            paired(two, base, "per_cpu_redis", "per_cpu"),
            detail=f"{cell(two, 'per_cpu_redis', 0)} vs {cell(base, 'per_cpu', 0)}",
        )
        one = runs("one-room", "redis-queue")
        if one:
            add(
                "two workers ÷ one worker with the Redis queue, per (workers + Redis) CPU-s, "
                "each at its busiest step",
                "(reported)",
                paired(two, one, "per_cpu_redis"),
            )
    pg_writes = runs("writes", "postgresql")
    if pg_writes:
        add(
            "PostgreSQL: worst stall of the worker's loop, 10 authors posting at 10 posts/s "
            "to 1000 listeners",
            f"≤ {STALL_LIMIT_MS} ms",
            figs(pg_writes, "lag_listened"),
            lambda v: v <= STALL_LIMIT_MS,
            f"its own CPU {cell(pg_writes, 'lag_listened_cpu')} ms; SQLite's "
            f"{cell(runs('writes', 'sqlite'), 'lag_listened')} ms",
            digits=1,
            unit=" ms",
        )
    if targets:
        repeats = max(len(v) for by in results.values() for v in by.values() if v)
        out.append(
            f"\n## The targets of issue 12 (browser clients; median [min–max] of {repeats} "
            "run(s); ratios to the single process paired by round; verdicts on the medians)\n"
        )
        out.append(table(targets, ["measure", "target", "median [min–max]", "verdict"]))

    capacity = []
    for d in DEPLOYMENTS:
        rs = runs("one-room", d)
        if not rs:
            continue
        within = [capacity_rate(r, CAPACITY_P99_MS) for r in rs]
        per_cpu = figs(rs, "per_cpu_redis" if d in WITH_REDIS else "per_cpu")
        capacity.append(
            [
                LABELS[d],
                spread(within, 0),
                spread([v / 10 if v else None for v in within], 0),
                spread([v / 10 if v else None for v in per_cpu], 0),
            ]
        )
    if capacity:
        out.append(
            f'\n## Capacity (the method: bench/README.md, "Scale"): ramp steps with '
            f"last-recipient p99 ≤ {CAPACITY_P99_MS:.0f} ms and nothing lost\n"
        )
        header = [
            "deployment", "most deliveries/s within the target",
            "participants, each receiving 10 posts/s", "participants per server CPU-second",
        ]  # fmt: skip
        out.append(table(capacity, header))
    return "\n".join(out)
