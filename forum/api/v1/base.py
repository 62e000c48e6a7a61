"""Request helpers and the blueprint shared by the API's endpoints."""

from flask import Blueprint, request
from flask_babel import gettext as _

from forum.errors import DomainError, UnsupportedMediaType, ValidationError

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def json_body() -> dict:
    """The request's JSON object, or a 415/400 error that says what is wrong with it."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send the body as application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_("The body is not a JSON object."), code="malformed_json")
    return data


def text_field(data: dict, name: str, required: bool = True) -> str | None:
    """A string member of the body; a wrong type is a 422 on that field."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValidationError(_("Check the form."), {name: _("Must be a string.")})
    return value


def id_field(data: dict, name: str) -> int | None:
    """An optional id member of the body; anything but a whole number is a 422 on that field."""
    value = data.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValidationError(_("Check the form."), {name: _("Must be a whole number.")})
    return value


def page_args() -> tuple[int, int]:
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", "20")
    if not page.isdigit() or int(page) < 1:
        raise ValidationError(_("Check the query."), {"page": _("Must be a whole number from 1.")})
    if not per_page.isdigit() or not 1 <= int(per_page) <= 100:
        raise ValidationError(_("Check the query."), {"per_page": _("Must be from 1 to 100.")})
    return int(page), int(per_page)
