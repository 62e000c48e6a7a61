"""A real forum process (run.py, eventlet) on a free loopback port."""

from __future__ import annotations

import fcntl
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from config import BASE_DIR
from tests.servers import stop_process

# A start that hangs fails after this long; a start ends as soon as the server answers (1-2 s
# alone, much more on two cores shared with another test run).
STARTUP_SECONDS = 90
STARTUP_POLL_SECONDS = 0.02
REGISTRATION_LINK = re.compile(r"http://[^/\s]+(/register/confirm/\S+)")

# Debian's Chromium, driven by Playwright (never a browser Playwright downloads).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_api():
    """Playwright's sync API. Without Chromium or Playwright the calling test module is skipped
    on a developer's machine, and fails under CI (CI=true), where .ci/run installs Chromium: the
    browser tests must run there."""
    missing = None
    if not os.path.exists(CHROMIUM):
        missing = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)"
    else:
        try:
            import playwright.sync_api
        except ImportError:
            missing = "playwright is not installed (it is in requirements.txt)"
    if missing is None:
        return playwright.sync_api
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests cannot run under CI: {missing}", pytrace=False)
    pytest.skip(missing, allow_module_level=True)


BROWSER_WAIT_MS = 10_000  # for anything that arrives over the socket


@pytest.fixture(scope="module")
def browser():
    with browser_api().sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, forum_server):
    """open_page(person, path, javascript=True): a page of its own browser context, logged in
    through the login form as person = (email, password, …); a JavaScript error on any page
    opened this way fails the test."""
    contexts, errors = [], []

    def open_page(person, path: str, javascript: bool = True):
        context = browser.new_context(java_script_enabled=javascript, locale="pl-PL")
        context.set_default_timeout(BROWSER_WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        email, password = person[:2]
        page.goto(f"{forum_server.url}/login?next={path}")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{forum_server.url}{path}*")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the servers' databases -------------------------------------------------------------------
#
# Each server gets a database of its own, made from a template: a database `flask init-db`
# prepared (migrated, seeded with Kraków's areas, the budget and, by default, the demo data), made
# once per test run for each value of SEED_DEMO_DATA and shared by the run's xdist workers.
# Preparing one takes ~5.5 s of CPU (the imports, the migrations, the demo accounts' production
# scrypt hashes); a copy, milliseconds. Each worker making its own made two runs side by side
# prepare four at once on two cores. The server still runs prepare_database on its copy at start,
# as on any restart; a first start on an empty database is tested with from_template=False.
#
# SQLite (the default): the template is a file in the run's directory, each server's database a
# copy of it. PostgreSQL (TEST_DATABASE_URL names one): the template is a database, each server's
# database is made from it by CREATE DATABASE … TEMPLATE and dropped when the test (or the module,
# for a module's server) that made it ends. Their names start with TEST_DATABASE_URL's database
# name and the run's process id, so parallel runs never touch each other's, and what a run that
# was killed left behind is dropped by the next run that makes a template.


def test_database_url() -> URL | None:
    """TEST_DATABASE_URL, if it names a PostgreSQL database: the e2e servers' databases are then
    made there, beside it."""
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        return None
    url = make_url(given)
    return url if url.get_backend_name() == "postgresql" else None


def run_owner_pid() -> int:
    """The process of this test run: xdist's controller (a worker's parent), or this one."""
    return os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()


def init_db(database_url: str, demo: str) -> None:
    """Prepare a database as `make run` would, without starting a server: `flask init-db`."""
    finished = subprocess.run(
        [sys.executable, "-m", "flask", "init-db", "--demo" if demo == "1" else "--no-demo"],
        cwd=BASE_DIR,
        env=os.environ
        | {"FLASK_APP": "forum", "DATABASE_URL": database_url, "SECRET_KEY": "e2e-secret"},
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"flask init-db failed:\n{finished.stderr}")


class RunDatabases:
    """The templates of this test run, and the servers' databases made from them."""

    def __init__(self, run_directory: Path):
        self.directory = run_directory / "database-templates"
        self.directory.mkdir(exist_ok=True)
        self.lock_path = run_directory / "database-templates.lock"
        self.postgresql = test_database_url()
        self.run_pid = run_owner_pid()
        self.made: set[str] = set()  # PostgreSQL databases made by this process, not yet dropped
        # Servers given the same SQLite path share its database (several workers on one
        # database): on PostgreSQL, the database made for that path.
        self.by_path: dict[Path, tuple[str, str]] = {}
        self.count = 0
        # PostgreSQL makes each DROP DATABASE wait for a checkpoint, which takes minutes when
        # other runs keep the server busy: the drops go on in a thread, the tests do not wait.
        self.dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-databases")
        self.drops: list[Future] = []

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One process of the run at a time makes a template or copies one (PostgreSQL copies
        a template only while nothing else is connected to it)."""
        with open(self.lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    # SQLite

    def copy_sqlite_template(self, database: Path, demo: str) -> None:
        template = self.directory / f"template-demo-{demo}.db"
        if not template.exists():
            with self.lock():
                if not template.exists():
                    self._make_sqlite_template(template, demo)
        shutil.copyfile(template, database)

    @staticmethod
    def _make_sqlite_template(template: Path, demo: str) -> None:
        partial = template.with_name(f"{template.name}.partial-{os.getpid()}")
        init_db(f"sqlite:///{partial}", demo)
        # Everything into the main file, so that one file is the whole database; closing the
        # last connection removes the write-ahead log.
        with closing(sqlite3.connect(partial)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(partial, template)  # whole or not at all, for the other workers

    # PostgreSQL

    def _name(self, *parts: str) -> str:
        name = "_".join([self.postgresql.database, "e2e", str(self.run_pid), *parts])
        if len(name.encode()) > 63:  # PostgreSQL would cut it short, and names could collide
            raise RuntimeError(f"TEST_DATABASE_URL's database name is too long for {name!r}")
        return name

    def _url(self, name: str) -> str:
        return self.postgresql.set(database=name).render_as_string(hide_password=False)

    @contextmanager
    def _admin(self) -> Iterator:
        """A connection outside any transaction (CREATE and DROP DATABASE need one), to the
        server's maintenance database."""
        engine = create_engine(
            self.postgresql.set(database="postgres"),
            isolation_level="AUTOCOMMIT",
            poolclass=NullPool,
        )
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()

    def postgresql_database(self, path: Path, demo: str | None) -> str:
        """The URL of the database for a server's SQLite path: the one made for it already, if
        it is not dropped, else a new one (see new_postgresql_database)."""
        name, url = self.by_path.get(path, (None, None))
        if name not in self.made:
            url = self.new_postgresql_database(demo)
            self.by_path[path] = (make_url(url).database, url)
        return url

    def new_postgresql_database(self, demo: str | None) -> str:
        """A new database, a copy of the template for `demo` ("1" or "0"), or empty (None); its
        URL."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.count += 1
        name = self._name(worker, str(self.count))
        with self.lock(), self._admin() as admin:
            if demo is None:
                admin.exec_driver_sql(f'CREATE DATABASE "{name}"')
            else:
                template = self._postgresql_template(admin, demo)
                admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.add(name)
        return self._url(name)

    def _postgresql_template(self, admin, demo: str) -> str:
        template = self._name(f"template-demo-{demo}")
        if self._exists(admin, template):
            return template
        self._drop_left_behind(admin)
        partial = self._name(f"partial-demo-{demo}")
        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{partial}"')
        admin.exec_driver_sql(f'CREATE DATABASE "{partial}"')
        try:
            init_db(self._url(partial), demo)
        except BaseException:
            admin.exec_driver_sql(f'DROP DATABASE "{partial}" WITH (FORCE)')
            raise
        admin.exec_driver_sql(f'ALTER DATABASE "{partial}" RENAME TO "{template}"')
        return template

    @staticmethod
    def _exists(admin, name: str) -> bool:
        return bool(
            admin.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            .scalars()
            .first()
        )

    def _drop_left_behind(self, admin) -> None:
        """Drop the databases of runs (with this prefix) whose process has ended."""
        prefix = f"{self.postgresql.database}_e2e_"
        names = admin.execute(text("SELECT datname FROM pg_database")).scalars()
        for name in [name for name in names if name.startswith(prefix)]:
            pid = name[len(prefix) :].split("_", 1)[0]
            if pid.isdigit() and not process_alive(int(pid)):
                admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self, names: set[str]) -> None:
        """Drop these databases made by this process (their servers' tests have ended), in
        the background."""
        if names:
            self.drops.append(self.dropper.submit(self._drop, names))
            self.made -= names

    def _drop(self, names: set[str]) -> None:
        with self._admin() as admin:
            for name in names:
                admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def finish(self) -> None:
        """Drop what is left, wait for the drops, and drop the run's templates (at the end of a
        worker's session: a worker that needs one later makes it again)."""
        self.drop(self.made)
        self.dropper.shutdown()
        for dropped in self.drops:
            dropped.result()  # a drop that failed fails the session
        if self.postgresql is None:
            return
        with self.lock(), self._admin() as admin:
            for demo in ("0", "1"):
                name = self._name(f"template-demo-{demo}")
                admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's
        return True
    return True


class ForumServer:
    """Starts and stops `python run.py` against a database of its own, as `make run` does: the
    SQLite file `database`, or (TEST_DATABASE_URL naming PostgreSQL) a PostgreSQL database made
    at the first start; the console log is kept beside `database` either way."""

    databases: RunDatabases | None = None  # set per session by the _run_databases fixture

    def __init__(self, database: Path, from_template: bool = True, **environment: str):
        self.database = database
        self.from_template = from_template
        self.environment = environment
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.database_url = None if test_database_url() else f"sqlite:///{database}"
        # The server's console (stderr) goes to a file: a pipe nobody reads would fill up and
        # stall the server, and tests read the registration links `make run` shows there.
        self.console = database.with_name(database.name + ".console.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict[str, str]:
        return (
            os.environ
            | {
                "DATABASE_URL": self.database_url,
                "PORT": str(self.port),
                "HOST": "127.0.0.1",
                "SECRET_KEY": "e2e-secret",
                "RATELIMIT_ENABLED": "0",  # the tests post faster than a person
            }
            | self.environment
        )

    def _make_database(self) -> None:
        """Give a server about to start for the first time its database: a copy of the run's
        template (or, not from_template, an empty one for the server to prepare itself)."""
        demo = self.environment.get("SEED_DEMO_DATA", os.environ.get("SEED_DEMO_DATA", "1"))
        if self.database_url is None:
            self.database_url = self.databases.postgresql_database(
                self.database, demo if self.from_template else None
            )
        elif self.from_template and not self.database.exists():
            self.databases.copy_sqlite_template(self.database, demo)

    def start(self) -> None:
        self._make_database()
        env = self._environment()
        with open(self.console, "ab") as console:
            self.process = subprocess.Popen(
                [sys.executable, "run.py"],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=console,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.console.read_text(errors="replace"))
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
                return
            except OSError:
                time.sleep(STARTUP_POLL_SECONDS)
        self.stop()
        raise RuntimeError(f"the forum did not answer within {STARTUP_SECONDS} s")

    def registration_link(self, email: str) -> str | None:
        """The newest registration link the console shows for this address (no mail server
        is configured, so messages are written there), as a path; None if there is none."""
        links = [
            match.group(1)
            for message in self.console.read_text(errors="replace").split("MAIL_SERVER is not set")
            if f"\nTo: {email}\n" in message
            for match in [REGISTRATION_LINK.search(message)]
            if match
        ]
        return links[-1] if links else None

    def kill(self) -> None:
        """End the process abruptly, as a crash would: no clean shutdown."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.process)


@contextmanager
def forum_app(server: ForumServer) -> Iterator:
    """The forum's app (testing configuration) on a running server's database, for setup that
    goes through the services directly where the pages are not the point. Use it in short
    `with app.app_context(), transaction():` blocks, as tests/conftest.py's helpers do."""
    from forum import create_app
    from forum.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": server.database_url}, config_name="testing")
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def database_rows(server: ForumServer, statement: str, **parameters) -> list[tuple]:
    """Run one SQL statement (`:name` parameters) on a server's database, committed; its rows."""
    engine = create_engine(server.database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), parameters)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _run_databases(tmp_path_factory):
    """This run's database templates (ForumServer.databases), in the run's temporary directory:
    an xdist worker's own is inside it."""
    basetemp = tmp_path_factory.getbasetemp()
    run_directory = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    databases = ForumServer.databases = RunDatabases(run_directory)
    yield
    databases.finish()
    ForumServer.databases = None


@pytest.fixture(scope="module", autouse=True)
def _module_databases():
    """Drops the PostgreSQL databases of the module's servers when the module ends."""
    before = set(ForumServer.databases.made)
    yield
    ForumServer.databases.drop(ForumServer.databases.made - before)


@pytest.fixture(autouse=True)
def _test_databases():
    """Drops the PostgreSQL databases of the test's servers when the test ends (after its
    fixtures have stopped them)."""
    before = set(ForumServer.databases.made)
    yield
    ForumServer.databases.drop(ForumServer.databases.made - before)


@pytest.fixture
def forum_server(tmp_path):
    server = ForumServer(tmp_path / "forum.db")
    server.start()
    yield server
    server.stop()


def http_client():
    """An HTTP client with its own cookie jar: one person's browser session."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def call(opener, method: str, url: str, payload: dict | None = None):
    """A JSON API call: (status, decoded body)."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def podgorze_room(server: ForumServer) -> int:
    """The id of the demo's Podgórze district room, where the browser tests meet."""
    status, body = call(http_client(), "GET", server.url + "/api/v1/rooms")
    assert status == 200, body
    return next(r["id"] for r in body["rooms"] if r["slug"] == "xiii-podgorze")


DEMO_PASSWORDS = {
    "anna@example.pl": "mieszkanka-demo",
    "jan@example.pl": "mieszkaniec-demo",
    "piotr@example.pl": "ambasador-demo",
}


def logged_in(server: ForumServer, email: str):
    opener = http_client()
    status, _body = call(
        opener,
        "POST",
        server.url + "/api/v1/session",
        {"email": email, "password": DEMO_PASSWORDS[email]},
    )
    assert status == 200
    return opener
