"""Fixtures: a fresh in-memory database per test, clients, and helpers to make users and threads.

No app context is held across requests or socket events: each request and each socket event
gets its own, as in production, with its own database session and its own `g` (so a socket's
user comes from its own login, never from the last request's). Test code that reads or writes
the database directly does so in a short block of its own: ``with app_context(): ...``, or
``run(service, user, ...)`` for a service, in a transaction as a boundary would run it.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from sqlalchemy import Table, create_engine, make_url, text, tuple_
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL
from werkzeug.routing import Rule

from config import TestingConfig
from forum import create_app
from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.accounts.services import hash_password, load_user
from forum.areas.models import Area, Room, RoomMember
from forum.areas.services import seed_reference_data
from forum.budget.services import seed_budget_data
from forum.discussion import services
from forum.extensions import db
from forum.transactions import transaction

PASSWORD = "correct horse battery"
GUEST = AnonymousUserMixin()
_emails = itertools.count(1)
_app: Flask | None = None  # the current test's app (tests run one at a time)


def _url_builders_made_once() -> None:
    """Each test makes an app, and Werkzeug makes two URL builders for each of its ~280 rules by
    building and compiling Python code: four fifths of create_app's time, most of a short test's.
    A builder depends only on its rule's parsed parts and defaults (it reaches the map's
    converters through its `self` argument when called), so the same rule's builders are made
    once for the whole run. Werkzeug is pinned (requirements.txt)."""
    stock = Rule._compile_builder
    made: dict[tuple, Callable] = {}

    def compile_builder(self: Rule, append_unknown: bool = True):
        defaults = tuple(
            sorted((name, repr(value)) for name, value in (self.defaults or {}).items())
        )
        key = (self.rule, tuple(self._trace), defaults, append_unknown)
        if key not in made:
            made[key] = stock(self, append_unknown)
        return made[key]

    Rule._compile_builder = compile_builder


_url_builders_made_once()


@contextmanager
def app_context() -> Iterator[None]:
    """A short app context of the test's app, for test code between requests."""
    with _app.app_context():
        yield


@contextmanager
def forum_app() -> Iterator[Flask]:
    """A testing app with an empty database of its own, Kraków's areas seeded; the current app
    of app_context() while it lasts."""
    server_database = _take_server_database()
    config = {"WTF_CSRF_ENABLED": False}
    if server_database is not None:
        config["SQLALCHEMY_DATABASE_URI"] = server_database.url
    app = create_app(config, config_name="testing")
    use_app(app)
    try:
        with app.app_context():
            if server_database is not None:
                server_database.reset()
            elif not _copy_seeded_database():
                with transaction():
                    db.create_all()
                    seed_reference_data()
                    seed_budget_data()
                _keep_seeded_database()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            if server_database is None and not _in_memory_sqlite():
                _drop_all()
            # The database goes with its one connection (in-memory SQLite); a server's
            # connections are closed, or a few hundred tests' engines exhaust its slots.
            db.engine.dispose()
        if server_database is not None:
            server_database.in_use = False
        use_app(None)


def _drop_all() -> None:
    """Drop every table. SQLite cannot drop the foreign keys that make a cycle (a meeting's
    current agenda item points into the agenda that points back to it), and a DROP TABLE that
    would break one fails: the drop goes without checking them."""
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        db.metadata.drop_all(connection)
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


# An in-memory SQLite database with the schema and Kraków's areas, made by the first test and
# copied into each later one (SQLite's backup API: a millisecond, where creating and seeding
# take a hundred).
_seeded: sqlite3.Connection | None = None


def _in_memory_sqlite() -> bool:
    url = db.engine.url
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _keep_seeded_database() -> None:
    global _seeded
    if _in_memory_sqlite():
        _seeded = sqlite3.connect(":memory:")
        with db.engine.connect() as connection:
            connection.connection.driver_connection.backup(_seeded)


def _copy_seeded_database() -> bool:
    if _seeded is None or not _in_memory_sqlite():
        return False
    with db.engine.connect() as connection:
        _seeded.backup(connection.connection.driver_connection)
    return True


class ServerDatabase:
    """A PostgreSQL database of this test process, for one live app at a time.

    Its first app makes the schema and seeds it; each later app's database is put back to the
    seeded rows by one batch of SQL (see _resetting_sql), where creating and seeding take a
    second. Each pytest-xdist worker has databases of its own (the test database's name with
    the worker's id), and a second app alive at once (a module's app while a test makes its
    own) gets a second database: as with in-memory SQLite, two apps never share rows.
    """

    def __init__(self, url: URL):
        self.url = url.render_as_string(hide_password=False)
        self.in_use = False
        self.resetting_sql: str | None = None
        _create_database_if_missing(url)
        # One connection kept for the resets: a server process plans each foreign key's check
        # the first time it deletes, which on a new connection made a reset 20 times slower.
        self.engine = create_engine(url, pool_size=1)

    def reset(self) -> None:
        if self.resetting_sql is None:
            self._make()
            return
        with self.engine.begin() as connection:
            connection.exec_driver_sql(self.resetting_sql)

    def _make(self) -> None:
        """A schema of the models now (a previous run's may differ), seeded; the rows kept."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            db.metadata.create_all(connection)
        with transaction():
            seed_reference_data()
            seed_budget_data()
        seeded_rows = {}
        with self.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                rows = [dict(row) for row in connection.execute(table.select()).mappings()]
                if rows:
                    seeded_rows[table] = rows
        self.resetting_sql = _resetting_sql(seeded_rows, self.engine.dialect)


def _resetting_sql(seeded_rows: dict[Table, list[dict]], dialect) -> str:
    """SQL that puts a database back to its seeded rows, and each id sequence after them.

    A test adds rows to a few tables and seldom changes a seeded one, so: DELETE every row of
    the other tables (which finds nothing to do in most), delete the rows a test added to the
    seeded tables, and write back only the seeded rows that differ (an upsert). Emptying and
    inserting again took ten times as long (each deleted and inserted row checks its foreign
    keys), and TRUNCATE a hundred times (new files for 44 tables and their indexes)."""
    tables = db.metadata.sorted_tables
    statements = []
    for table in tables:  # the foreign keys that close a cycle, emptied first
        for key in table.foreign_keys:
            if key.constraint.use_alter:
                statements.append(table.update().values({key.parent.name: None}))
    for table in reversed(tables):
        if table not in seeded_rows:
            statements.append(table.delete())
            continue
        keys = table.primary_key.columns
        seeded_keys = [tuple(row[column.key] for column in keys) for row in seeded_rows[table]]
        statements.append(table.delete().where(tuple_(*keys).not_in(seeded_keys)))
    for table, rows in seeded_rows.items():
        upsert = postgresql.insert(table).values(rows)
        others = [column for column in table.columns if not column.primary_key]
        statements.append(
            upsert.on_conflict_do_update(
                index_elements=list(table.primary_key.columns),
                set_={column.name: upsert.excluded[column.name] for column in others},
                where=tuple_(*others).is_distinct_from(
                    tuple_(*(upsert.excluded[column.name] for column in others))
                ),
            )
        )
    literal = {"literal_binds": True}
    sql = [
        str(statement.compile(dialect=dialect, compile_kwargs=literal)) for statement in statements
    ]
    sequences = []
    for table in tables:
        serial = table.autoincrement_column
        if serial is None:
            continue
        sequence = f"pg_get_serial_sequence('{table.name}', '{serial.name}')"
        if table in seeded_rows:
            last = max(row[serial.key] for row in seeded_rows[table])
            sequences.append(f"setval({sequence}, {int(last)})")
        else:
            sequences.append(f"setval({sequence}, 1, false)")
    return "; ".join([*sql, "SELECT " + ", ".join(sequences)])


_server_databases: list[ServerDatabase] = []


def _take_server_database() -> ServerDatabase | None:
    """A free PostgreSQL database of this process for a new app; None on SQLite."""
    url = make_url(TestingConfig.SQLALCHEMY_DATABASE_URI)
    if url.get_backend_name() != "postgresql":
        return None
    for database in _server_databases:
        if not database.in_use:
            database.in_use = True
            return database
    name = _process_database_name(url)
    if _server_databases:
        name = f"{name}_{len(_server_databases) + 1}"
    database = ServerDatabase(url.set(database=name))
    database.in_use = True
    _server_databases.append(database)
    return database


def empty_database_url(tmp_path) -> str:
    """The URL of an empty database for a test that builds its own schema (the migrations):
    a file in tmp_path on SQLite; on PostgreSQL a database of this process, emptied."""
    url = make_url(TestingConfig.SQLALCHEMY_DATABASE_URI)
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = url.set(database=f"{_process_database_name(url)}_empty")
    _create_database_if_missing(url)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        engine.dispose()
    return url.render_as_string(hide_password=False)


def _process_database_name(url: URL) -> str:
    """The test database's name, with the pytest-xdist worker's id in a worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{url.database}_{worker}" if worker else url.database


def _create_database_if_missing(url: URL) -> None:
    """The role of the test database's URL may create databases (CREATEDB).

    Its commits do not wait for the disk (synchronous_commit off: a crash of the server may lose
    the last ones, never corrupt it): a test commits a few dozen times, and waiting for each
    flush made the suite several times slower than on SQLite."""
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).scalar()
            quoted = connection.dialect.identifier_preparer.quote(url.database)
            if not exists:
                connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
            connection.exec_driver_sql(f"ALTER DATABASE {quoted} SET synchronous_commit = off")
    finally:
        engine.dispose()


def use_app(app: Flask | None) -> None:
    """Make this the app app_context() enters."""
    global _app
    _app = app


@pytest.fixture
def app():
    with forum_app() as app:
        yield app


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF checks on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def actor(user):
    """The user as a request would see them: reloaded in the current session (or a guest)."""
    if user is None or not user.is_authenticated:
        return GUEST
    return load_user(user.id)


def run(service: Callable, user, *args, **kwargs):
    """Run a service as a boundary would: its own app context, one transaction, committed.

    The result stays readable after the block (loaded attributes; relationships only if loaded).
    """
    with app_context(), transaction():
        return service(actor(user), *args, **kwargs)


def count(model, *conditions) -> int:
    """Rows of a model's table (that meet the conditions)."""
    with app_context():
        query = db.select(db.func.count()).select_from(model)
        return db.session.scalar(query.where(*conditions) if conditions else query)


def get(model, object_id):
    """One row as it is now (detached: its columns stay readable)."""
    with app_context():
        return db.session.get(model, object_id)


def update(model, object_id, **values) -> None:
    """Change a row directly, as a test's setup (not through a service)."""
    with app_context(), transaction():
        row = db.session.get(model, object_id)
        for name, value in values.items():
            setattr(row, name, value)


def opening_of(thread_id: int):
    """A thread's opening post."""
    from forum.discussion.models import Post

    with app_context():
        return db.session.scalars(
            db.select(Post).where(Post.thread_id == thread_id, Post.parent_id.is_(None))
        ).one()


def district(number: str) -> Area:
    with app_context():
        return db.session.scalars(
            db.select(Area).where(Area.kind == "district", Area.number == number)
        ).one()


def room_of(number: str) -> Room:
    """The main room of a district, by its Roman numeral."""
    with app_context():
        area = db.session.scalars(
            db.select(Area).where(Area.kind == "district", Area.number == number)
        ).one()
        return area.rooms[0]


def room_by_slug(slug: str) -> Room:
    with app_context():
        return db.session.scalars(db.select(Room).where(Room.slug == slug)).one()


def make_user(
    name: str = "Resident", role: str | None = None, scope: str | None = None, home: str = "XIII"
) -> User:
    """A user; role is "ambassador" (scope: district numeral), "expert" (unit code) or "admin"."""
    with app_context(), transaction():
        area = db.select(Area).where(Area.kind == "district")
        user = User(
            display_name=name,
            email=f"user{next(_emails)}@example.pl",
            password_hash=hash_password(PASSWORD),
            home_area=db.session.scalars(area.where(Area.number == home)).one(),
        )
        if role == "ambassador":
            scope_area = db.session.scalars(area.where(Area.number == scope)).one()
            user.role_grants.append(RoleGrant(role=role, area=scope_area))
        elif role == "expert":
            unit = db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == scope)).one()
            user.role_grants.append(RoleGrant(role=role, unit=unit))
        elif role == "admin":
            user.role_grants.append(RoleGrant(role=role))
        db.session.add(user)
    return user


def make_member(user: User, room_id: int) -> User:
    """Let the user read a restricted room."""
    with app_context(), transaction():
        db.session.add(RoomMember(room_id=room_id, user_id=user.id))
    return user


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user: User, password: str = PASSWORD):
        return self.client.post("/login", data={"email": user.email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def anna(app):
    """A resident of XIII Podgórze."""
    return make_user("Anna")


@pytest.fixture
def jan(app):
    return make_user("Jan")


@pytest.fixture
def thread(anna):
    """Anna's thread in XIII Podgórze."""
    return run(
        services.create_thread, anna, room_of("XIII").id, "Skwer przy Lipowej", "Zielony skwer?"
    )


def wait_until(condition: Callable[[], object], seconds: float = 5.0, what: str = "condition"):
    """Wait for a condition (polled), never for a fixed time; its value, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {seconds} s")
        time.sleep(0.005)


@pytest.fixture
def connect(app):
    """connect(flask_client): a checked socket client carrying the Flask client's login cookie,
    disconnected after the test."""
    from tests.sockets import (
        CheckedSocket,  # tests.sockets reads the API's conftest, which reads this
    )

    opened = []

    def open_socket(flask_client):
        sock = CheckedSocket(app, flask_client)
        opened.append(sock)
        return sock

    yield open_socket
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own on a free port (tests/servers.py), stopped after it."""
    from tests.servers import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
