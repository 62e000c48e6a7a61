"""The OpenAPI document: it lists exactly the blueprint's routes and is a sound OpenAPI 3.1."""

import json
import re

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from forum.api.v1.openapi import document
from tests.api.conftest import DOCUMENT_URI, REGISTRY, path_template

DOCUMENT = document()

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def closed(properties: dict, required: tuple[str, ...] = ()) -> dict:
    """An OpenAPI object: the named fields, and extensions (x-…), nothing else."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "patternProperties": {"^x-": True},
        "additionalProperties": False,
    }


def map_of(value: dict, keys: str = "^[a-zA-Z0-9._-]+$") -> dict:
    return {"type": "object", "propertyNames": {"pattern": keys}, "additionalProperties": value}


TEXT = {"type": "string"}
SCHEMA = {"type": ["object", "boolean"]}  # checked against JSON Schema 2020-12 separately
REFERENCE = closed({"$ref": TEXT, "summary": TEXT, "description": TEXT}, ("$ref",))

# The part of the OpenAPI 3.1 specification's rules this document can touch, written out
# because no OpenAPI validator is installed; the official schema is stricter still.
OPENAPI_31 = {
    "$ref": "#/$defs/document",
    "$defs": {
        "document": closed(
            {
                "openapi": {"type": "string", "pattern": r"^3\.1\.\d+(-.+)?$"},
                "info": {"$ref": "#/$defs/info"},
                "jsonSchemaDialect": TEXT,
                "servers": {"type": "array"},
                "paths": map_of({"$ref": "#/$defs/path-item"}, keys="^/"),
                "webhooks": {"type": "object"},
                "components": {"$ref": "#/$defs/components"},
                "security": {"type": "array"},
                "tags": {"type": "array"},
                "externalDocs": {"type": "object"},
            },
            ("openapi", "info"),
        ),
        "info": closed(
            {
                "title": TEXT,
                "summary": TEXT,
                "description": TEXT,
                "termsOfService": TEXT,
                "contact": {"type": "object"},
                "license": {"type": "object"},
                "version": TEXT,
            },
            ("title", "version"),
        ),
        "path-item": closed(
            {
                "$ref": TEXT,
                "summary": TEXT,
                "description": TEXT,
                "servers": {"type": "array"},
                "parameters": {"type": "array", "items": {"$ref": "#/$defs/parameter-or-ref"}},
            }
            | {method: {"$ref": "#/$defs/operation"} for method in METHODS}
        ),
        "operation": closed(
            {
                "tags": {"type": "array", "items": TEXT},
                "summary": TEXT,
                "description": TEXT,
                "operationId": TEXT,
                "parameters": {"type": "array", "items": {"$ref": "#/$defs/parameter-or-ref"}},
                "requestBody": {
                    "oneOf": [{"$ref": "#/$defs/request-body"}, REFERENCE],
                },
                "responses": {"$ref": "#/$defs/responses"},
                "callbacks": {"type": "object"},
                "deprecated": {"type": "boolean"},
                "security": {"type": "array"},
                "servers": {"type": "array"},
                "externalDocs": {"type": "object"},
            },
        ),
        "parameter-or-ref": {"oneOf": [{"$ref": "#/$defs/parameter"}, REFERENCE]},
        "parameter": closed(
            {
                "name": TEXT,
                "in": {"enum": ["query", "header", "path", "cookie"]},
                "description": TEXT,
                "required": {"type": "boolean"},
                "deprecated": {"type": "boolean"},
                "style": TEXT,
                "explode": {"type": "boolean"},
                "schema": SCHEMA,
                "content": map_of({"$ref": "#/$defs/media-type"}, keys="."),
                "example": True,
                "examples": {"type": "object"},
            },
            ("name", "in"),
        )
        | {
            "oneOf": [{"required": ["schema"]}, {"required": ["content"]}],
            "if": {"properties": {"in": {"const": "path"}}},
            "then": {"properties": {"required": {"const": True}}, "required": ["required"]},
        },
        "request-body": closed(
            {
                "description": TEXT,
                "content": map_of({"$ref": "#/$defs/media-type"}, keys="."),
                "required": {"type": "boolean"},
            },
            ("content",),
        ),
        "media-type": closed(
            {"schema": SCHEMA, "example": True, "examples": {"type": "object"}},
        ),
        "responses": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^([1-5]([0-9]{2}|XX)|default)$"},
            "additionalProperties": {"oneOf": [{"$ref": "#/$defs/response"}, REFERENCE]},
        },
        "response": closed(
            {
                "description": TEXT,
                "headers": {"type": "object"},
                "content": map_of({"$ref": "#/$defs/media-type"}, keys="."),
                "links": {"type": "object"},
            },
            ("description",),
        ),
        "components": closed(
            {
                "schemas": map_of(SCHEMA),
                "responses": map_of({"$ref": "#/$defs/response"}),
                "parameters": map_of({"$ref": "#/$defs/parameter"}),
                "requestBodies": map_of({"$ref": "#/$defs/request-body"}),
            }
        ),
    },
}


def api_routes(app) -> set[tuple[str, str]]:
    """(path template, method) of every route of the api_v1 blueprint."""
    return {
        (path_template(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def documented() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in METHODS
    }


def operations():
    for path, item in DOCUMENT["paths"].items():
        for method in (method for method in item if method in METHODS):  # document order
            yield path, method, item[method]


def schemas_in(node, at: str = "#"):
    """Every Schema object of the document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema":
                yield f"{at}/{key}", value
            elif key == "schemas":
                yield from ((f"{at}/schemas/{name}", s) for name, s in value.items())
            else:
                yield from schemas_in(value, f"{at}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schemas_in(value, f"{at}/{index}")


def refs_in(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def test_every_route_is_documented(app):
    assert api_routes(app) - documented() == set()


def test_every_documented_operation_is_a_route(app):
    assert documented() - api_routes(app) == set()


def test_operation_ids_are_the_endpoint_names(app):
    endpoints = {
        (path_template(rule.rule), method.lower()): rule.endpoint.removeprefix("api_v1.")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert {(p, m): op["operationId"] for p, m, op in operations()} == endpoints


def test_the_document_is_served_as_it_is_written(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == json.loads(json.dumps(DOCUMENT))


def test_the_document_has_the_structure_of_openapi_3_1():
    Draft202012Validator.check_schema(OPENAPI_31)
    errors = [e.message for e in Draft202012Validator(OPENAPI_31).iter_errors(DOCUMENT)]
    assert errors == []


@pytest.mark.parametrize(("where", "schema"), list(schemas_in(DOCUMENT)))
def test_every_schema_is_valid_json_schema_2020_12(where, schema):
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("ref", sorted(set(refs_in(DOCUMENT))))
def test_every_reference_resolves(ref):
    try:
        REGISTRY.resolver(DOCUMENT_URI).lookup(ref)
    except Unresolvable:
        pytest.fail(f"{ref} points nowhere")


@pytest.mark.parametrize(("path", "method", "operation"), list(operations()))
def test_path_parameters_match_the_template(path, method, operation):
    declared = DOCUMENT["paths"][path].get("parameters", []) + operation.get("parameters", [])
    in_path = {p["name"] for p in declared if p["in"] == "path"}
    assert in_path == set(re.findall(r"{([^}]+)}", path))


@pytest.mark.parametrize(("path", "method", "operation"), list(operations()))
def test_write_operations_take_json(path, method, operation):
    if method in ("post", "put", "patch"):
        assert list(operation["requestBody"]["content"]) == ["application/json"]
    else:
        assert "requestBody" not in operation


def test_object_schemas_are_closed():
    for name, schema in DOCUMENT["components"]["schemas"].items():
        assert schema["additionalProperties"] is False, name
        assert set(schema["required"]) == set(schema["properties"]), name
