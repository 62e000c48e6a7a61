"""How an API endpoint is declared: once, with the shapes it takes and answers.

``@operation(...)`` registers the view on the blueprint, reads its JSON body and query into the
declared shapes (a wrong shape is a 422 naming each field), runs a writing view in one
transaction (which takes an `Idempotency-Key` header: forum/idempotency.py), and serialises the
shape it returns. The same declaration makes its entry in the OpenAPI document
(api/v1/openapi.py), so the document cannot drift from the code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from forum import idempotency
from forum.errors import DomainError, UnsupportedMediaType
from forum.schemas import Input, Query, Shape, parse
from forum.transactions import transactional

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class Header:
    """A request header an operation reads, with the JSON schema of its value."""

    name: str
    description: str
    schema: dict


# Every write takes one (the boundary, forum.transactions.transactional, reads it).
IDEMPOTENCY_KEY = Header(
    idempotency.HEADER,
    idempotency.KEY_DESCRIPTION,
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": idempotency.KEY_PATTERN},
)
IDEMPOTENCY_ERRORS = {
    idempotency.InvalidKey.status: (idempotency.InvalidKey.code,),
    idempotency.KeyInUse.status: (idempotency.KeyInUse.code,),
    idempotency.KeyReused.status: (idempotency.KeyReused.code,),
}


@dataclass
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    answer: type[Shape] | None  # None: an empty body
    status: int
    body: type[Input] | None = None
    query: type[Query] | None = None
    errors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    description: str | None = None
    headers: tuple[Header, ...] = ()


OPERATIONS: list[Operation] = []


def json_body() -> dict:
    """The request's JSON object, or a 415/400 error that says what is wrong with it."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send the body as application/json."))
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested past what the decoder follows: no input needs that
        raise DomainError(_("The body is nested too deeply."), code="malformed_json") from None
    if not isinstance(data, dict):
        raise DomainError(_("The body is not a JSON object."), code="malformed_json")
    return data


def respond(shape: Shape | Response | None, status: int = 200) -> Response:
    if isinstance(shape, Response):
        return shape
    if shape is None:
        return Response(status=status)
    return Response(shape.model_dump_json(), status=status, mimetype="application/json")


def operation(
    method: str,
    rule: str,
    *,
    summary: str,
    answer: type[Shape] | None,
    status: int = 200,
    body: type[Input] | None = None,
    query: type[Query] | None = None,
    errors: dict[int, tuple[str, ...]] | None = None,
    description: str | None = None,
) -> Callable:
    """Declare an endpoint: the view gets `body=` and `query=` parsed, and returns its answer."""

    writes = method != "GET"
    declared_errors = dict(errors or {})
    if writes:
        for code_status, codes in IDEMPOTENCY_ERRORS.items():
            declared_errors[code_status] = declared_errors.get(code_status, ()) + codes

    def register(view: Callable) -> Callable:
        OPERATIONS.append(
            Operation(
                method,
                rule,
                view.__name__,
                summary,
                answer,
                status,
                body,
                query,
                declared_errors,
                description,
                (IDEMPOTENCY_KEY,) if writes else (),
            )
        )

        @functools.wraps(view)
        def endpoint(**path):
            if body is not None:
                path["body"] = parse(body, json_body(), malformed_code="malformed_json")
            if query is not None:
                path["query"] = parse(query, request.args.to_dict())
            return respond(view(**path), status)

        bp.add_url_rule(
            rule,
            view.__name__,
            transactional(endpoint) if writes else endpoint,
            methods=[method],
        )
        return view

    return register
