"""Socket.IO: connecting, and following a stream (with catch-up after a seq), leaving it.

A client never names a Socket.IO room: it asks to join a stream, the server asks the policy,
and only then puts the socket on it. Every event is handled in its own context with the
socket's own login, re-checked against the server's list of live logins.
"""

from collections import defaultdict
from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from forum.extensions import socketio
from forum.policy import can
from forum.realtime import events
from forum.realtime.catchup import authorize, catch_up
from forum.realtime.streams import StreamKey, room_stream, thread_stream
from forum.schemas import parse
from forum.transactions import socket_event

# What else joining a stream of a kind does, in the join's transaction: callback(viewer, target)
# with the object the stream follows (a meeting's stream records who attended, say; for a thread,
# its facts: forum/discussion/facts.py).
ON_JOIN: dict[str, list[Callable]] = defaultdict(list)


def on_join(kind: str) -> Callable:
    """Register a callback run when someone joins a stream of this kind."""

    def register(callback: Callable) -> Callable:
        ON_JOIN[kind].append(callback)
        return callback

    return register


def connections():
    return current_app.extensions["connections"]


def stream_of(request_: events.StreamRequest) -> StreamKey:
    if request_.thread_id is not None:
        return thread_stream(request_.thread_id)
    if request_.room_id is not None:
        return room_stream(request_.room_id)
    return StreamKey.parse(request_.stream)


@socketio.on("connect")
def connect(auth=None):
    """Guests may connect to read; the socket's own login says who else is here."""
    person, session_id = None, None
    if current_user.is_authenticated:
        person = {"id": current_user.id, "display_name": current_user.display_name}
        session_id = current_user.session_id
    connections().connect(request.sid, person, session_id)


@socketio.on("disconnect")
def disconnect(reason=None):
    connections().disconnect(request.sid)


@socketio.on(events.JOIN)
@socket_event
def join(data=None):
    """Follow a stream; with `after`, first get every event since that seq, in order.

    Joining comes before the catch-up query, so nothing falls between them; an event that is
    both live and in the catch-up is told apart by its seq.
    """
    asked = parse(events.JoinRequest, data)
    key = stream_of(asked)
    viewer = current_user._get_current_object()  # the policy asks it often: not via the proxy
    target = authorize(viewer, key)
    for callback in ON_JOIN.get(key.kind, ()):
        callback(viewer, target)
    channel = str(key)
    join_room(channel)
    connections().join(request.sid, channel)
    caught_up = catch_up(viewer, key, asked.after)
    return events.JoinAck(
        stream=channel,
        presence=connections().presence(channel),
        can_reply=can(viewer, "post.reply", target) if key.kind == "thread" else None,
        **dict(caught_up),
    ).model_dump(mode="json")


@socketio.on(events.LEAVE)
@socket_event
def leave(data=None):
    """Stop following a stream (leaving one never joined is no error)."""
    channel = str(stream_of(parse(events.StreamRequest, data)))
    leave_room(channel)
    connections().leave(request.sid, channel)
    return events.LeaveAck(stream=channel).model_dump(mode="json")
