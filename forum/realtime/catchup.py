"""Reading a stream: who may, and what they missed since a seq (over a socket or HTTP)."""

from __future__ import annotations

import functools
from collections import defaultdict

from sqlalchemy import bindparam, select

from forum.accounts.models import ExpertUnit, User
from forum.areas.models import Area
from forum.discussion.services import access_room, access_thread_facts
from forum.drafts.models import Draft
from forum.errors import DomainError
from forum.extensions import db, read_columns
from forum.meetings.models import Meeting
from forum.policy import ensure, refusal
from forum.realtime import events
from forum.realtime.models import Stream, StreamEvent
from forum.realtime.streams import StreamKey, event_payload
from forum.realtime.subjects import SUBJECTS

CATCH_UP_LIMIT = 500


def authorize(viewer, key: StreamKey):
    """The object the stream follows (a thread's facts only, forum/discussion/facts.py), if the
    viewer may read the stream; else the policy's error."""
    if key.kind == "room":
        return access_room(viewer, key.target_id)
    if key.kind == "thread":
        return access_thread_facts(viewer, key.target_id)
    model, action = {
        "unit": (ExpertUnit, "unit.read_queue"),
        "user": (User, "user.read_stream"),
        "area": (Area, "area.moderate"),
        "draft": (Draft, "draft.read"),
        "meeting": (Meeting, "meeting.read"),
    }[key.kind]
    target = db.session.get(model, key.target_id)
    if target is None:  # in the words of the policy's refusal of an unreadable one
        raise refusal("not_found", model())
    ensure(viewer, action, target)
    return target


def may_read(viewer, key: StreamKey) -> bool:
    try:
        authorize(viewer, key)
    except DomainError:
        return False
    return True


@functools.cache
def _stream_query():
    """The stream's id and last seq, on every join: built once, so its cache key is too."""
    return select(Stream.id, Stream.last_seq).where(
        Stream.kind == bindparam("kind"), Stream.target_id == bindparam("target_id")
    )


def catch_up(viewer, key: StreamKey, after: int | None) -> events.CatchUp:
    """The stream's events after a seq, as the viewer may see their subjects now.

    `after` None: nothing to catch up, just the stream's last seq. If the log no longer holds
    the event right after `after` (pruned, or a number from another database), the answer is
    "reload": the client refetches the state instead.
    """
    stream = read_columns(
        _stream_query(), {"kind": key.kind, "target_id": key.target_id}
    ).one_or_none()
    stream_id, last = stream if stream else (None, 0)
    if after is None or after == last:
        return events.CatchUp(events=[], complete=True, reload=False, last_seq=last)
    reload = events.CatchUp(events=[], complete=True, reload=True, last_seq=last)
    if after > last or stream_id is None:
        return reload
    rows = db.session.execute(
        select(StreamEvent.seq, StreamEvent.name, StreamEvent.subject_id)
        .where(StreamEvent.stream_id == stream_id, StreamEvent.seq > after)
        .order_by(StreamEvent.seq)
        .limit(CATCH_UP_LIMIT + 1)
    ).all()
    if not rows or rows[0].seq != after + 1:
        return reload
    complete = len(rows) <= CATCH_UP_LIMIT
    rows = rows[:CATCH_UP_LIMIT]
    subjects = _load_subjects(rows)
    if subjects is None:
        return reload
    memo: dict = {}
    caught_up = [
        events.CAUGHT_UP[row.name](
            name=row.name,
            data=event_payload(
                row.name, key, row.seq, subjects[row.name, row.subject_id], viewer, memo
            ),
        )
        for row in rows
    ]
    # Shapes made once: the answer holding them takes them as they are, and is dumped once.
    return events.CatchUp(events=caught_up, complete=complete, reload=False, last_seq=last)


def _load_subjects(rows) -> dict | None:
    """Each row's subject, loaded in one query per kind; None if one no longer exists."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        wanted[events.EVENTS[row.name].subject].add(row.subject_id)
    loaded = {kind: SUBJECTS[kind].load(sorted(ids)) for kind, ids in wanted.items()}
    found = {}
    for row in rows:
        subject = loaded[events.EVENTS[row.name].subject].get(row.subject_id)
        if subject is None:
            return None
        found[row.name, row.subject_id] = subject
    return found


def last_event(key: StreamKey) -> tuple[str, events.Envelope] | None:
    """The stream's newest logged event as a live event shows it (name, data); None if the
    stream has none or its subject is gone."""
    stream = read_columns(
        _stream_query(), {"kind": key.kind, "target_id": key.target_id}
    ).one_or_none()
    if stream is None or not stream.last_seq:
        return None
    row = db.session.execute(
        select(StreamEvent.seq, StreamEvent.name, StreamEvent.subject_id).where(
            StreamEvent.stream_id == stream.id, StreamEvent.seq == stream.last_seq
        )
    ).one_or_none()
    subjects = _load_subjects([row]) if row is not None else None
    if not subjects:
        return None
    subject = subjects[row.name, row.subject_id]
    viewer = SUBJECTS[events.EVENTS[row.name].subject].live_viewer(subject)
    return row.name, event_payload(row.name, key, row.seq, subject, viewer, {})
