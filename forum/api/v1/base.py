"""How an API endpoint is declared: once, with the shapes it takes and answers.

``@operation(...)`` registers the view on the blueprint, reads its JSON body and query into the
declared shapes (a wrong shape is a 422 naming each field), runs a writing view in one
transaction, and serialises the shape it returns. The same declaration makes its entry in the
OpenAPI document (api/v1/openapi.py), so the document cannot drift from the code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from forum.errors import DomainError, UnsupportedMediaType
from forum.schemas import Input, Query, Shape, parse
from forum.transactions import transactional

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


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


OPERATIONS: list[Operation] = []


def json_body() -> dict:
    """The request's JSON object, or a 415/400 error that says what is wrong with it."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send the body as application/json."))
    data = request.get_json(silent=True)
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
                errors or {},
                description,
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
            endpoint if method == "GET" else transactional(endpoint),
            methods=[method],
        )
        return view

    return register
