"""The API's test client: every /api/v1/ response is checked against the OpenAPI document."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from forum.api.v1.openapi import document
from forum.extensions import db
from tests.conftest import PASSWORD, app_context

DOCUMENT = document()

DOCUMENT_URI = "urn:wspolne-projekty:openapi"
REGISTRY = Registry().with_resource(
    DOCUMENT_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _utc_timestamp(value) -> bool:
    """The API's timestamps: ISO 8601 in UTC, written with a Z."""
    if not isinstance(value, str):
        return True
    if not value.endswith("Z") or "T" not in value:
        raise ValueError("not an ISO timestamp ending in Z")
    datetime.fromisoformat(value)
    return True


def path_template(rule: str) -> str:
    """The OpenAPI path of a Flask rule: /rooms/<int:room_id> → /rooms/{room_id}."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def pointer(*parts: str) -> str:
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def count(model) -> int:
    """Rows of a model's table, to show that a refused request wrote nothing."""
    with app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def check_against_document(app, method: str, path: str, response) -> None:
    """Fail the test unless the response is one the document declares for this operation."""
    try:
        rule, _args = app.url_map.bind("localhost").match(path, method, return_rule=True)
    except HTTPException as error:
        # No route matches (an id out of range, say): then only the JSON 404 will do.
        assert (error.code, response.status_code) == (404, 404), f"{method} {path}: {error}"
        check_body(f"{method} {path} 404", "/components/schemas/Error", response)
        return
    template = path_template(rule.rule)
    operation = DOCUMENT["paths"].get(template, {}).get(method.lower())
    if operation is None:
        pytest.fail(f"{method} {template} is not in the OpenAPI document")
    status = str(response.status_code)
    responses = operation["responses"]
    if status not in responses:
        pytest.fail(
            f"{method} {template} answered {status}, which the document does not declare: "
            f"{response.get_data(as_text=True)[:500]}"
        )
    location = pointer("paths", template, method.lower(), "responses", status)
    declared = responses[status]
    if "$ref" in declared:
        location = declared["$ref"].removeprefix("#")
        declared = REGISTRY.resolver(DOCUMENT_URI).lookup(declared["$ref"]).contents
    if "content" not in declared:
        assert response.get_data() == b"", f"{method} {template} {status} should have no body"
        return
    assert response.mimetype in declared["content"], f"{method} {template}: {response.mimetype}"
    schema_at = f"{location}{pointer('content', response.mimetype, 'schema')}"
    check_body(f"{method} {template} {status}", schema_at, response)


def check_body(what: str, schema_at: str, response) -> None:
    """Fail the test unless the JSON body matches the document's schema at that pointer."""
    validator = Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#{schema_at}"}, registry=REGISTRY, format_checker=FORMATS
    )
    problem = best_match(validator.iter_errors(response.get_json()))
    if problem is not None:
        pytest.fail(
            f"{what} does not match the document at "
            f"/{'/'.join(map(str, problem.absolute_path))}: {problem.message}"
        )


class ApiClient(FlaskClient):
    """A test client that validates each API response as soon as it arrives."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path.startswith("/api/v1/"):
            check_against_document(self.application, request.method, request.path, response)
        return response

    def login(self, user, password: str = PASSWORD):
        return self.post("/api/v1/session", json={"email": user.email, "password": password})

    def logout(self):
        return self.delete("/api/v1/session")


@pytest.fixture
def api(app) -> ApiClient:
    return ApiClient(app, app.response_class, use_cookies=True)
