"""Socket.IO: replying and "X is writing…" in a thread."""

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import rooms

from forum import realtime
from forum.areas.sockets import presence
from forum.discussion import services
from forum.errors import Forbidden, NotAuthenticated, socket_errors
from forum.extensions import socketio
from forum.inputs import id_field, payload, text_field


@socketio.on(realtime.POST_REPLY)
@socket_errors
def post_reply(data):
    """The same service as the HTTP form and the API: same checks, same limits, same errors."""
    data = payload(data)
    post = services.create_reply(
        current_user,
        id_field(data, "thread_id", required=True),
        text_field(data, "body"),
        id_field(data, "parent_id"),
    )
    return {"post_id": post.id, "seq": post.thread.last_event_seq}


@socketio.on(realtime.TYPING_STARTED)
@socket_errors
def typing(data):
    """Tell the thread someone is writing; throttled, and only in a thread joined through policy."""
    thread_id = id_field(payload(data), "thread_id", required=True)
    who = presence().who(request.sid)
    if who is None:
        raise NotAuthenticated(_("Log in to take part in the discussion."))
    channel = realtime.thread_channel(thread_id)
    if channel not in rooms():
        raise Forbidden(_("Join the thread first."))
    sent = presence().may_signal_typing(request.sid, thread_id)
    if sent:
        data = {"thread_id": thread_id, "user": who}
        realtime.signal(realtime.TYPING, channel, data, skip_sid=request.sid)
    return {"sent": sent}
