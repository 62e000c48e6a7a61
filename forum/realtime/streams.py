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

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from forum.extensions import db
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


def _reserve(session: Session, key: StreamKey, count: int) -> tuple[int, int]:
    """Take the stream's next `count` numbers: (stream id, the last of them).

    One statement that creates the stream or bumps it; the row stays locked until commit.
    """
    dialects = {"sqlite": sqlite, "postgresql": postgresql}
    dialect = session.get_bind().dialect.name
    if dialect not in dialects:
        raise NotImplementedError(f"streams need SQLite or PostgreSQL, not {dialect}")
    table = Stream.__table__
    statement = (
        dialects[dialect]
        .insert(table)
        .values(kind=key.kind, target_id=key.target_id, last_seq=count)
        .on_conflict_do_update(
            index_elements=["kind", "target_id"], set_={"last_seq": table.c.last_seq + count}
        )
        .returning(table.c.id, table.c.last_seq)
    )
    stream_id, last = session.execute(statement).one()
    return stream_id, last


@event.listens_for(Session, "before_commit")
def _number_published_events(session: Session) -> None:
    pending: list[Published] = session.info.pop(PENDING, None)
    if not pending:
        return
    session.flush()  # the subjects' ids, and their state as committed
    by_stream: dict[StreamKey, list[Published]] = defaultdict(list)
    for published in pending:
        by_stream[published.key].append(published)
    outbox = session.info.setdefault(OUTBOX, [])
    memo: dict = {}
    # Streams are always locked in the same order, so two transactions never wait on each other.
    for key in sorted(by_stream):
        items = by_stream[key]
        stream_id, last = _reserve(session, key, len(items))
        for seq, published in enumerate(items, start=last - len(items) + 1):
            session.add(
                StreamEvent(
                    stream_id=stream_id,
                    seq=seq,
                    name=published.name,
                    subject_id=published.subject.id,
                )
            )
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
