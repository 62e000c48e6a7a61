"""Reading untrusted JSON-shaped input (API bodies, socket payloads): wrong shapes are 422s."""

from __future__ import annotations

from flask_babel import gettext as _

from forum.errors import ValidationError
from forum.web import MAX_ID


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError(_("Some fields need correcting."), {name: message})


def payload(data) -> dict:
    """The payload itself must be an object."""
    if not isinstance(data, dict):
        raise ValidationError(_("Send an object."), {}, code="malformed_payload")
    return data


def text_field(data: dict, name: str, required: bool = True) -> str | None:
    """A string member; a wrong type is a 422 on that field."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _invalid(name, _("Must be a string."))
    return value


def id_field(data: dict, name: str, required: bool = False) -> int | None:
    """An id member (optional unless required); anything but a whole number in range is a 422."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(name, _("Must be a whole number."))
    if not 1 <= value <= MAX_ID:
        raise _invalid(name, _("There is no such item."))
    return value


def seq_field(data: dict, name: str) -> int | None:
    """An optional event sequence number: 0 or more."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
        raise _invalid(name, _("Must be a whole number, 0 or more."))
    return value
