"""A real forum process (run.py, eventlet) on a free loopback port."""

from __future__ import annotations

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
from contextlib import contextmanager
from pathlib import Path

import pytest

from config import BASE_DIR

STARTUP_SECONDS = 30
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


class ForumServer:
    """Starts and stops `python run.py` against one SQLite file, as `make run` does."""

    # A database run.py has prepared (migrated, seeded with Kraków's areas, the budget and the
    # demo data), made once per test session (per xdist worker) for each value of
    # SEED_DEMO_DATA, and copied for each server whose file does not exist yet. Preparing it
    # takes ~1.7 s (the demo accounts' production scrypt hashes, the migrations); a copy, a few
    # milliseconds. The server still runs prepare_database on the copy at start, as on any
    # restart; the first start on an empty file is made by the template's own server and by
    # servers made with from_template=False.
    templates: dict[str, Path] = {}
    templates_dir: Path | None = None  # set per session by the _database_templates fixture

    def __init__(self, database: Path, from_template: bool = True, **environment: str):
        self.database = database
        self.from_template = from_template
        self.environment = environment
        self.port = free_port()
        self.process: subprocess.Popen | None = None
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
                "DATABASE_URL": f"sqlite:///{self.database}",
                "PORT": str(self.port),
                "HOST": "127.0.0.1",
                "SECRET_KEY": "e2e-secret",
                "RATELIMIT_ENABLED": "0",  # the tests post faster than a person
            }
            | self.environment
        )

    def _copy_template(self) -> None:
        """Give a server that is about to make its database a prepared copy instead."""
        if not self.from_template or self.templates_dir is None or self.database.exists():
            return
        demo = self._environment().get("SEED_DEMO_DATA", "1")
        template = self.templates.get(demo)
        if template is None:
            template = self.templates_dir / f"template-demo-{demo}.db"
            maker = ForumServer(template, from_template=False, SEED_DEMO_DATA=demo)
            maker.start()
            maker.stop()
            # Everything into the main file, so that one file is the whole database.
            with sqlite3.connect(template) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            self.templates[demo] = template
        shutil.copyfile(template, self.database)

    def start(self) -> None:
        self._copy_template()
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
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextmanager
def forum_app(server: ForumServer) -> Iterator:
    """The forum's app (testing configuration) on a running server's database, for setup that
    goes through the services directly where the pages are not the point. Use it in short
    `with app.app_context(), transaction():` blocks, as tests/conftest.py's helpers do."""
    from forum import create_app
    from forum.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{server.database}"}, config_name="testing"
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _database_templates(tmp_path_factory):
    """Where this session's prepared databases are kept (ForumServer.templates)."""
    ForumServer.templates_dir = tmp_path_factory.mktemp("database-templates")
    ForumServer.templates = {}
    yield
    ForumServer.templates_dir = None
    ForumServer.templates = {}


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
