"""Sending, after the commit: the only code that emits Socket.IO events.

When a transaction commits, its sockets that lost a right are first taken off the streams they
may no longer read (or closed, when their login ended), then its published events are sent in
order. A failure to send is logged, never raised: the data is durable, and clients recover what
they missed through the stream's sequence numbers. A rollback sends nothing.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from forum.extensions import socketio
from forum.realtime import events
from forum.realtime.streams import OUTBOX
from forum.schemas import Shape

log = logging.getLogger(__name__)

# Session.info key: what the commit must do to sockets before its events go out.
REVOCATIONS = "realtime_revocations"


def signal(name: str, to: str, data: Shape | None, skip_sid: str | None = None) -> None:
    """Send a signal (presence, typing, stream_closed) now: no state changed, no commit to wait."""
    if data is None:
        return
    if not isinstance(data, events.SIGNALS[name]):
        raise TypeError(f"{name} carries {events.SIGNALS[name].__name__}")
    try:
        socketio.emit(name, data.model_dump(mode="json"), to=to, skip_sid=skip_sid)
    except Exception:
        log.exception("sending the %s signal to %s failed", name, to)


def _connections():
    return current_app.extensions["connections"]


def _apply(revocations: dict) -> None:
    connections = _connections()
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


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    revocations = session.info.pop(REVOCATIONS, None)
    outbox = session.info.pop(OUTBOX, None)
    if revocations:
        try:
            _apply(revocations)
        except Exception:
            log.exception("applying revoked access failed")
    for delivery in outbox or ():
        try:
            socketio.emit(delivery.name, delivery.data, to=delivery.channel)
        except Exception:
            log.exception("sending %s to %s failed", delivery.name, delivery.channel)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """What a transaction meant to do to sockets and did not commit is dropped with it."""
    if transaction.parent is None:
        session.info.pop(REVOCATIONS, None)
