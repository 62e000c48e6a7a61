"""Socket.IO test clients whose every acknowledgement and received event is checked against the
shapes declared in forum.realtime.events, as the API client checks responses (tests/api)."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from forum.extensions import socketio
from forum.realtime import events
from forum.schemas import ErrorAnswer, RateLimitedAnswer
from tests.api.conftest import FORMATS

ACKS = {
    events.JOIN: events.JoinAck,
    events.LEAVE: events.LeaveAck,
    events.POST_REPLY: events.ReplyAck,
    events.TYPING_STARTED: events.TypingAck,
}
_validators: dict[type, Draft202012Validator] = {}


def check(shape, data, what: str) -> None:
    """Fail unless data has exactly the declared shape (serialised: every field present)."""
    if shape not in _validators:
        schema = shape.model_json_schema(mode="serialization")
        _validators[shape] = Draft202012Validator(schema, format_checker=FORMATS)
    problem = best_match(_validators[shape].iter_errors(data))
    if problem is not None:
        path = "/".join(map(str, problem.absolute_path))
        raise AssertionError(
            f"{what} does not match {shape.__name__} at /{path}: {problem.message}"
        )


def check_received(message: dict) -> None:
    name, args = message["name"], message["args"]
    assert len(args) == 1, f"{name} should carry one argument: {args}"
    if name in events.EVENTS:
        check(events.EVENTS[name].payload, args[0], f"event {name}")
    elif name in events.SIGNALS:
        check(events.SIGNALS[name], args[0], f"signal {name}")
    else:
        raise AssertionError(f"{name} is not a declared event")


class CheckedSocket:
    """A Flask-SocketIO test client that validates what it sends back and what it receives."""

    def __init__(self, app, flask_client):
        self.client = socketio.test_client(app, flask_test_client=flask_client)

    def __getattr__(self, name):
        return getattr(self.client, name)

    def emit(self, event: str, *args, callback: bool = True):
        ack = self.client.emit(event, *args, callback=callback)
        if callback:
            if isinstance(ack, dict) and "error" in ack:
                limited = ack["error"].get("code") == "rate_limited"
                check(RateLimitedAnswer if limited else ErrorAnswer, ack, f"{event} refusal")
            elif event in ACKS:
                check(ACKS[event], ack, f"{event} acknowledgement")
        return ack

    def get_received(self) -> list[dict]:
        received = self.client.get_received()
        for message in received:
            check_received(message)
        return received

    def received_named(self, *names: str) -> list[dict]:
        """Data of the received messages with these names, in order."""
        return [m["args"][0] for m in self.get_received() if m["name"] in names]
