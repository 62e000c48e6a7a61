"""python-socketio clients for tests against real servers, handling messages in arrival order.

python-engineio's client hands each message it reads to its handlers in a thread of its own
(`Client._receive_packet`: `run_async=True`), so two messages that arrive close together can be
handled in either order: a test client that keeps the highest seq it has seen then drops the
earlier one as already seen, and reports a post lost that the server sent, in order. A browser
handles a socket's messages one after the other, in the order they came; so do these clients:
the handlers run in the thread that read the message. (They must not block: none here does.)
"""

from __future__ import annotations

import socketio


def socket_client(**options) -> socketio.Client:
    client = socketio.Client(**options)
    trigger = client.eio._trigger_event

    def trigger_in_arrival_order(event, *args, **kwargs):
        kwargs["run_async"] = False
        return trigger(event, *args, **kwargs)

    client.eio._trigger_event = trigger_in_arrival_order
    return client
