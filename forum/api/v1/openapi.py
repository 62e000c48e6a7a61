"""The OpenAPI 3.1 document of this API: every route of the blueprint, every status it answers."""

from flask import jsonify

from forum import realtime
from forum.api.v1.base import MAX_PAGE, bp
from forum.web import MAX_ID


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, description: str | None = None) -> dict:
    """A closed object schema: every property is required and no other is allowed."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return schema | ({"description": description} if description else {})


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def ok(description: str, properties: dict) -> dict:
    return {"description": description, "content": json_content(obj(properties))}


def error(description: str, *codes: str) -> dict:
    """An error response whose `error.code` is one of codes."""
    schema = {
        "allOf": [ref("Error")],
        "properties": {"error": {"properties": {"code": {"enum": list(codes)}}}},
    }
    return {"description": description, "content": json_content(schema)}


def shared(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def path_id(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The id of the {what}.",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    }


def json_request(properties: dict, required: list[str], description: str) -> dict:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "description": description, "content": json_content(schema)}


ID = {"type": "integer", "minimum": 1}
COUNT = {"type": "integer", "minimum": 0}
STRING = {"type": "string"}
TIMESTAMP = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601, ends in Z."}
OPTIONAL_TIMESTAMP = TIMESTAMP | {"type": ["string", "null"]}

POST_PROPERTIES = {
    "id": ID,
    "thread_id": ID,
    "parent_id": {"type": ["integer", "null"], "description": "None for the opening post."},
    "depth": {"type": "integer", "minimum": 0, "description": "0 for the opening post."},
    "author": {"oneOf": [ref("User"), {"type": "null"}], "description": "None once deleted."},
    "body_source": {"type": "string", "description": "Markdown; empty once deleted."},
    "body_html": {"type": "string", "description": "Sanitised HTML; empty once deleted."},
    "created_at": TIMESTAMP,
    "edited_at": OPTIONAL_TIMESTAMP,
    "deleted": {"type": "boolean", "description": "A tombstone keeps the replies in place."},
}

SCHEMAS = {
    "Badge": obj(
        {
            "role": {"enum": ["ambassador", "expert", "admin"]},
            "scope": {"type": "string", "description": 'Area or unit, e.g. "XIII Podgórze".'},
        },
        "A role shown beside a user's name.",
    ),
    "User": obj(
        {"id": ID, "display_name": STRING, "badges": array(ref("Badge"))},
        "A user as others see them.",
    ),
    "Room": obj(
        {
            "id": ID,
            "area_id": ID,
            "name": STRING,
            "slug": STRING,
            "track": {"enum": ["district", "city"]},
            "description": STRING,
            "thread_count": COUNT,
            "post_count": COUNT,
            "last_activity_at": OPTIONAL_TIMESTAMP,
        },
        "A discussion room of an area, with the activity of its live threads.",
    ),
    "Area": obj(
        {
            "id": ID,
            "parent_id": {"type": ["integer", "null"]},
            "kind": {"enum": ["city", "district", "subarea"]},
            "number": {"type": "string", "description": 'Roman numeral of a district, or "".'},
            "name": STRING,
            "slug": STRING,
            "rooms": array(ref("Room")),
            "children": array(ref("Area")),
        },
        "An area (city, district or osiedle) with its readable rooms and its sub-areas.",
    ),
    "Thread": obj(
        {
            "id": ID,
            "room_id": ID,
            "title": STRING,
            "author": ref("User"),
            "status": {"enum": ["open", "locked"]},
            "pinned": {"type": "boolean"},
            "deleted": {"type": "boolean"},
            "reply_count": COUNT,
            "created_at": TIMESTAMP,
            "last_activity_at": TIMESTAMP,
        }
    ),
    "Post": obj(POST_PROPERTIES, "A post; a deleted one is a tombstone with no author or words."),
    "PostWithReplies": obj(
        POST_PROPERTIES | {"replies": array(ref("PostWithReplies"))},
        "A post with the replies to it, oldest first, nested.",
    ),
    "Revision": obj(
        {"id": ID, "body_source": STRING, "body_html": STRING, "written_at": TIMESTAMP},
        "An earlier version of a post.",
    ),
    "Event": obj(
        {
            "name": {"enum": list(realtime.PUBLISHED)},
            "data": {
                "type": "object",
                "required": ["seq", "room_id", "thread_id", "thread_prev_seq"],
                "properties": {
                    "seq": {"type": "integer", "minimum": 1},
                    "room_id": ID,
                    "thread_id": {"type": ["integer", "null"]},
                    "thread_prev_seq": {"type": ["integer", "null"]},
                    "post": ref("Post"),
                    "thread": ref("Thread"),
                },
                "description": "As sent live over Socket.IO: the envelope and a post or thread.",
            },
        },
        "A logged state change of a room, in the room's sequence.",
    ),
    "Pagination": obj(
        {
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": COUNT,
            "pages": COUNT,
        }
    ),
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {"type": "string", "description": 'Stable, e.g. "thread_locked".'},
                    "message": {"type": "string", "description": "For people, translated."},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "What is wrong with each named field of the input.",
                    },
                }
            )
        }
    ),
}

RESPONSES = {
    "MalformedJson": error("The body is not a JSON object.", "malformed_json"),
    "NotAuthenticated": error("Log in first.", "not_authenticated"),
    "Forbidden": error("Not yours to change.", "forbidden"),
    "NotFound": error("No such thing, or not readable by this user.", "not_found"),
    "TooLarge": error("The body is larger than 64 KiB.", "too_large"),
    "UnsupportedMediaType": error("The body is not application/json.", "unsupported_media_type"),
    "Invalid": error("The input is invalid; `fields` says where.", "invalid"),
    "RateLimited": error("Posting too fast; wait a moment.", "rate_limited"),
}

BODY_ERRORS = {
    "400": shared("MalformedJson"),
    "413": shared("TooLarge"),
    "415": shared("UnsupportedMediaType"),
    "422": shared("Invalid"),
}

POST_BODY = {"type": "string", "description": "Markdown, at most 20 000 characters."}

PATHS = {
    "/api/v1/areas": {
        "get": {
            "operationId": "area_tree",
            "summary": "The area tree: Kraków, its 18 districts in order, their osiedla.",
            "responses": {"200": ok("The city area.", {"area": ref("Area")})},
        }
    },
    "/api/v1/rooms": {
        "get": {
            "operationId": "rooms",
            "summary": "Every room the user may read.",
            "responses": {"200": ok("The rooms.", {"rooms": array(ref("Room"))})},
        }
    },
    "/api/v1/rooms/{room_id}": {
        "parameters": [path_id("room_id", "room")],
        "get": {
            "operationId": "room",
            "summary": "One room.",
            "responses": {"200": ok("The room.", {"room": ref("Room")}), "404": shared("NotFound")},
        },
    },
    "/api/v1/rooms/{room_id}/events": {
        "parameters": [path_id("room_id", "room")],
        "get": {
            "operationId": "room_events",
            "summary": "Catch up: the room's events after a sequence number, oldest first.",
            "parameters": [
                {
                    "name": "after",
                    "in": "query",
                    "required": True,
                    "description": "The last seq the client applied (0 for all).",
                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                },
                {
                    "name": "thread_id",
                    "in": "query",
                    "description": "Only this thread's events.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                },
            ],
            "responses": {
                "200": ok(
                    "The events; if not `complete`, ask again after the last one.",
                    {
                        "events": array(ref("Event")),
                        "complete": {"type": "boolean"},
                        "last_seq": COUNT,
                    },
                ),
                "404": shared("NotFound"),
                "422": shared("Invalid"),
            },
        },
    },
    "/api/v1/rooms/{room_id}/threads": {
        "parameters": [path_id("room_id", "room")],
        "get": {
            "operationId": "room_threads",
            "summary": "A page of the room's live threads: pinned first, then by last activity.",
            "parameters": [
                {
                    "name": "page",
                    "in": "query",
                    "description": "A page past the last gives an empty list.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                },
                {
                    "name": "per_page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
            ],
            "responses": {
                "200": ok(
                    "The threads.", {"threads": array(ref("Thread")), "meta": ref("Pagination")}
                ),
                "404": shared("NotFound"),
                "422": shared("Invalid"),
            },
        },
        "post": {
            "operationId": "create_thread",
            "summary": "Start a thread with its opening post.",
            "requestBody": json_request(
                {
                    "title": {"type": "string", "description": "3 to 150 characters, trimmed."},
                    "body": POST_BODY,
                },
                ["title", "body"],
                "The thread's title and the opening post.",
            ),
            "responses": {
                "201": ok("The thread started.", {"thread": ref("Thread"), "post": ref("Post")}),
                "401": shared("NotAuthenticated"),
                "404": shared("NotFound"),
                "429": shared("RateLimited"),
                **BODY_ERRORS,
            },
        },
    },
    "/api/v1/threads/{thread_id}": {
        "parameters": [path_id("thread_id", "thread")],
        "get": {
            "operationId": "thread",
            "summary": "A thread with its posts as a tree under the opening post.",
            "responses": {
                "200": ok("The thread.", {"thread": ref("Thread"), "post": ref("PostWithReplies")}),
                "404": shared("NotFound"),
            },
        },
    },
    "/api/v1/threads/{thread_id}/posts": {
        "parameters": [path_id("thread_id", "thread")],
        "post": {
            "operationId": "create_reply",
            "summary": "Reply to the thread or, with parent_id, to a post in it.",
            "description": "Past the maximum depth a reply joins its parent's siblings.",
            "requestBody": json_request(
                {
                    "body": POST_BODY,
                    "parent_id": {
                        "type": ["integer", "null"],
                        "description": "The post replied to; the opening post if left out.",
                    },
                },
                ["body"],
                "The reply.",
            ),
            "responses": {
                "201": ok("The reply.", {"post": ref("Post")}),
                "401": shared("NotAuthenticated"),
                "404": shared("NotFound"),
                "409": error(
                    "The thread is locked or deleted, or the parent post was deleted.",
                    "thread_locked",
                    "thread_deleted",
                    "post_deleted",
                ),
                "429": shared("RateLimited"),
                **BODY_ERRORS,
            },
        },
    },
    "/api/v1/posts/{post_id}": {
        "parameters": [path_id("post_id", "post")],
        "patch": {
            "operationId": "edit_post",
            "summary": "Edit one's own post; the previous version goes to its revisions.",
            "requestBody": json_request({"body": POST_BODY}, ["body"], "The new body."),
            "responses": {
                "200": ok("The post as edited.", {"post": ref("Post")}),
                "401": shared("NotAuthenticated"),
                "403": shared("Forbidden"),
                "404": shared("NotFound"),
                "409": error("The thread is locked or deleted.", "thread_locked", "thread_deleted"),
                **BODY_ERRORS,
            },
        },
        "delete": {
            "operationId": "delete_post",
            "summary": "Delete one's own post; deleting the opening post deletes the thread.",
            "responses": {
                "200": ok("The post's tombstone.", {"post": ref("Post")}),
                "401": shared("NotAuthenticated"),
                "403": shared("Forbidden"),
                "404": shared("NotFound"),
                "409": error("The thread was deleted.", "thread_deleted"),
            },
        },
    },
    "/api/v1/posts/{post_id}/revisions": {
        "parameters": [path_id("post_id", "post")],
        "get": {
            "operationId": "post_revisions",
            "summary": "A post with its earlier versions, oldest first.",
            "responses": {
                "200": ok(
                    "The post and its history.",
                    {"post": ref("Post"), "revisions": array(ref("Revision"))},
                ),
                "404": shared("NotFound"),
            },
        },
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi_document",
            "summary": "This document.",
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": json_content(
                        {"type": "object", "required": ["openapi", "info", "paths"]}
                    ),
                }
            },
        }
    },
    "/api/v1/session": {
        "get": {
            "operationId": "session_user",
            "summary": "The logged-in user, or null for a guest.",
            "responses": {
                "200": ok("The session.", {"user": {"oneOf": [ref("User"), {"type": "null"}]}})
            },
        },
        "post": {
            "operationId": "log_in",
            "summary": "Log in; the session cookie then authenticates the next requests.",
            "requestBody": json_request(
                {"email": STRING, "password": STRING}, ["email", "password"], "The credentials."
            ),
            "responses": {
                "200": ok("Logged in.", {"user": ref("User")}),
                "401": error("Wrong e-mail address or password.", "wrong_credentials"),
                **BODY_ERRORS,
            },
        },
        "delete": {
            "operationId": "log_out",
            "summary": "Log out.",
            "responses": {"204": {"description": "Logged out."}},
        },
    },
}

DOCUMENT: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Wspólne Projekty API",
        "version": "1",
        "description": (
            "Discussion rooms of Kraków's participatory budget. Authentication is the session "
            "cookie set by POST /api/v1/session. Errors are "
            '{"error": {"code", "message", "fields"}}.'
        ),
    },
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "responses": RESPONSES},
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
