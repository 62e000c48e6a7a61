"""Socket.IO: replying and "X is writing…" in a thread."""

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from forum import idempotency
from forum.accounts.schemas import person_view
from forum.discussion import services
from forum.discussion.schemas import post_view
from forum.errors import Forbidden
from forum.extensions import socketio
from forum.policy import ensure
from forum.realtime import dispatch, events
from forum.realtime.streams import thread_stream
from forum.schemas import parse
from forum.transactions import socket_event


@socketio.on(events.POST_REPLY)
@socket_event
def post_reply(data=None):
    """The same service as the HTTP form and the API: same checks, same limits, same errors.

    Sent again with the same idempotency key, it is acknowledged as the first time, writing
    nothing (forum/idempotency.py).
    """
    asked = parse(events.ReplyRequest, data)
    keyed = idempotency.keyed_socket_event(
        events.POST_REPLY,
        asked.idempotency_key,
        asked.model_dump_json(exclude={"idempotency_key"}),
    )
    claim = idempotency.claim(keyed) if keyed else None
    if claim is not None and claim.answered:
        return idempotency.replayed_ack(claim)
    post = services.create_reply(current_user, asked.thread_id, asked.body, asked.parent_id)
    ack = events.ReplyAck(post_id=post.id, post=post_view(post, current_user)).model_dump(
        mode="json"
    )
    if claim is not None:
        idempotency.record_ack(claim, ack)
    return ack


@socketio.on(events.TYPING_STARTED)
@socket_event
def typing(data=None):
    """Tell the thread someone is writing: only someone who may reply, on a thread they follow."""
    thread_id = parse(events.TypingRequest, data).thread_id
    thread = services.access_thread(current_user, thread_id)
    ensure(current_user, "post.reply", thread)
    channel = str(thread_stream(thread.id))
    connections = current_app.extensions["connections"]
    connection = connections.get(request.sid)
    if connection is None or channel not in connection.channels:
        raise Forbidden(_("Join the thread first."))
    sent = connections.may_signal_typing(request.sid, thread.id)
    if sent:
        signal = events.TypingSignal(stream=channel, user=person_view(current_user))
        dispatch.signal(events.TYPING, channel, signal, skip_sid=request.sid)
    return events.TypingAck(sent=sent).model_dump(mode="json")
