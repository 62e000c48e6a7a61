"""One transaction per request: the boundary commits, the services never do.

A boundary is an HTTP view, an API view, a Socket.IO handler or a CLI command. It runs the
services it calls in one transaction, so operations compose ("reply + notify the author" is one
commit or nothing). Events the services publish go out only after that commit
(forum/realtime/dispatch.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app, request
from flask_babel import gettext as _

from forum import idempotency, ratelimits
from forum.errors import DomainError, error_body
from forum.extensions import db
from forum.realtime.wire import UNREADABLE

log = logging.getLogger(__name__)


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back if the block raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def transactional(view: Callable) -> Callable:
    """An HTTP view in one transaction: committed if it answers with success, else rolled back.

    A form view that catches a refusal and shows the form again (422) keeps nothing of it.
    A write sent with an idempotency key claims it first, in the same transaction, and keeps
    its answer with it; a repeat gets that answer and writes nothing (forum/idempotency.py).
    """

    @functools.wraps(view)
    def run(*args, **kwargs):
        try:
            keyed = idempotency.keyed_http_request()
            claim = idempotency.claim(keyed) if keyed else None
            if claim is not None and claim.answered:
                response = idempotency.replay(claim)
                db.session.rollback()  # nothing to keep: the first request wrote it all
                return response
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code < 400:
                if claim is not None:
                    idempotency.record(claim, response)
                db.session.commit()
            else:
                db.session.rollback()
        except BaseException:
            db.session.rollback()
            raise
        return response

    return run


def socket_event(handler: Callable) -> Callable:
    """A Socket.IO handler in one transaction; a refusal or a fault is acknowledged as an error.

    Each event is counted against its rate limit first (forum/ratelimits.py). The handler takes
    the event's one argument (None when the client sent none); more than one, or data that
    cannot be read as JSON (realtime/wire.py), is refused before it runs. Refusals carry the
    API's error object; an unexpected fault is logged and acknowledged as a server error, so a
    client never waits for an answer that will not come.
    """

    @functools.wraps(handler)
    def run(*args):
        try:
            ratelimits.hit_socket_event(request.event["message"])
            if len(args) > 1:
                raise DomainError(_("Send one object."), code="malformed_payload")
            if args and args[0] is UNREADABLE:
                message = _("The data is not readable JSON, or is nested too deeply.")
                raise DomainError(message, code="malformed_payload")
            with transaction():
                return handler(*args)
        except DomainError as error:
            return error.to_dict()
        except Exception:
            log.exception("socket event %s failed", handler.__name__)
            return error_body("server_error", _("Something went wrong on our side."))

    return run
