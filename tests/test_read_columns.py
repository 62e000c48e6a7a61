"""read_columns runs a prebuilt statement straight on the DB-API cursor where Core would compute
nothing in Python for it: it must give exactly what Core's execution gives (the same values, of
the same types, by index, label and column), fall back to Core where Core computes something,
raise SQLAlchemy's exceptions, and still be seen by the engine's cursor events."""

from datetime import datetime

import pytest
from sqlalchemy import bindparam, create_engine, event, exc, insert, select, text
from sqlalchemy.orm import Session

from config import TestingConfig
from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.discussion import facts
from forum.discussion import services as discussion
from forum.discussion.models import Post, Thread
from forum.extensions import db, read_columns, utcnow, write_rows
from forum.realtime import catchup, subjects
from forum.realtime.models import StreamEvent
from forum.realtime.streams import _LOG_EVENTS, thread_stream
from forum.transactions import transaction
from tests.conftest import app_context, make_user, room_of, run


def core(statement, params):
    return db.session.connection().execute(statement, params).all()


def same_as_core(statement, params) -> list:
    """read_columns' rows, checked against Core's: values and their types, by index, by label
    and by every column Core's rows answer to."""
    ours, theirs = read_columns(statement, params).all(), core(statement, params)
    assert [tuple(row) for row in ours] == [tuple(row) for row in theirs]
    for mine, core_row in zip(ours, theirs, strict=True):
        assert [type(value) for value in mine] == [type(value) for value in core_row]
        for key in core_row._mapping.keys():
            assert getattr(mine, key) == getattr(core_row, key)
        for column in statement.selected_columns:
            assert mine._mapping[column] == core_row._mapping[column]
    return ours


@pytest.fixture
def replied(app):
    """A thread with a reply, and its author's open login."""
    author = make_user("Autorka", role="ambassador", scope="XIII")
    thread = run(discussion.create_thread, author, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    run(discussion.create_reply, author, thread.id, "Przy stawie.")
    with app_context(), transaction():
        token = accounts.start_session(db.session.get(User, author.id))
    return author, thread, token


def test_the_login_read_is_core_s(replied):
    author, _thread, token = replied
    with app_context():
        rows = same_as_core(
            accounts._session_user_query(),
            {"user_id": author.id, "token_hash": accounts._token_hash(token)},
        )
        assert len(rows) == 1 and rows[0].login_id
        assert isinstance(rows[0]._mapping[User.__table__.c.created_at], datetime)
        assert rows[0]._mapping[User.__table__.c.created_at].tzinfo is not None


def test_the_write_path_s_reads_are_core_s(replied):
    author, thread, _token = replied
    queries = discussion._write_path_queries()
    with app_context():
        same_as_core(queries["thread"], {"thread_id": thread.id})
        same_as_core(queries["opening"], {"thread_id": thread.id})
        (row,) = same_as_core(facts._query(), {"thread_id": thread.id})
        assert facts.load_thread_facts(thread.id).room_id == row[0]
        key = thread_stream(thread.id)
        same_as_core(catchup._stream_query(), {"kind": key.kind, "target_id": key.target_id})
        assert (
            subjects.unread_count(author.id)
            == core(subjects._unread_query(), {"user_id": author.id})[0][0]
        )


def test_an_update_returning_is_written_once_and_read_back(replied):
    _author, thread, _token = replied
    statement = discussion._write_path_queries()["count_reply"]
    with app_context(), transaction():
        before = db.session.get(Thread, thread.id).reply_count
        now = datetime.now().astimezone()
        params = {"thread_id": thread.id, "now": now, "status_read": "open"}
        assert read_columns(statement, params).scalar_one() == before + 1
    with app_context():
        assert db.session.get(Thread, thread.id).reply_count == before + 1


def test_a_statement_with_a_python_default_goes_through_core(app):
    """User.created_at has a Python default: only Core's execution computes it."""
    statement = insert(User).returning(User.id, User.created_at, User.bio)
    with app_context(), transaction():
        values = {"display_name": "Nowa", "email": "nowa@example.pl", "password_hash": "x"}
        row = read_columns(statement, values).one()
        assert row.id and isinstance(row.created_at, datetime) and row.bio == ""


def test_a_database_error_is_sqlalchemy_s(replied):
    author, thread, _token = replied
    statement = insert(Post).returning(Post.id)
    values = {
        "thread_id": thread.id,
        "author_id": author.id,
        "depth": 1,
        "body_source": "x",
        "body_html": "<p>x</p>",
        "created_at": datetime.now().astimezone(),
    }
    with app_context(), transaction():
        post_id = read_columns(statement, values).scalar_one()
    with app_context(), pytest.raises(exc.IntegrityError):
        read_columns(statement, values | {"id": post_id})


def test_its_statements_are_seen_by_the_engine_s_cursor_events(replied):
    author, _thread, _token = replied
    seen = []

    def record(connection, cursor, statement, parameters, context, executemany):
        values = parameters.values() if isinstance(parameters, dict) else parameters
        seen.append((statement, list(values)))  # (named, as PostgreSQL's driver takes them)

    with app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            read_columns(subjects._unread_query(), {"user_id": author.id}).scalar()
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "FROM notification" in seen[0][0]
    assert seen[0][1] in ([author.id], [author.id, False])  # the statement's own parameters


def test_one_and_scalar_one_want_exactly_one_row(replied):
    _author, thread, _token = replied
    by_thread = select(Post.id).where(Post.thread_id == bindparam("thread_id"))
    with app_context():
        with pytest.raises(exc.MultipleResultsFound):
            read_columns(by_thread, {"thread_id": thread.id}).one()
        with pytest.raises(exc.NoResultFound):
            read_columns(by_thread, {"thread_id": 10**9}).scalar_one()
        assert read_columns(by_thread, {"thread_id": 10**9}).one_or_none() is None
        assert read_columns(by_thread, {"thread_id": 10**9}).first() is None
        assert read_columns(by_thread, {"thread_id": thread.id}).first()[0] > 0


def test_rows_are_written_at_once_and_a_missing_default_is_core_s(replied):
    """The event log's rows: straight to the cursor when every column is given; Core computes
    created_at (a Python default) when it is not."""
    _author, thread, _token = replied
    key = thread_stream(thread.id)
    with app_context(), transaction():
        stream_id = core(catchup._stream_query(), {"kind": key.kind, "target_id": key.target_id})[
            0
        ][0]
        rows = [
            {"stream_id": stream_id, "seq": 1000 + i, "name": "post_created", "subject_id": i}
            for i in range(3)
        ]
        write_rows(_LOG_EVENTS, [row | {"created_at": utcnow()} for row in rows])
        write_rows(_LOG_EVENTS, [row | {"seq": row["seq"] + 3} for row in rows])
    with app_context():
        logged = db.session.scalars(
            select(StreamEvent).where(StreamEvent.stream_id == stream_id, StreamEvent.seq >= 1000)
        ).all()
        assert sorted(event.seq for event in logged) == list(range(1000, 1006))
        assert all(event.created_at.tzinfo is not None for event in logged)


def test_a_session_given_is_the_one_used(replied):
    """(A session event's own session, which may not be the request's.)"""
    author, _thread, _token = replied
    used = []

    def record(connection, cursor, statement, parameters, context, executemany):
        used.append(connection)

    by_id = select(User.bio).where(User.id == bindparam("user_id"))
    with app_context():
        other = Session(db.engine)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert read_columns(by_id, {"user_id": author.id}, other).scalar() == ""
            assert used == [other.connection()]
            read_columns(by_id, {"user_id": author.id})
            assert used[1] is db.session.connection() and used[1] is not used[0]
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
            other.close()


on_a_server = pytest.mark.skipif(
    not TestingConfig.SQLALCHEMY_DATABASE_URI.startswith("postgresql"),
    reason="a database server that can drop a connection (TEST_DATABASE_URL=postgresql…)",
)


def end_backend(backend: int) -> None:
    """End a server process as an administrator would, from a connection of another engine."""
    engine = create_engine(db.engine.url)
    try:
        with engine.connect() as other:  # (waits until the process has ended)
            ended = other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": backend})
            assert ended.scalar()
    finally:
        engine.dispose()


@on_a_server
def test_a_connection_the_server_dropped_is_replaced(replied):
    """Core invalidates a connection whose server went away, so the pool makes a new one; the
    cursor path must too, or the dead connection would go back to the pool."""
    author, _thread, _token = replied
    by_id = select(User.bio).where(User.id == bindparam("user_id"))
    with app_context():
        connection = db.session.connection()
        end_backend(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar())
        with pytest.raises(exc.OperationalError) as raised:
            read_columns(by_id, {"user_id": author.id})
        assert raised.value.connection_invalidated and connection.invalidated
    with app_context(), transaction():
        assert read_columns(by_id, {"user_id": author.id}).scalar() == ""


@on_a_server
def test_a_pooled_connection_the_server_dropped_is_not_lent(replied):
    """The pool tests a connection before lending it (pool_pre_ping): one that died while idle
    in the pool fails no request."""
    author, _thread, _token = replied
    by_id = select(User.bio).where(User.id == bindparam("user_id"))
    with app_context():
        backend = db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with app_context():
        end_backend(backend)
    with app_context(), transaction():
        assert read_columns(by_id, {"user_id": author.id}).scalar() == ""
        assert db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar() != (
            backend
        )
