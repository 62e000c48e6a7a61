"""Sending, after the commit: the only code that emits Socket.IO events.

When a transaction commits, its sockets that lost a right are first taken off the streams they
may no longer read (or closed, when their login ended), then its published events are sent in
order. A failure to send is logged, never raised: the data is durable, and clients recover what
they missed through the stream's sequence numbers. A rollback sends nothing.

Under eventlet the sending happens after the response, not in it: the commit hands its batch to
one sender greenthread, which sends batches in commit order. So the author's request returns as
soon as its transaction has committed, whether ten or a thousand people follow the thread, and a
broadcast to a big room no longer delays the response that caused it. With
``SOCKETIO_ASYNC_MODE=threading`` (the tests' Socket.IO test client) a batch is sent in the
commit itself, as before: the test client reads what was sent right after the request.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from forum.extensions import db, socketio
from forum.realtime import events
from forum.realtime.streams import OUTBOX
from forum.schemas import Shape

log = logging.getLogger(__name__)

# Session.info keys: what the commit must do to this worker's sockets before its events go out;
# what it changed about rights, for the other workers (ids; with a message queue only); the place
# its batch took in the sending order.
REVOCATIONS = "realtime_revocations"
ACCESS_CHANGED = "realtime_access_changed"
PLACE = "realtime_place"


def signal(
    name: str, to: str, data: Shape | None, skip_sid: str | None = None, local: bool = False
) -> None:
    """Send a signal (presence, typing, stream_closed) now: no state changed, no commit to wait.
    `local`: to this worker's sockets only, not through the message queue."""
    if data is None:
        return
    if not isinstance(data, events.SIGNALS[name]):
        raise TypeError(f"{name} carries {events.SIGNALS[name].__name__}")
    options = {"ignore_queue": True} if local else {}
    try:
        socketio.emit(name, data.model_dump(mode="json"), to=to, skip_sid=skip_sid, **options)
    except Exception:
        log.exception("sending the %s signal to %s failed", name, to)


def presence_changed(channels: list[str]) -> None:
    """Tell the other workers that this worker's sockets came or went on these channels."""
    publish = getattr(socketio.server.manager, "publish_presence_changed", None)
    if publish is not None:
        publish(channels)


@dataclass
class Batch:
    """What one commit sends: revoked access first (the other workers told before this one
    applies its own), then its events in publication order."""

    app: Flask | None  # for the connections registry; None outside an app context
    revocations: dict = field(default_factory=dict)
    outbox: list = field(default_factory=list)
    access_changed: dict | None = None  # for the other workers, through the message queue

    def send(self) -> None:
        if self.access_changed:
            publish = getattr(socketio.server.manager, "publish_access_changed", None)
            if publish is not None:  # a message queue (forum/realtime/message_queue.py)
                publish(self.access_changed)
        if self.revocations and self.app is not None:
            try:
                with self.app.app_context():
                    apply_revocations(self.app.extensions["connections"], self.revocations)
            except Exception:
                log.exception("applying revoked access failed")
        for delivery in self.outbox:
            try:
                socketio.emit(delivery.name, delivery.data, to=delivery.channel)
            except Exception:
                log.exception("sending %s to %s failed", delivery.name, delivery.channel)


def apply_revocations(connections, revocations: dict) -> None:
    """Close this worker's sockets of ended logins; take its sockets off streams they lost."""
    for sid in revocations.get("disconnect", ()):
        try:
            socketio.server.disconnect(sid, namespace="/")
        except Exception:
            log.exception("closing socket %s failed", sid)
        connections.disconnect(sid)
    for sid, channel in revocations.get("leave", ()):
        try:
            socketio.server.leave_room(sid, channel, namespace="/")
        except Exception:
            log.exception("taking socket %s off %s failed", sid, channel)
        connections.leave(sid, channel)
        closed = events.StreamClosedSignal(stream=channel, reason="access_withdrawn")
        signal(events.STREAM_CLOSED, sid, closed)


def resend_last_events(app: Flask) -> None:
    """Send each stream this worker's sockets follow its newest event again, to this worker's
    sockets only: after events may have been lost on the way (a Redis outage), a client that
    missed some sees a gap in the seq and catches up; one that missed none drops it as seen."""
    from forum.realtime.catchup import last_event  # imported here: catchup imports services
    from forum.realtime.streams import StreamKey

    with app.app_context():
        try:
            for channel in app.extensions["connections"].channels():
                last = last_event(StreamKey.parse(channel))
                if last is None:
                    continue
                name, data = last
                try:
                    socketio.emit(name, data.model_dump(mode="json"), to=channel, ignore_queue=True)
                except Exception:
                    log.exception("sending %s to %s again failed", name, channel)
        finally:
            db.session.rollback()  # read only


@dataclass(eq=False)
class Place:
    """A batch's place in the sending order, taken when its events were numbered."""

    taken_at: float = field(default_factory=time.monotonic)
    batch: Batch | None = None
    dropped: bool = False


class Sender:
    """One background task that sends committed batches in the order their events were numbered.

    Only one task ever sends, so no two broadcasts interleave on a connection. A transaction
    takes its place in line when its events get their numbers (before its commit, with the
    streams' rows locked), and its batch goes out when every batch ahead of it has gone or been
    dropped. The numbers, not the commits' return, set the order: with a database driver that
    waits on the hub (psycopg2 under eventlet), two commits may return in either order, and a
    thread's readers would otherwise see seq 6 before 5 and all ask to catch up at once.
    The task is started with the first batch, through the Socket.IO server, so it is a
    greenthread under eventlet.
    """

    # A place whose transaction neither commits nor rolls back within this long (its greenthread
    # killed mid-commit) stops holding the line: later batches must not wait for ever.
    ABANDONED_SECONDS = 10.0

    def __init__(self):
        self.queue = None
        self.task = None
        self.sent = 0  # batches sent since start (tests wait on it)
        self.line: deque[Place] = deque()

    def take_place(self) -> Place:
        place = Place()
        self.line.append(place)
        return place

    def submit(self, batch: Batch, place: Place | None = None) -> None:
        if self.task is None:
            self.queue = socketio.server.eio.create_queue()
            self.task = socketio.start_background_task(self._run)
        place = place or self.take_place()
        place.batch = batch
        self._release()

    def drop(self, place: Place) -> None:
        """The transaction that took this place rolled back: nothing of it is sent."""
        place.dropped = True
        self._release()

    def _release(self) -> None:
        """Hand the batches at the head of the line, whose turn has come, to the sending task."""
        line = self.line
        while line:
            head = line[0]
            if head.batch is None and not head.dropped:
                if time.monotonic() - head.taken_at < self.ABANDONED_SECONDS:
                    return
                log.warning("a numbered batch was never committed nor rolled back: skipped")
            line.popleft()
            if head.batch is not None:
                self.queue.put(head.batch)

    def _run(self) -> None:
        while True:
            batch = self.queue.get()
            try:
                batch.send()
            except Exception:  # Batch.send logs its own failures; this keeps the sender alive
                log.exception("sending a committed batch failed")
            self.sent += 1
            self.queue.task_done()
            # The next batch may be waiting already (two commits that returned together): the
            # loop serves everyone else before it, so no two broadcasts hold it in one go.
            socketio.sleep(0)

    def pending(self) -> int:
        return self.queue.qsize() if self.queue is not None else 0


sender = Sender()


def after_response() -> bool:
    """Whether batches are sent by the sender task (eventlet) or in the commit (threading)."""
    return socketio.server is not None and socketio.server.async_mode == "eventlet"


# Registered after streams' own before_commit hook (this module imports streams), so it runs
# once the transaction's events have their numbers.
@event.listens_for(Session, "before_commit")
def _take_place(session: Session) -> None:
    if session.info.get(OUTBOX) and after_response():
        session.info[PLACE] = sender.take_place()


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    revocations = session.info.pop(REVOCATIONS, None)
    outbox = session.info.pop(OUTBOX, None)
    access_changed = session.info.pop(ACCESS_CHANGED, None)
    place = session.info.pop(PLACE, None)
    if not revocations and not outbox and not access_changed:
        if place is not None:
            sender.drop(place)
        return
    app = current_app._get_current_object() if has_app_context() else None
    batch = Batch(app, revocations or {}, outbox or [], access_changed)
    if after_response():
        sender.submit(batch, place)
    else:
        batch.send()


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """What a transaction meant to do to sockets and did not commit is dropped with it."""
    if transaction.parent is None:
        session.info.pop(REVOCATIONS, None)
        session.info.pop(ACCESS_CHANGED, None)
        place = session.info.pop(PLACE, None)
        if place is not None:  # numbered, then rolled back (or its commit failed)
            sender.drop(place)
