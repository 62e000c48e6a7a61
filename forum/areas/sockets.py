"""Socket.IO: connecting, and following a room or a thread (with catch-up after a seq)."""

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from forum import realtime
from forum.discussion.services import access_room, access_thread
from forum.errors import socket_errors
from forum.extensions import socketio
from forum.inputs import id_field, payload, seq_field


def presence():
    return current_app.extensions["presence"]


@socketio.on("connect")
def connect(auth=None):
    """Guests may connect to read; the session's login (Flask-Login) says who else is here."""
    who = None
    if current_user.is_authenticated:
        who = {"id": current_user.id, "display_name": current_user.display_name}
    presence().connect(request.sid, who)


@socketio.on("disconnect")
def disconnect(reason=None):
    presence().disconnect(request.sid)


def _channel_of(data: dict):
    """The channel the payload names, authorised like HTTP: (channel, room_id, thread_id, seq)."""
    thread_id = id_field(data, "thread_id")
    if thread_id is not None:
        thread = access_thread(current_user, thread_id)
        return realtime.thread_channel(thread.id), thread.room_id, thread.id, thread.last_event_seq
    room = access_room(current_user, id_field(data, "room_id", required=True))
    return realtime.room_channel(room.id), room.id, None, room.last_event_seq


@socketio.on(realtime.JOIN)
@socket_errors
def join(data):
    """Follow a room or thread; with `after`, first get every event since that seq, in order.

    Joining comes before the catch-up query, so nothing falls between them; an event that is
    both live and in the catch-up is told apart by its seq.
    """
    data = payload(data)
    after = seq_field(data, "after")
    channel, room_id, thread_id, last_seq = _channel_of(data)
    join_room(channel)
    presence().join(channel, request.sid)
    events, complete = [], True
    if after is not None:
        events, complete = realtime.events_after(room_id, after, thread_id)
    return {
        "channel": channel,
        "events": events,
        "complete": complete,
        "last_seq": last_seq,
        "presence": presence().snapshot(channel),
    }


@socketio.on(realtime.LEAVE)
@socket_errors
def leave(data):
    channel = _channel_of(payload(data))[0]
    leave_room(channel)
    presence().leave(channel, request.sid)
    return {"channel": channel}
