"""Log in and out for API clients (the session cookie, as in the browser)."""

from flask import jsonify
from flask_login import current_user, login_user, logout_user

from forum import serialize
from forum.accounts.services import authenticate
from forum.api.v1.base import bp, json_body
from forum.inputs import text_field


@bp.get("/session")
def session_user():
    account = current_user if current_user.is_authenticated else None
    return jsonify({"user": serialize.user(account) if account else None})


@bp.post("/session")
def log_in():
    data = json_body()
    account = authenticate(text_field(data, "email"), text_field(data, "password"))
    login_user(account)
    return jsonify({"user": serialize.user(account)})


@bp.delete("/session")
def log_out():
    logout_user()
    return "", 204
