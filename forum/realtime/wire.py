"""How Socket.IO packets are read: JSON, except that data nested too deeply still gets an answer.

Python's JSON decoder gives up on data nested about a thousand levels deep (RecursionError).
Raised inside python-socketio's packet decoding, that would drop the packet unanswered; read
here instead, the event keeps its name and acknowledgement id, and its data is TOO_DEEP, which
`@socket_event` refuses with an error acknowledgement like any other malformed payload.
"""

from __future__ import annotations

import json


class _TooDeep:
    def __repr__(self) -> str:
        return "TOO_DEEP"


TOO_DEEP = _TooDeep()
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
        except RecursionError:
            return [_event_name(text), TOO_DEEP]


def _event_name(text) -> str | None:
    """The first member of an event packet's array (its name), read alone; None if it has none."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", errors="replace")
    start = len(text) - len(text.lstrip())
    if not text.startswith("[", start):
        return None
    try:
        name, _end = _decoder.raw_decode(text, start + 1 + _spaces(text, start + 1))
    except (ValueError, RecursionError):
        return None
    return name if isinstance(name, str) else None


def _spaces(text: str, at: int) -> int:
    return len(text[at : at + 64]) - len(text[at : at + 64].lstrip())
