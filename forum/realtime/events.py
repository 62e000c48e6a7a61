"""Every Socket.IO event name and the shape of its data: the one registry.

*Published* events change state. Each goes to one stream, gets the next number of that stream,
and is logged (name, subject id, seq) so a client that missed it can catch up; its data is the
envelope ``{"stream": "thread:7", "seq": 42}`` plus the object it is about, as the reader may
see it. *Signals* (presence, typing, stream_closed) change no state: never logged or numbered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Union

from pydantic import Field, create_model, model_validator

from forum.accounts.schemas import Person
from forum.discussion.schemas import Body, Post, Thread
from forum.drafts.schemas import DraftSummary
from forum.flags.schemas import Flag
from forum.idempotency import Key
from forum.meetings.schemas import MeetingSummary, Question
from forum.notifications.schemas import Notification
from forum.reviews.schemas import Review
from forum.schemas import MAX_ID, Count, Id, Input, Seq, Shape
from forum.units.schemas import QueueItem

STREAM_PATTERN = r"^(room|thread|unit|user|area|draft|meeting):[1-9][0-9]{0,18}$"
StreamName = Annotated[
    str,
    Field(
        pattern=STREAM_PATTERN,
        description='A stream: "room:3", "thread:7", "unit:2", "user:5", "area:4", "draft:6", '
        '"meeting:8".',
    ),
]

# Server → client, published (numbered, logged, caught up).
THREAD_CREATED = "thread_created"
THREAD_UPDATED = "thread_updated"
POST_CREATED = "post_created"
POST_UPDATED = "post_updated"
POST_DELETED = "post_deleted"
POST_HIDDEN = "post_hidden"
POST_RESTORED = "post_restored"
NOTIFICATION = "notification"
NOTIFICATIONS_READ = "notifications_read"
FLAG_RAISED = "flag_raised"
FLAG_RESOLVED = "flag_resolved"
DRAFT_UPDATED = "draft_updated"
REVIEW_ADDED = "review_added"
QUEUE_UPDATED = "queue_updated"
MEETING_UPDATED = "meeting_updated"
QUESTION_ASKED = "question_asked"
QUESTION_UPDATED = "question_updated"
# Server → client, signals.
PRESENCE = "presence"
TYPING = "typing"
STREAM_CLOSED = "stream_closed"
# Client → server.
JOIN = "join"
LEAVE = "leave"
TYPING_STARTED = "typing"
POST_REPLY = "post_reply"
CLIENT_EVENTS = (JOIN, LEAVE, TYPING_STARTED, POST_REPLY)


class Envelope(Shape):
    stream: StreamName
    seq: Seq = Field(ge=1, description="One more than the stream's previous event.")


class PostEvent(Envelope):
    post: Post


class ThreadEvent(Envelope):
    thread: Thread


class NotificationEvent(Envelope):
    notification: Notification
    unread: Count = Field(description="The person's unread notifications now.")


class UnreadEvent(Envelope):
    unread: Count


class FlagEvent(Envelope):
    """On an area's stream: a flag raised, or resolved, in the area or an area within it."""

    flag: Flag


class DraftEvent(Envelope):
    """A draft changed (saved, moved, tagged, supported …): on its own stream, on the stream of
    the thread it came from, and on the queues of the units it is tagged for."""

    draft: DraftSummary


class ReviewEvent(Envelope):
    """A unit reviewed a draft, or the authors decided on a change it proposed: on the draft's
    stream and the unit's queue."""

    review: Review


class QueueEvent(Envelope):
    """An item of a unit's queue was added, claimed, given back or removed."""

    item: QueueItem


class MeetingEvent(Envelope):
    """A meeting was scheduled or changed, moved to another agenda item, cancelled, or its
    minutes came out: on its own stream and on its room's."""

    meeting: MeetingSummary


class QuestionEvent(Envelope):
    """A quick question to a meeting's experts was asked, or marked answered (or not): on the
    meeting's stream."""

    question: Question


@dataclass(frozen=True)
class EventType:
    payload: type[Envelope]
    subject: str  # what the logged subject id names: a key of realtime.subjects.SUBJECTS


EVENTS: dict[str, EventType] = {
    THREAD_CREATED: EventType(ThreadEvent, "thread"),
    THREAD_UPDATED: EventType(ThreadEvent, "thread"),
    POST_CREATED: EventType(PostEvent, "post"),
    POST_UPDATED: EventType(PostEvent, "post"),
    POST_DELETED: EventType(PostEvent, "post"),
    POST_HIDDEN: EventType(PostEvent, "post"),
    POST_RESTORED: EventType(PostEvent, "post"),
    NOTIFICATION: EventType(NotificationEvent, "notification"),
    NOTIFICATIONS_READ: EventType(UnreadEvent, "user"),
    FLAG_RAISED: EventType(FlagEvent, "flag"),
    FLAG_RESOLVED: EventType(FlagEvent, "flag"),
    DRAFT_UPDATED: EventType(DraftEvent, "draft"),
    REVIEW_ADDED: EventType(ReviewEvent, "review"),
    QUEUE_UPDATED: EventType(QueueEvent, "queue_item"),
    MEETING_UPDATED: EventType(MeetingEvent, "meeting"),
    QUESTION_ASKED: EventType(QuestionEvent, "question"),
    QUESTION_UPDATED: EventType(QuestionEvent, "question"),
}


class PresenceSignal(Shape):
    """Who has a room, thread or meeting open now (on every worker, with a message queue)."""

    stream: StreamName
    count: Count = Field(description="Open connections, guests included.")
    guests: Count
    users: list[Person] = Field(
        description="Logged-in people, each once, the first 20 by name (others: the rest)."
    )
    others: Count = Field(description="Logged-in people here and not listed in users.")


class TypingSignal(Shape):
    stream: StreamName
    user: Person


class StreamClosedSignal(Shape):
    """The server took this connection off a stream it may no longer read."""

    stream: StreamName
    reason: Literal["access_withdrawn"]


SIGNALS: dict[str, type[Shape]] = {
    PRESENCE: PresenceSignal,
    TYPING: TypingSignal,
    STREAM_CLOSED: StreamClosedSignal,
}


def _caught_up_variant(name: str, event_type: EventType) -> type[Shape]:
    title = "".join(part.title() for part in name.split("_"))
    return create_model(
        f"{title}Event",
        __base__=Shape,
        name=(Literal[name], ...),  # type: ignore[valid-type]
        data=(event_type.payload, ...),
    )


# A caught-up event: {"name": ..., "data": ...} with data as sent live; one variant per name.
CAUGHT_UP: dict[str, type[Shape]] = {
    name: _caught_up_variant(name, kind) for name, kind in EVENTS.items()
}
CaughtUpEvent = Annotated[
    Union[tuple(CAUGHT_UP.values())],  # noqa: UP007
    Field(discriminator="name"),
]


class StreamRequest(Input):
    """Names one stream: as ``stream``, or (for rooms and threads) as ``room_id``/``thread_id``."""

    stream: StreamName | None = None
    room_id: Id | None = None
    thread_id: Id | None = None

    @model_validator(mode="after")
    def one_stream(self):
        if sum(value is not None for value in (self.stream, self.room_id, self.thread_id)) != 1:
            raise ValueError("name exactly one stream")
        if self.stream is not None and int(self.stream.partition(":")[2]) > MAX_ID:
            raise ValueError("no such stream")  # past 64 bits: names nothing
        return self


class JoinRequest(StreamRequest):
    after: Seq | None = Field(
        None, description="The last seq the client applied: it first gets every event since."
    )


class CatchUp(Shape):
    """The events of a stream after a seq, oldest first, re-read as the reader may see them now."""

    events: list[CaughtUpEvent]
    complete: bool = Field(description="False: ask again after the last event given.")
    reload: bool = Field(
        description="True: the log no longer reaches back to `after`; refetch the state instead."
    )
    last_seq: Seq = Field(description="The stream's latest seq now.")


class JoinAck(CatchUp):
    stream: StreamName
    presence: PresenceSignal | None = Field(description="For room, thread and meeting streams.")
    can_reply: bool | None = Field(
        description="For a thread stream: whether the viewer may reply now (else null)."
    )


class LeaveAck(Shape):
    stream: StreamName


class ReplyRequest(Input):
    thread_id: Id
    body: Body
    parent_id: Id | None = None
    idempotency_key: Key | None = None


class ReplyAck(Shape):
    post_id: Id
    post: Post = Field(description="The reply as its author sees it.")


class TypingRequest(Input):
    thread_id: Id


class TypingAck(Shape):
    sent: bool = Field(description="False when throttled (at most one signal every 3 s).")
