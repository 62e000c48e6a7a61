"""Small helpers shared by the HTML views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

from forum.errors import DomainError


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number past a 64-bit id names nothing, so it is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def local_url(target: str | None, default_endpoint: str = "areas.index") -> str:
    """The target if it is a path on this site, else a safe default: never redirect off-site."""
    parts = urlsplit(target or "")
    if parts.netloc and parts.netloc == request.host and parts.scheme in ("http", "https"):
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        parts = urlsplit(target)
    if parts.scheme or parts.netloc or not (target or "").startswith("/") or "\\" in target:
        return url_for(default_endpoint)
    return target


def show_errors(form: FlaskForm, error: DomainError) -> None:
    """Put a service's field errors on the form's fields (or the form itself)."""
    if not error.fields:
        form.form_errors.append(error.message)
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [message]
        else:
            form.form_errors.append(message)
