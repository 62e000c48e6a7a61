"""The bases every shape is declared on (pydantic v2), and reading client input with them.

Each domain declares its shapes once, in its own ``schemas.py``: what the API answers, what it
and the sockets accept, and what live events carry. The same declarations validate input,
serialise output, and make the OpenAPI document (api/v1/openapi.py); the tests check every API
response and every socket payload against them.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, TypeVar

from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from forum.errors import ValidationError

MAX_ID = 2**63 - 1  # ids are 64-bit in the database

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def id_from_text(text) -> int | None:
    """The id written in a form field, cookie or name ("42"), or None: ASCII digits only, and
    within 64 bits (a larger number names nothing and would overflow the database driver)."""
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


Count = Annotated[int, Field(ge=0)]
Seq = Annotated[int, Field(ge=0, le=MAX_ID, description="A position in a stream (0: before any).")]


class Shape(BaseModel):
    """What the forum sends: every field declared and present, no other allowed."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class Input(BaseModel):
    """What a client sends: exact JSON types (no "1" for 1), unknown members ignored.

    JSON may spell a lone surrogate ("\\ud800"), which no UTF-8 text can hold: such a string is
    refused here, once for the API and the sockets, before it reaches a service or the database.
    A shape whose text is only ever logged, quoted, may set `lone_surrogates_allowed`.
    """

    model_config = ConfigDict(strict=True, extra="ignore")
    lone_surrogates_allowed: ClassVar[bool] = False

    @field_validator("*", mode="after")
    @classmethod
    def _no_lone_surrogates(cls, value):
        if cls.lone_surrogates_allowed:
            return value
        if isinstance(value, str) and not _encodable(value):
            raise PydanticCustomError("lone_surrogate", "a lone surrogate")
        return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


InputT = TypeVar("InputT", bound=Input)


# A validator's own error, whose message is already written for people (and translated).
EXPLAINED = "explained"


def explained(message: str) -> PydanticCustomError:
    return PydanticCustomError(EXPLAINED, message)


def _message(error: dict) -> str:
    kind, context = error["type"], error.get("ctx", {})
    if kind == "missing":
        return _("This field is required.")
    if kind == EXPLAINED:
        return error["msg"]
    if kind == "string_type":
        return _("Must be a string.")
    if kind in ("int_type", "int_parsing", "int_from_float", "value_error"):
        return _("Must be a whole number.")
    if kind == "bool_type":
        return _("Must be true or false.")
    if kind == "greater_than_equal":
        return _("Must be %(limit)s or more.", limit=context["ge"])
    if kind == "less_than_equal":
        return _("Must be %(limit)s or less.", limit=context["le"])
    if kind == "string_too_short":
        return ngettext(
            "Must have at least %(num)d character.",
            "Must have at least %(num)d characters.",
            context["min_length"],
        )
    if kind in ("lone_surrogate", "string_unicode"):
        return _("Contains a broken character (a lone UTF-16 surrogate).")
    if kind == "string_too_long":
        return ngettext(
            "Must have at most %(num)d character.",
            "Must have at most %(num)d characters.",
            context["max_length"],
        )
    if kind == "string_pattern_mismatch":
        return _("This value has the wrong form.")
    if kind in ("literal_error", "enum"):
        return _("Must be one of: %(choices)s.", choices=context.get("expected", ""))
    return _("This value is not valid.")


def parse(model: type[InputT], data, malformed_code: str = "malformed_payload") -> InputT:
    """Client input as the declared shape; a wrong shape is a 422 that names each field."""
    if not isinstance(data, dict):
        raise ValidationError(_("Send an object."), {}, code=malformed_code)
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        fields: dict[str, str] = {}
        for problem in error.errors(include_url=False):
            name = ".".join(str(part) for part in problem["loc"]) or "payload"
            fields.setdefault(name, _message(problem))
        raise ValidationError(_("Some fields need correcting."), fields) from None


def _query_digits(value):
    """A query argument: ASCII digits only, and not absurdly long (int() refuses 4300+ digits)."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > 20:
            raise ValueError("not a whole number")
        return int(value)
    return value


QueryInt = Annotated[int, BeforeValidator(_query_digits)]
# Far beyond any real list, yet small enough that page × per_page stays a 64-bit offset.
MAX_PAGE = 1_000_000_000


class Query(BaseModel):
    """Query-string arguments: whole numbers are written in digits, unknown ones ignored."""

    model_config = ConfigDict(extra="ignore")


class PageNumber(Query):
    page: QueryInt = Field(1, ge=1, le=MAX_PAGE, description="A page past the last is empty.")


class PageQuery(PageNumber):
    per_page: QueryInt = Field(20, ge=1, le=100)


class Pagination(Shape):
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=100)
    total: Count
    pages: Count


def pagination(page) -> Pagination:
    """The meta of a Flask-SQLAlchemy page."""
    return Pagination(page=page.page, per_page=page.per_page, total=page.total, pages=page.pages)


class ErrorDetail(Shape):
    code: str = Field(description='Stable, e.g. "thread_locked".')
    message: str = Field(description="For people, translated.")
    fields: dict[str, str] = Field(description="What is wrong with each named field of the input.")


class ErrorAnswer(Shape):
    """Every refusal, over HTTP and in socket acknowledgements."""

    error: ErrorDetail


class RateLimitedDetail(ErrorDetail):
    code: Literal["rate_limited"]
    retry_after: int = Field(
        ge=1, description="Seconds until it would be accepted; also the Retry-After header."
    )


class RateLimitedAnswer(Shape):
    """A refusal for going too fast (status 429 over HTTP), in socket acknowledgements too."""

    error: RateLimitedDetail
