"""A cluster of real servers started by deploy/cluster (two workers behind nginx, PostgreSQL,
Redis), and clients that reach it through nginx as browsers do: each with its own cookies, the
forum_worker cookie among them, which says (and decides) which worker serves it."""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import socketio

from config import BASE_DIR
from forum.web import WORKER_COOKIE
from tests.socket_clients import socket_client

SCRIPT = BASE_DIR / "deploy" / "cluster"
WAIT_SECONDS = 30  # for anything that crosses workers, Redis or a restart
POLL_SECONDS = 0.05
HTTP_SECONDS = 15

DEMO_PASSWORDS = {
    "anna@example.pl": "mieszkanka-demo",
    "jan@example.pl": "mieszkaniec-demo",
    "piotr@example.pl": "ambasador-demo",
    "ewa@example.pl": "ekspertka-demo",
    "admin@example.pl": "admin-demo-123",
    "tomasz@example.pl": "mieszkaniec2-demo",
}


def wait_until(condition, what: str, seconds: float = WAIT_SECONDS):
    """Poll `condition` until it returns something true (returned), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"within {seconds} s: {what}", pytrace=False)
        time.sleep(POLL_SECONDS)


class Cluster:
    """deploy/cluster's cluster in a directory of its own, and what its state file says."""

    def __init__(self, directory: Path):
        self.directory = directory

    def command(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), *arguments, "--dir", str(self.directory)],
            capture_output=True,
            text=True,
            env=os.environ
            | {
                # The limits count in Redis, as in production, but far above the tests' pace.
                "RATELIMIT_REPLY": "100000/minute",
                "RATELIMIT_SOCKET_JOIN": "100000 per 10 seconds",
                # Quick to notice a client that is gone (the defaults are 25 and 20 s).
                "SOCKETIO_PING_INTERVAL": "5",
                "SOCKETIO_PING_TIMEOUT": "5",
            },
        )
        if check and done.returncode != 0:
            pytest.fail(f"deploy/cluster {shlex.join(arguments)}:\n{done.stderr}", pytrace=False)
        return done

    @property
    def state(self) -> dict[str, str]:
        state = {}
        for line in (self.directory / "cluster.env").read_text().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                state[key] = shlex.split(value)[0] if value else ""
        return state

    @property
    def url(self) -> str:
        return self.state["URL"]

    @property
    def workers(self) -> list[str]:
        return self.state["WORKERS"].split()

    def is_running(self, part: str) -> bool:
        status = self.command("status", check=False).stdout
        return any(line.split()[:2] == [part, "running"] for line in status.splitlines())

    def process_ids(self) -> list[int]:
        """Every process the script started and names: nginx's master, the workers, Redis,
        PostgreSQL's postmaster."""
        state = self.state
        postmaster = Path(state["POSTGRES_DATA"], "postmaster.pid").read_text().split()[0]
        return [int(state[key]) for key in state if key.endswith("_PID")] + [int(postmaster)]

    def kill_worker(self, name: str) -> None:
        """A crash: SIGKILL, no clean shutdown."""
        os.kill(int(self.state[f"WORKER_{name}_PID"]), signal.SIGKILL)
        wait_until(lambda: not self.is_running(name), f"{name} ends after SIGKILL")

    def restore(self) -> None:
        """Start again whatever part a test stopped, and wait until nginx sends each worker its
        own clients again (after a failure it passes them to the others for fail_timeout, 10 s)."""
        for part in ["redis", *self.workers]:
            if not self.is_running(part):
                self.command("start-part", part)
        for worker in self.workers:
            wait_until(
                functools.partial(self.serves, worker), f"nginx sends {worker}'s clients to it"
            )

    def serves(self, worker: str) -> bool:
        """Whether a request kept on `worker` is answered by it."""
        person = Person(self).pin(worker)
        return person.call("GET", "/api/v1/session")[0] == 200 and person.worker == worker

    def database(self):
        """A psycopg2 connection to the cluster's database (autocommit: each read sees the
        latest commits)."""
        import psycopg2

        url = self.state["DATABASE_URL"].replace("postgresql+psycopg2://", "postgresql://")
        connection = psycopg2.connect(url)
        connection.autocommit = True
        return connection


def servers_missing() -> str | None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "check"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode != 0 else None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    missing = servers_missing()
    if missing:
        if os.environ.get("REQUIRE_SERVERS") == "1":
            pytest.fail(f"REQUIRE_SERVERS=1 and deploy/cluster says: {missing}", pytrace=False)
        pytest.skip(f"deploy/cluster cannot run here: {missing}")
    with cluster_directory(tmp_path_factory) as directory:
        made = Cluster(directory)
        try:
            made.command("start", "--workers", "2", "--demo")
            yield made
        finally:
            made.command("stop", check=False)


@contextmanager
def cluster_directory(tmp_path_factory) -> Iterator[Path]:
    """A directory for a cluster, removed afterwards; its logs are kept with pytest's temporary
    files, for a look after a failure."""
    # Under /tmp, not pytest's own (owner-only) directory: run as root, PostgreSQL runs as the
    # postgres user, who must reach it.
    directory = Path(tempfile.mkdtemp(prefix="forum-cluster-test-", dir="/tmp"))
    directory.chmod(0o711)
    try:
        yield directory
    finally:
        if (directory / "logs").exists():
            shutil.copytree(
                directory / "logs", tmp_path_factory.mktemp("cluster-logs"), dirs_exist_ok=True
            )
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def healthy_cluster(cluster):
    """The cluster with every part running, before the test and after it."""
    cluster.restore()
    yield cluster
    cluster.restore()


class Person:
    """One browser: its own cookies (a login, the worker it is kept on)."""

    def __init__(self, cluster: Cluster, email: str | None = None):
        self.cluster = cluster
        self.http = requests.Session()
        if email:
            status, body = self.call(
                "POST", "/api/v1/session", {"email": email, "password": DEMO_PASSWORDS[email]}
            )
            assert status == 200, body

    def pin(self, worker: str) -> Person:
        """Send the next requests to this worker, as its own cookie would."""
        self.http.cookies.set(WORKER_COOKIE, worker, domain="127.0.0.1", path="/")
        return self

    @property
    def worker(self) -> str | None:
        """The worker that served the last answer (its cookie)."""
        return self.http.cookies.get(WORKER_COOKIE)

    def call(
        self, method: str, path: str, payload: dict | None = None, headers: dict | None = None
    ) -> tuple[int, object]:
        response = self.http.request(
            method, self.cluster.url + path, json=payload, headers=headers, timeout=HTTP_SECONDS
        )
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return response.status_code, body

    def post(self, thread_id: int, body: str) -> int:
        status, created = self.call("POST", f"/api/v1/threads/{thread_id}/posts", {"body": body})
        assert status == 201, (status, created)
        return created["post"]["id"]


class Follower:
    """A socket following one stream as the pages do: events applied in seq order, a gap noticed
    and filled by joining again with the last seq applied (catch_up)."""

    def __init__(self, person: Person, stream: str):
        self.person = person
        self.stream = stream
        self.posts: list[int] = []  # ids of post_created events, in seq order
        self.signals: list[tuple[str, dict]] = []  # unnumbered events (stream_closed, ...)
        self.last_seq: int | None = None
        self.behind = False  # a seq was skipped: catch_up() fills it
        self.changed = threading.Condition()
        self.sio: socketio.Client | None = None
        self.http: requests.Session | None = None

    def connect(self) -> Follower:
        """Connect through nginx with the person's cookies (polling first, then the websocket
        upgrade, as a browser does) and join the stream, catching up from last_seq."""
        # A session of its own, with the person's cookies: the socket's long-polling runs in
        # its own thread, and a requests.Session is not to be shared between threads.
        self.http = requests.Session()
        self.http.cookies.update(self.person.http.cookies)
        self.sio = socket_client(reconnection=False, http_session=self.http)
        self.sio.on("*", self._on_event)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.connect(self.person.cluster.url, wait_timeout=HTTP_SECONDS)
        self.catch_up()
        return self

    @property
    def worker(self) -> str | None:
        return self.http.cookies.get(WORKER_COOKIE) if self.http else None

    @property
    def connected(self) -> bool:
        return bool(self.sio and self.sio.connected)

    def disconnect(self) -> None:
        if self.connected:
            self.sio.disconnect()

    def catch_up(self) -> None:
        while True:
            with self.changed:
                self.behind = False  # a gap seen from now on is one this join may not fill
            ack = self.sio.call(
                "join", {"stream": self.stream, "after": self.last_seq}, timeout=HTTP_SECONDS
            )
            assert "error" not in ack, ack
            assert not ack["reload"], ack
            with self.changed:
                if self.last_seq is None:
                    self.last_seq = ack["last_seq"]
                for event in ack["events"]:
                    self._apply(event["name"], event["data"])
                self.changed.notify_all()
            if ack["complete"]:
                return

    def _apply(self, name: str, data: dict) -> None:
        seq = data["seq"]
        if self.last_seq is None or seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            self.behind = True  # leave it for the catch-up, which brings it in order
            return
        self.last_seq = seq
        if name == "post_created":
            self.posts.append(data["post"]["id"])

    def _on_event(self, name: str, data=None) -> None:
        with self.changed:
            if isinstance(data, dict) and data.get("stream") == self.stream:
                if "seq" in data:
                    self._apply(name, data)
                else:
                    self.signals.append((name, data))
            self.changed.notify_all()

    def _on_disconnect(self, *reason) -> None:
        with self.changed:
            self.changed.notify_all()

    def wait_for(
        self, post_ids: list[int], catching_up: bool = False, seconds: float = WAIT_SECONDS
    ) -> list[int]:
        """Wait until these posts have arrived; with `catching_up`, fill any gap noticed on the
        way, else only live events count. The posts received, whether or not all came."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.changed:
                if set(post_ids) <= set(self.posts):
                    break
                if not (catching_up and self.behind):
                    self.changed.wait(timeout=0.5)
                    continue
            self.catch_up()
        return self.posts

    def wait_for_signal(self, name: str) -> list[dict]:
        deadline = time.monotonic() + WAIT_SECONDS
        with self.changed:
            while time.monotonic() < deadline and not any(n == name for n, _ in self.signals):
                self.changed.wait(timeout=0.5)
            return [data for n, data in self.signals if n == name]

    def wait_for_disconnect(self) -> bool:
        deadline = time.monotonic() + WAIT_SECONDS
        with self.changed:
            while time.monotonic() < deadline and self.connected:
                self.changed.wait(timeout=0.5)
        return not self.connected


@pytest.fixture
def followers():
    """follow(person, stream, worker=None): a connected Follower (kept on `worker` if given);
    all are disconnected after the test."""
    made: list[Follower] = []

    def follow(person: Person, stream: str, worker: str | None = None) -> Follower:
        if worker:
            person.pin(worker)
        follower = Follower(person, stream)
        made.append(follower)
        return follower.connect()

    yield follow
    for follower in made:
        follower.disconnect()
