"""Publishing: services record state changes on streams; the commit numbers and logs them.

A stream is an area room (its thread list), a thread (its posts), an expert unit (its queue),
a person (their notifications), an area (its moderators' queue of flags) or a proposal draft
(its page), or a meeting (its agenda and questions). Services call
``publish()`` inside the caller's transaction. Just before that transaction commits, each
stream's events get the stream's next numbers under the stream's row lock (so seq order is
commit order and a gap is always visible), the log gets one row per event (name, subject id,
seq: never what anyone wrote), and the data to send is serialised once.
forum/realtime/dispatch.py sends it after the commit; a rollback sends nothing.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import TextClause, delete, event, select, text
from sqlalchemy.orm import Session

from forum.extensions import db, read_columns, session_connection, utcnow, write_rows
from forum.realtime import events
from forum.realtime.models import Stream, StreamEvent
from forum.realtime.subjects import SUBJECTS
from forum.schemas import id_from_text

KINDS = ("room", "thread", "unit", "user", "area", "draft", "meeting")
# Keys of Session.info: what this transaction published, and what to send once it commits.
PENDING = "realtime_pending"
OUTBOX = "realtime_outbox"


@dataclass(frozen=True, order=True)
class StreamKey:
    kind: str
    target_id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.target_id}"

    @classmethod
    def parse(cls, name: str) -> StreamKey:
        kind, _, target = name.partition(":")
        target_id = id_from_text(target)
        if kind not in KINDS or target_id is None:
            raise ValueError(f"not a stream: {name!r}")
        return cls(kind, target_id)


def room_stream(room_id: int) -> StreamKey:
    return StreamKey("room", room_id)


def thread_stream(thread_id: int) -> StreamKey:
    return StreamKey("thread", thread_id)


def unit_stream(unit_id: int) -> StreamKey:
    return StreamKey("unit", unit_id)


def user_stream(user_id: int) -> StreamKey:
    return StreamKey("user", user_id)


def area_stream(area_id: int) -> StreamKey:
    """An area's moderation stream (its flag queue): for the area's moderators only."""
    return StreamKey("area", area_id)


def draft_stream(draft_id: int) -> StreamKey:
    """A draft's own stream: its page follows status, revisions and reviews."""
    return StreamKey("draft", draft_id)


def meeting_stream(meeting_id: int) -> StreamKey:
    """A meeting's own stream: its status, current agenda item, questions and who is here."""
    return StreamKey("meeting", meeting_id)


@dataclass(frozen=True)
class Published:
    key: StreamKey
    name: str
    subject: object  # the ORM object the event is about


@dataclass(frozen=True)
class Delivery:
    channel: str
    name: str
    data: dict


def publish(name: str, key: StreamKey, subject) -> None:
    """Record a state change of the stream in the current transaction; it is sent on commit."""
    try:
        event_type = events.EVENTS[name]
    except KeyError:
        raise ValueError(f"{name} is not a published event") from None
    if not isinstance(subject, SUBJECTS[event_type.subject].model):
        raise TypeError(f"{name} is about a {event_type.subject}, not {type(subject).__name__}")
    db.session.info.setdefault(PENDING, []).append(Published(key, name, subject))


def last_seq(key: StreamKey) -> int:
    """The stream's latest seq (0 before any event): what a page rendered now is up to."""
    value = db.session.scalar(
        select(Stream.last_seq).where(Stream.kind == key.kind, Stream.target_id == key.target_id)
    )
    return value or 0


def event_payload(name: str, key: StreamKey, seq: int, subject, viewer, memo: dict):
    """An event's data, with its subject as the viewer may see it (an events.Envelope)."""
    fields = SUBJECTS[events.EVENTS[name].subject].fields(subject, viewer, memo)
    return events.EVENTS[name].payload(stream=str(key), seq=seq, **fields)


# Built once: SQLAlchemy computes a statement's cache key once per statement object.
_LOG_EVENTS = StreamEvent.__table__.insert()


@functools.lru_cache(maxsize=64)
def _reserve_statement(streams: int) -> TextClause:
    """The upsert that numbers events on `streams` streams at once.

    Written as text, the same for SQLite and PostgreSQL: SQLAlchemy cannot cache the compiled
    form of its dialects' ON CONFLICT constructs, and compiling one cost more than the rest of
    the numbering. Rows are listed in key order, the order they are locked in.
    """
    table = Stream.__table__.name
    rows = ", ".join(f"(:kind{i}, :target{i}, :count{i})" for i in range(streams))
    return text(
        f"INSERT INTO {table} (kind, target_id, last_seq) VALUES {rows} "
        f"ON CONFLICT (kind, target_id) DO UPDATE SET last_seq = {table}.last_seq + "
        "excluded.last_seq RETURNING kind, target_id, id, last_seq"
    )


def _reserve(session: Session, counts: dict[StreamKey, int]) -> dict[StreamKey, tuple[int, int]]:
    """Take each stream's next `count` numbers: stream → (stream id, the last of them).

    One statement for all the streams, that creates each one or bumps it; the rows stay locked
    until commit.
    """
    dialect = session_connection(session).dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"streams need SQLite or PostgreSQL, not {dialect}")
    params = {}
    for i, (key, count) in enumerate(sorted(counts.items())):
        params |= {f"kind{i}": key.kind, f"target{i}": key.target_id, f"count{i}": count}
    rows = read_columns(_reserve_statement(len(counts)), params, session)
    return {
        StreamKey(kind, target_id): (stream_id, last) for kind, target_id, stream_id, last in rows
    }


@event.listens_for(Session, "before_commit")
def _number_published_events(session: Session) -> None:
    """Number the transaction's events on their streams and log them: two statements however
    many streams and events; then build each event's payload once, as its data to send."""
    pending: list[Published] = session.info.pop(PENDING, None)
    if not pending:
        return
    session.flush()  # the subjects' ids, and their state as committed
    # Both statements below go straight to the session's connection (flushed just above): the
    # ORM's and Core's work around a statement cost more than the statements, on every write.
    by_stream: dict[StreamKey, list[Published]] = defaultdict(list)
    for published in pending:
        by_stream[published.key].append(published)
    # Streams are always locked in the same order, so two transactions never wait on each other.
    reserved = _reserve(session, {key: len(items) for key, items in by_stream.items()})
    numbered: list[tuple[StreamKey, int, Published]] = []
    for key in sorted(by_stream):
        items = by_stream[key]
        _stream_id, last = reserved[key]
        numbered += [
            (key, seq, published)
            for seq, published in enumerate(items, start=last - len(items) + 1)
        ]
    write_rows(
        _LOG_EVENTS,
        [
            {
                "stream_id": reserved[key][0],
                "seq": seq,
                "name": published.name,
                "subject_id": published.subject.id,
                "created_at": utcnow(),
            }
            for key, seq, published in numbered
        ],
        session,
    )
    outbox = session.info.setdefault(OUTBOX, [])
    memo: dict = {}
    for key, seq, published in numbered:
        viewer = SUBJECTS[events.EVENTS[published.name].subject].live_viewer(published.subject)
        payload = event_payload(published.name, key, seq, published.subject, viewer, memo)
        outbox.append(Delivery(str(key), published.name, payload.model_dump(mode="json")))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """What a transaction published and did not commit is dropped with it."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(OUTBOX, None)


PRUNE_BATCH = 5_000


def prune_events(cutoff: datetime, limit: int = PRUNE_BATCH) -> int:
    """Delete up to `limit` logged events older than the cutoff; how many went.

    The caller commits each batch, so no statement holds the database (or, under eventlet, the
    event loop) for long. A client whose `after` is older than the log gets "reload".
    """
    batch = select(StreamEvent.id).where(StreamEvent.created_at < cutoff).limit(limit)
    result = db.session.execute(
        delete(StreamEvent)
        .where(StreamEvent.id.in_(batch))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
