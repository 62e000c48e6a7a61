"""Request helpers and the blueprint shared by the API's endpoints."""

from flask import Blueprint, request
from flask_babel import gettext as _

from forum.errors import DomainError, UnsupportedMediaType, ValidationError
from forum.web import MAX_ID

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

# Far beyond any real room, yet small enough that page × per_page stays a 64-bit offset.
MAX_PAGE = 1_000_000_000


def json_body() -> dict:
    """The request's JSON object, or a 415/400 error that says what is wrong with it."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send the body as application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_("The body is not a JSON object."), code="malformed_json")
    return data


def _whole_number(text: str, low: int, high: int) -> int | None:
    """The number written in ASCII digits in text, if it lies from low to high."""
    # The length check keeps int() away from absurdly long strings (it refuses over 4300 digits).
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        return None
    number = int(text)
    return number if low <= number <= high else None


def page_args() -> tuple[int, int]:
    """The page and per_page query arguments; anything but a number in range is a 422."""
    page = _whole_number(request.args.get("page", "1"), 1, MAX_PAGE)
    per_page = _whole_number(request.args.get("per_page", "20"), 1, 100)
    if page is None:
        raise ValidationError(
            _("Check the query."), {"page": _("Must be a whole number, 1 or more.")}
        )
    if per_page is None:
        raise ValidationError(_("Check the query."), {"per_page": _("Must be from 1 to 100.")})
    return page, per_page


def query_number(name: str, required: bool = False, low: int = 0) -> int | None:
    """A whole-number query argument from low up to a 64-bit id; anything else is a 422."""
    text = request.args.get(name)
    if text is None and not required:
        return None
    number = _whole_number(text or "", low, MAX_ID)
    if number is None:
        raise ValidationError(
            _("Check the query."),
            {name: _("Must be a whole number, %(low)d or more.", low=low)},
        )
    return number
