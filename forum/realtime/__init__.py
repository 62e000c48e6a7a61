"""Real-time events: every name, every payload type, and the one module that emits them.

State changes are *published* by the services inside their transaction: publish() numbers the
event in its room's sequence and records it in the room's event log, and the event goes out only
once the transaction commits (a rollback sends nothing). Presence and typing are *signals*: they
change no state, are never logged and carry no sequence number.

Socket.IO rooms are named by the server, never by a client: ``room:<id>`` gets every event of a
forum room (its thread list and presence), ``thread:<id>`` the events of one thread.

Wire format of a published event (the data of the Socket.IO event of that name)::

    {"seq": 42, "room_id": 3, "thread_id": 7, "thread_prev_seq": 40, "post": {...}}

``seq`` increases by one with every event of the room, so a client on a room page sees any gap.
``thread_prev_seq`` is the seq of the thread's previous event, so a client that follows one thread
sees a gap too. A client that finds one asks for the events after the last seq it applied.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from forum.areas.models import Room, RoomEvent
from forum.extensions import db, socketio

# Server → client, state changes (published, numbered, logged).
THREAD_CREATED = "thread_created"
THREAD_UPDATED = "thread_updated"
POST_CREATED = "post_created"
POST_UPDATED = "post_updated"
POST_DELETED = "post_deleted"
# Server → client, signals (not logged).
PRESENCE = "presence"
TYPING = "typing"
# Client → server.
JOIN = "join"
LEAVE = "leave"
TYPING_STARTED = "typing"
POST_REPLY = "post_reply"


class ThreadData(TypedDict):
    thread: dict  # serialize.thread()


class PostData(TypedDict):
    post: dict  # serialize.post()


class PresenceData(TypedDict):
    channel: str
    count: int  # open connections, guests included
    guests: int
    users: list[dict]  # {"id", "display_name"} of each logged-in user, once


class TypingData(TypedDict):
    thread_id: int
    user: dict  # {"id", "display_name"}


PAYLOADS: dict[str, type] = {
    THREAD_CREATED: ThreadData,
    THREAD_UPDATED: ThreadData,
    POST_CREATED: PostData,
    POST_UPDATED: PostData,
    POST_DELETED: PostData,
    PRESENCE: PresenceData,
    TYPING: TypingData,
}
PUBLISHED = (THREAD_CREATED, THREAD_UPDATED, POST_CREATED, POST_UPDATED, POST_DELETED)
CATCH_UP_LIMIT = 500


def room_channel(room_id: int) -> str:
    return f"room:{room_id}"


def thread_channel(thread_id: int) -> str:
    return f"thread:{thread_id}"


def _check_payload(name: str, data: dict) -> None:
    """An undeclared event or field is a bug, caught where it is made."""
    declared = PAYLOADS[name].__annotations__
    if set(data) != set(declared):
        raise TypeError(f"{name} payload has {sorted(data)}, declared {sorted(declared)}")


def publish(name: str, room_id: int, data: dict, thread=None) -> dict:
    """Number and log a state change of the room in the current transaction; send it on commit."""
    if name not in PUBLISHED:
        raise ValueError(f"{name} is not a published event")
    _check_payload(name, data)
    # The row lock on the room orders its events: seq order is commit order.
    seq = db.session.execute(
        update(Room)
        .where(Room.id == room_id)
        .values(last_event_seq=Room.last_event_seq + 1)
        .returning(Room.last_event_seq)
    ).scalar_one()
    thread_prev_seq = None
    if thread is not None:
        thread_prev_seq, thread.last_event_seq = thread.last_event_seq, seq
    message = {
        "seq": seq,
        "room_id": room_id,
        "thread_id": thread.id if thread is not None else None,
        "thread_prev_seq": thread_prev_seq,
    } | data
    db.session.add(
        RoomEvent(
            room_id=room_id,
            seq=seq,
            thread_id=message["thread_id"],
            thread_prev_seq=thread_prev_seq,
            name=name,
            payload=message,
        )
    )
    channels = [room_channel(room_id)]
    if thread is not None:
        channels.append(thread_channel(thread.id))
    db.session.info.setdefault("outbox", []).append((name, message, channels))
    return message


def signal(name: str, channel: str, data: dict, skip_sid: str | None = None) -> None:
    """Send a signal (presence, typing) now: it changes no state, so there is no commit to wait."""
    _check_payload(name, data)
    socketio.emit(name, data, to=channel, skip_sid=skip_sid)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    for name, message, channels in session.info.pop("outbox", ()):
        # One emit for both channels: a client in both gets the event once.
        socketio.emit(name, message, to=channels)


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop("outbox", None)


def events_after(room_id: int, after: int, thread_id: int | None = None) -> tuple[list[dict], bool]:
    """The room's logged events after a seq, oldest first (one thread's only, if given).

    At most CATCH_UP_LIMIT at a time; the flag says whether that was all of them.
    """
    query = select(RoomEvent.name, RoomEvent.payload).where(
        RoomEvent.room_id == room_id, RoomEvent.seq > after
    )
    if thread_id is not None:
        query = query.where(RoomEvent.thread_id == thread_id)
    rows = db.session.execute(query.order_by(RoomEvent.seq).limit(CATCH_UP_LIMIT + 1)).all()
    events = [{"name": name, "data": payload} for name, payload in rows[:CATCH_UP_LIMIT]]
    return events, len(rows) <= CATCH_UP_LIMIT
