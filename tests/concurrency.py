"""Two transactions at once on separate connections, in an order the test chooses.

A writer runs a service in a thread of its own, in its own app context (so its own session and
its own connection from the pool) and its own transaction. A *held* writer stops after its
service, its statements sent and its row locks taken, until the test lets it commit; a second
writer started then runs into those locks, and the test waits until the database says it is
waiting (pg_stat_activity) before releasing the first. So each interleaving happens for real,
every time, with no sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import text

from forum.extensions import db
from tests.conftest import actor, wait_until

TIMEOUT = 30.0


class Writer:
    """A service run as a boundary runs it, on a thread and a connection of its own."""

    def __init__(self, app: Flask, service: Callable, user, *args):
        self.app = app
        self.call = lambda: service(actor(user), *args)
        self.hold = False  # holding() sets it
        self.result = None
        self.error: BaseException | None = None
        self.reached_commit = threading.Event()
        self.may_commit = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Writer:
        self.thread.start()
        return self

    def _run(self) -> None:
        with self.app.app_context():
            try:
                self.result = self.call()
                db.session.flush()
                self.reached_commit.set()
                if self.hold and not self.may_commit.wait(TIMEOUT):
                    raise TimeoutError("the test never let this writer commit")
                db.session.commit()
                self.result_id = getattr(self.result, "id", None)
            except BaseException as error:  # reported to the test by outcome()
                db.session.rollback()
                self.error = error
            finally:
                self.reached_commit.set()
                db.session.remove()
                self.done.set()

    def holding(self) -> Writer:
        """Started, and stopped before its commit with its locks taken."""
        self.hold = True
        self.start()
        assert self.reached_commit.wait(TIMEOUT), "the held writer never reached its commit"
        if self.error is not None:
            raise self.error
        return self

    def commit(self) -> Writer:
        self.may_commit.set()
        return self.finished()

    def finished(self) -> Writer:
        assert self.done.wait(TIMEOUT), "the writer did not finish"
        return self


def sessions_waiting_on_locks(app: Flask) -> int:
    """How many connections to this database wait for a lock another transaction holds."""
    with app.app_context():
        return db.session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def blocked_behind(app: Flask, held: Writer, service: Callable, user, *args) -> Writer:
    """A writer started while `held` holds its locks, once the database shows it waiting."""
    writer = Writer(app, service, user, *args).start()
    wait_until(
        lambda: sessions_waiting_on_locks(app) >= 1 or writer.done.is_set(),
        TIMEOUT,
        "second writer waiting on the first's lock",
    )
    assert not writer.done.is_set(), f"the second writer did not wait: {writer.error!r}"
    assert not held.done.is_set(), "the held writer let go of its locks too soon"
    return writer


def all_at_once(app: Flask, calls: list[tuple[Callable, object, tuple]]) -> list[Writer]:
    """Each (service, user, args) in a writer of its own, all let go at the same moment."""
    start = threading.Barrier(len(calls))
    writers = []
    for service, user, args in calls:

        def at_the_barrier(who, *rest, _service=service):
            start.wait(TIMEOUT)
            return _service(who, *rest)

        writers.append(Writer(app, at_the_barrier, user, *args).start())
    return [writer.finished() for writer in writers]
