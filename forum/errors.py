"""Domain errors and their HTML, JSON and socket renderings (one error object everywhere)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """An operation refused; carries what the client needs to explain it."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers that go with the error's answer."""
        return {}

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class ValidationError(DomainError):
    status = 422
    code = "invalid"


def field_error(field: str, message: str) -> ValidationError:
    """A refusal of one field's value, shown beside that field (forms) or under its name (API)."""
    return ValidationError(_("Some fields need correcting."), {field: message})


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too fast: `retry_after` seconds from now it would be accepted (forum/ratelimits.py)."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["retry_after"] = self.retry_after
        return body


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def register_error_handlers(app) -> None:
    from forum.web import local_url

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if _wants_json():
            return jsonify(error.to_dict()), error.status, error.headers
        if isinstance(error, NotAuthenticated):
            flash(error.message)
            back = request.path if request.method == "GET" else request.referrer
            return redirect(url_for("accounts.login", next=local_url(back)))
        page = render_template("errors/error.html", status=error.status, message=error.message)
        return page, error.status, error.headers

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        message = _("The form expired or was sent from elsewhere. Reload the page and try again.")
        if _wants_json():
            return jsonify(error_body("csrf", message)), 400
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        messages = {
            400: _("The request could not be understood."),
            401: _("Log in first."),
            403: _("You may not do this."),
            404: _("There is nothing here."),
            405: _("This method is not allowed here."),
            409: _("This conflicts with the current state; reload and try again."),
            413: _("The request is too large."),
            415: _("This content type is not accepted here."),
            429: _("Too many requests; wait a moment and try again."),
        }
        message = messages.get(status, _("Something went wrong on our side."))
        # What the exception says beside its page (Allow on a 405, Retry-After on a 429) stays.
        headers = [
            (name, value)
            for name, value in error.get_headers(request.environ)
            if name.lower() != "content-type"
        ]
        if _wants_json():
            body = jsonify(error_body(HTTP_CODES.get(status, "error"), message))
            return body, status, headers
        return render_template("errors/error.html", status=status, message=message), status, headers
