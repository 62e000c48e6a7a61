"""Language choice (Polish by default, English selectable) and date display in Europe/Warsaw."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request
from flask_babel import format_datetime, get_locale

from forum.web import local_url

bp = Blueprint("i18n", __name__)

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"pl": "Polski", "en": "English"}


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/lang/<code>")
def choose_language(code: str):
    response = redirect(local_url(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def register_template_helpers(app) -> None:
    app.add_template_filter(lambda value: format_datetime(value, "d MMM y, HH:mm"), "local_time")
    app.add_template_filter(lambda value: value.isoformat() if value else "", "iso")
    app.add_template_global(LANGUAGE_NAMES, "language_names")
    app.add_template_global(lambda: str(get_locale()), "current_language")
