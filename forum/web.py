"""Small helpers shared by the HTML views."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import HiddenField

from forum import errors, idempotency
from forum.schemas import (
    MAX_ID,  # ids are 64-bit: a larger number names nothing
    PageNumber,
    parse,
)


def reject_out_of_range_ids(endpoint: str | None, values: dict | None) -> None:
    """A route's id past 64 bits is a 404 (a converter limit would make some of them 405s)."""
    if any(isinstance(value, int) and value > MAX_ID for value in (values or {}).values()):
        raise NotFound()


def page_number() -> int:
    """The page of a listing asked for in ?page=: a whole number from 1 (a page past the last is
    empty), else a 404 that says so; never a number the database cannot take as an offset."""
    try:
        return parse(PageNumber, request.args.to_dict()).page
    except errors.ValidationError:
        raise errors.NotFound(_("There is no such page.")) from None


def local_url(target: str | None, default_endpoint: str = "areas.index") -> str:
    """The target if it is a path on this site, else a safe default: never redirect off-site."""
    parts = urlsplit(target or "")
    if parts.netloc and parts.netloc == request.host and parts.scheme in ("http", "https"):
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        parts = urlsplit(target)
    if parts.scheme or parts.netloc or not (target or "").startswith("/") or "\\" in target:
        return url_for(default_endpoint)
    return target


class KeyedForm(FlaskForm):
    """A form that writes: each rendering carries a new idempotency key, so sending it twice
    (a double click, a replay) stores one result. Shown again after an error, it keeps the key
    it was sent with: the refused attempt stored nothing, the corrected one goes through."""

    idempotency_key = HiddenField(default=idempotency.new_key)


def show_errors(form: FlaskForm, error: errors.DomainError) -> None:
    """Put a service's field errors on the form's fields (or the form itself)."""
    if not error.fields:
        form.form_errors.append(error.message)
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [message]
        else:
            form.form_errors.append(message)


def decline_websocket_compression(wsgi_app):
    """Wrap the WSGI app so websocket handshakes never agree to permessage-deflate.

    Browsers offer it on every websocket; accepted, each broadcast would be compressed once per
    recipient (see PERFORMANCE.md). Forum events are small JSON, so we send them uncompressed,
    as Node's socket.io does by default. Works for eventlet and simple-websocket alike: both
    negotiate from this header.
    """

    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app


# The cookie naming the worker that served a response: nginx sends a client's next requests to
# that worker (deploy/nginx.conf.template), as Socket.IO's long-polling needs.
WORKER_COOKIE = "forum_worker"
WORKER_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")


def name_the_worker(wsgi_app, worker_name: str):
    """Wrap the WSGI app so every response sets WORKER_COOKIE to this worker's name (none set:
    the app as it is). The cookie only routes: it is no secret, and a forged one only picks a
    worker."""
    if not worker_name:
        return wsgi_app
    if not WORKER_NAME.fullmatch(worker_name):
        raise RuntimeError(f"WORKER_NAME {worker_name!r}: use 1 to 32 letters, digits, '-' or '_'.")
    cookie = ("Set-Cookie", f"{WORKER_COOKIE}={worker_name}; Path=/; HttpOnly; SameSite=Lax")

    def app(environ, start_response):
        def start_naming_the_worker(status, headers, exc_info=None):
            return start_response(status, [*headers, cookie], exc_info)

        return wsgi_app(environ, start_naming_the_worker)

    return app
