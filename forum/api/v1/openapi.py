"""The OpenAPI 3 document of this API (being written)."""

from flask import jsonify

from forum.api.v1.base import bp

DOCUMENT: dict = {
    "openapi": "3.1.0",
    "info": {"title": "Wspólne Projekty API", "version": "1"},
    "paths": {},
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
