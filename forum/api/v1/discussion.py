"""Threads and posts: read the tree, start threads, reply, edit and delete."""

from flask import jsonify
from flask_login import current_user

from forum import serialize
from forum.api.v1.base import bp, json_body, page_args
from forum.discussion import services
from forum.inputs import id_field, text_field


@bp.get("/rooms/<int:room_id>/threads")
def room_threads(room_id: int):
    page, per_page = page_args()
    _room, threads = services.list_threads(current_user, room_id, page=page, per_page=per_page)
    return jsonify(
        {
            "threads": [serialize.thread(t) for t in threads.items],
            "meta": {
                "page": page,
                "per_page": per_page,
                "total": threads.total,
                "pages": threads.pages,
            },
        }
    )


@bp.post("/rooms/<int:room_id>/threads")
def create_thread(room_id: int):
    data = json_body()
    thread = services.create_thread(
        current_user, room_id, text_field(data, "title"), text_field(data, "body")
    )
    tree = services.load_post_tree(current_user, thread.id)
    return jsonify({"thread": serialize.thread(thread), "post": serialize.post(tree.opening)}), 201


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int):
    tree = services.load_post_tree(current_user, thread_id)
    return jsonify({"thread": serialize.thread(tree.thread), "post": serialize.post_tree(tree)})


@bp.post("/threads/<int:thread_id>/posts")
def create_reply(thread_id: int):
    data = json_body()
    post = services.create_reply(
        current_user, thread_id, text_field(data, "body"), id_field(data, "parent_id")
    )
    return jsonify({"post": serialize.post(post)}), 201


@bp.patch("/posts/<int:post_id>")
def edit_post(post_id: int):
    post = services.edit_post(current_user, post_id, text_field(json_body(), "body"))
    return jsonify({"post": serialize.post(post)})


@bp.delete("/posts/<int:post_id>")
def delete_post(post_id: int):
    return jsonify({"post": serialize.post(services.delete_post(current_user, post_id))})


@bp.get("/posts/<int:post_id>/revisions")
def post_revisions(post_id: int):
    post, revisions = services.post_history(current_user, post_id)
    return jsonify(
        {"post": serialize.post(post), "revisions": [serialize.revision(r) for r in revisions]}
    )
