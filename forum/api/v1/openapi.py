"""The OpenAPI 3.1 document, made from the declared operations and shapes.

Paths come from ``@operation`` (api/v1/base.py), schemas from the pydantic declarations, and
the live events from realtime.events (under ``x-socket-events``), so nothing is written twice.
What no declaration says is written here: the errors every body, query or path can cause.
"""

from __future__ import annotations

import functools
import re

from flask import jsonify
from pydantic.json_schema import models_json_schema

from forum.api.v1.base import OPERATIONS, Operation, operation
from forum.drafts.schemas import VersionConflictAnswer
from forum.realtime import events
from forum.schemas import MAX_ID, ErrorAnswer, RateLimitedAnswer, Shape

REF = "#/components/schemas/{model}"
LOCAL_REF = "#/$defs/{model}"
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")

ERROR_DESCRIPTIONS = {
    400: "The body is not a JSON object, or the Idempotency-Key header is malformed.",
    401: "Log in first.",
    403: "Not allowed for this user.",
    404: "No such thing, or not readable by this user.",
    409: "In conflict with the current state.",
    413: "The body is larger than 64 KiB.",
    415: "The body is not application/json.",
    422: "The input is invalid; `fields` says where.",
    429: "Too fast; `retry_after` (and the Retry-After header) says how many seconds to wait.",
}


# Error codes whose answer carries more than the common error object.
ERROR_SHAPES: dict[str, type[Shape]] = {"version_conflict": VersionConflictAnswer}


def _components() -> tuple[dict, dict[type, str]]:
    """Every declared output shape as a component schema; (schemas, model → its $ref)."""
    shapes: list[type[Shape]] = [ErrorAnswer, RateLimitedAnswer, *ERROR_SHAPES.values()]
    shapes += [op.answer for op in OPERATIONS if op.answer is not None]
    shapes += [kind.payload for kind in events.EVENTS.values()]
    shapes += list(events.SIGNALS.values())
    shapes += [events.JoinAck, events.LeaveAck, events.ReplyAck, events.TypingAck]
    unique = list(dict.fromkeys(shapes))
    refs, document = models_json_schema(
        [(shape, "serialization") for shape in unique], ref_template=REF
    )
    return document["$defs"], {model: ref["$ref"] for (model, _mode), ref in refs.items()}


def _content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _error(status: int, codes: tuple[str, ...], refs: dict[type, str]) -> dict:
    if status == 429:
        return {
            "description": ERROR_DESCRIPTIONS[status],
            "headers": {
                "Retry-After": {
                    "description": "Seconds until the request would be accepted.",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            },
            "content": _content({"$ref": refs[RateLimitedAnswer]}),
        }
    special = [refs[ERROR_SHAPES[code]] for code in codes if code in ERROR_SHAPES]
    common = [code for code in codes if code not in ERROR_SHAPES]
    schema = {
        "allOf": [{"$ref": refs[ErrorAnswer]}],
        "properties": {"error": {"properties": {"code": {"enum": common}}}},
    }
    if special:
        schema = {"anyOf": ([schema] if common else []) + [{"$ref": ref} for ref in special]}
    return {"description": ERROR_DESCRIPTIONS[status], "content": _content(schema)}


def _inline(model) -> dict:
    """The model's JSON schema, to write in place (with the models it nests, such as a body's
    list of objects, written in place too)."""
    schema = model.model_json_schema(mode="validation", ref_template=LOCAL_REF)
    nested = schema.pop("$defs", {})
    schema = _in_place(schema, nested)
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return schema


def _in_place(schema, nested: dict):
    """The schema with each reference to a nested model replaced by that model's schema."""
    if isinstance(schema, list):
        return [_in_place(item, nested) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        model = dict(nested[ref.removeprefix("#/$defs/")])
        model.pop("title", None)
        return _in_place(model, nested)
    return {key: _in_place(value, nested) for key, value in schema.items()}


def _path_parameters(rule: str) -> list[dict]:
    parameters = []
    for converter, name in CONVERTER.findall(rule):
        schema = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if converter == "int"
            else {"type": "string", "pattern": events.STREAM_PATTERN}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(op: Operation) -> list[dict]:
    schema = _inline(op.query)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            **({"description": prop.pop("description")} if "description" in prop else {}),
            "schema": prop,
        }
        for name, prop in schema["properties"].items()
    ]


def _header_parameters(op: Operation) -> list[dict]:
    return [
        {
            "name": header.name,
            "in": "header",
            "required": False,
            "description": header.description,
            "schema": header.schema,
        }
        for header in op.headers
    ]


def _operation(op: Operation, refs: dict[type, str]) -> dict:
    errors: dict[int, set[str]] = {}
    if CONVERTER.search(op.rule):
        errors.setdefault(404, set()).add("not_found")
    if op.body is not None:
        for status, code in (
            (400, "malformed_json"),
            (413, "too_large"),
            (415, "unsupported_media_type"),
            (422, "invalid"),
        ):
            errors.setdefault(status, set()).add(code)
    if op.query is not None:
        errors.setdefault(422, set()).add("invalid")
    for status, codes in op.errors.items():
        errors.setdefault(status, set()).update(codes)
    answer = {"description": op.summary}
    if op.answer is not None:
        answer["content"] = _content({"$ref": refs[op.answer]})
    spec = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "parameters": _path_parameters(op.rule)
        + (_query_parameters(op) if op.query is not None else [])
        + _header_parameters(op),
        "responses": {str(op.status): answer}
        | {
            str(status): _error(status, tuple(sorted(codes)), refs)
            for status, codes in sorted(errors.items())
        },
    }
    if op.description:
        spec["description"] = op.description
    if op.body is not None:
        spec["requestBody"] = {"required": True, "content": _content(_inline(op.body))}
    return spec


def _socket_events(refs: dict[type, str]) -> dict:
    """What the server sends over Socket.IO: each event's data."""
    published = {
        name: {"$ref": refs[kind.payload], "description": "Published: numbered and logged."}
        for name, kind in events.EVENTS.items()
    }
    signals = {
        name: {"$ref": refs[shape], "description": "A signal: not logged, not numbered."}
        for name, shape in events.SIGNALS.items()
    }
    return published | signals


def build_document() -> dict:
    schemas, refs = _components()
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path = "/api/v1" + CONVERTER.sub(r"{\2}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wspólne Projekty API",
            "version": "1",
            "description": (
                "Discussion rooms of Kraków's participatory budget. Authentication is the "
                "session cookie set by POST /api/v1/session. Errors are "
                '{"error": {"code", "message", "fields"}}; a 429 adds "retry_after" (seconds, '
                "also in the Retry-After header). Live events over Socket.IO are described "
                "under x-socket-events."
            ),
        },
        "paths": paths,
        "components": {"schemas": schemas},
        "x-socket-events": _socket_events(refs),
    }


@functools.cache
def document() -> dict:
    """The document, made once, after every endpoint module has declared its operations."""
    built = build_document()
    # The one answer no shape declares: the document itself.
    built["paths"]["/api/v1/openapi.json"]["get"]["responses"]["200"]["content"] = _content(
        {"type": "object", "required": ["openapi", "info", "paths"]}
    )
    return built


@operation("GET", "/openapi.json", summary="This document.", answer=None)
def openapi_document():
    return jsonify(document())
