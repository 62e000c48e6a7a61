"""How Socket.IO packets are read: JSON, except that an event whose data cannot be read still
gets an answer.

python-socketio decodes a packet before any handler runs. Data nested past what Python's JSON
decoder follows (RecursionError), or that it refuses (a number of thousands of digits, broken
syntax: ValueError), would make that decoding fail and drop the event unanswered. Read here
instead, the event keeps its name and acknowledgement id, and its data is UNREADABLE, which
`@socket_event` refuses with an error acknowledgement like any other malformed payload.
"""

from __future__ import annotations

import json


class _Unreadable:
    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()
_decoder = json.JSONDecoder()


class SocketJSON:
    """The json module python-socketio and python-engineio are given (`dumps` and `loads`)."""

    @staticmethod
    def dumps(*args, **kwargs) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text, *args, **kwargs):
        try:
            return json.loads(text, *args, **kwargs)
        except (RecursionError, ValueError):
            name = _event_name(text)
            if name is None:  # not an event: fail as json would (Engine.IO relies on it)
                raise
            return [name, UNREADABLE]


def _event_name(text) -> str | None:
    """The name an event packet's array starts with, read alone; None if it has none."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str) or not text.startswith("["):
        return None
    start = 1 + len(text[1:65]) - len(text[1:65].lstrip())
    try:
        name, _end = _decoder.raw_decode(text, start)
    except ValueError:
        return None
    return name if isinstance(name, str) else None
