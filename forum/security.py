"""Security headers on every response, and the endpoint that logs Content-Security-Policy
violations.

The headers are added by WSGI middleware around the whole application, so pages, the API,
static files, error pages and Socket.IO's long-polling answers all carry them.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, request
from flask_babel import gettext as _
from pydantic import Field
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from forum import ratelimits
from forum.errors import DomainError, UnsupportedMediaType
from forum.schemas import Input, parse

logger = logging.getLogger(__name__)

CSP_REPORT_PATH = "/csp-report"

# Nothing inline: every script and style is a file of the forum's own. 'self' in connect-src
# covers the socket's same-origin ws:/wss: too (CSP level 3; Chromium 71+, Firefox, Safari 16+).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        # report-uri, not report-to: every browser sends report-uri's reports at once, while
        # Chromium, given report-to, ignores report-uri and (seen with Chromium 156 over http)
        # sent no Reporting-API report at all. The endpoint reads both formats.
        f"report-uri {CSP_REPORT_PATH}",
    ]
)
HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers that predate it
]
# Only over TLS: a browser ignores it over plain http, and a site reached by IP over http
# (make run) must not be pinned to https.
STRICT_TRANSPORT_SECURITY = ("Strict-Transport-Security", "max-age=31536000")


def with_security_headers(wsgi_app):
    """Wrap a WSGI app so each response carries HEADERS (unless it set one itself), and HSTS
    when the request came over https (as ProxyFix reports it behind a proxy)."""

    def app(environ, start_response):
        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            added = [header for header in HEADERS if header[0].lower() not in present]
            if environ.get("wsgi.url_scheme") == "https":
                added.append(STRICT_TRANSPORT_SECURITY)
            return start_response(status, headers + added, exc_info)

        return wsgi_app(environ, start_with_headers)

    return app


def behind_proxies(wsgi_app, trusted_proxies: int):
    """Believe the client address and scheme that `trusted_proxies` reverse proxies forward
    (X-Forwarded-For, X-Forwarded-Proto); with none, the connection's own."""
    if trusted_proxies <= 0:
        return wsgi_app
    return ProxyFix(wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies)


# What a CSP report may weigh: one violation is well under 2 KiB, a batch holds a few.
REPORT_MAX_BYTES = 16 * 1024
LOGGED_CHARACTERS = 300  # of each URL and directive


class LegacyViolation(Input):
    """The body of `report-uri`'s application/csp-report (CSP level 2)."""

    lone_surrogates_allowed = True  # only logged, quoted: a report is taken as the browser sent it

    document_uri: str = Field("", alias="document-uri")
    violated_directive: str = Field("", alias="violated-directive")
    effective_directive: str = Field("", alias="effective-directive")
    blocked_uri: str = Field("", alias="blocked-uri")


class LegacyReport(Input):
    csp_report: LegacyViolation = Field(alias="csp-report")


class ViolationBody(Input):
    """A csp-violation report's body in the Reporting API."""

    lone_surrogates_allowed = True  # only logged, quoted, as LegacyViolation

    documentURL: str = ""
    effectiveDirective: str = ""
    blockedURL: str = ""


class Report(Input):
    type: str
    body: ViolationBody


class ReportBatch(Input):
    """application/reports+json: a list of reports (wrapped here to be read as an object)."""

    reports: list[Report] = Field(max_length=100)


bp = Blueprint("security", __name__)


@bp.post(CSP_REPORT_PATH)
def csp_report():
    """Log each violation a browser reports; browsers ignore the answer."""
    ratelimits.hit_from_address(ratelimits.CSP_REPORT)
    if request.mimetype == "application/csp-report":
        violation = parse(LegacyReport, read_report()).csp_report
        log_violation(
            violation.document_uri,
            violation.effective_directive or violation.violated_directive,
            violation.blocked_uri,
        )
    elif request.mimetype == "application/reports+json":
        for report in parse(ReportBatch, {"reports": read_report()}).reports:
            if report.type == "csp-violation":
                body = report.body
                log_violation(body.documentURL, body.effectiveDirective, body.blockedURL)
    else:
        raise UnsupportedMediaType(_("This content type is not accepted here."))
    return "", 204


def read_report():
    """The request's JSON, read no further than REPORT_MAX_BYTES."""
    body = request.stream.read(REPORT_MAX_BYTES + 1)
    if len(body) > REPORT_MAX_BYTES:
        raise RequestEntityTooLarge()
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
        raise DomainError(_("The request could not be understood.")) from None


def log_violation(document: str, directive: str, blocked: str) -> None:
    # %r: a report is anyone's text; quoted, it cannot forge a log line or break the encoding.
    logger.warning(
        "CSP violation on %r: %r blocked %r",
        document[:LOGGED_CHARACTERS],
        directive[:LOGGED_CHARACTERS],
        blocked[:LOGGED_CHARACTERS],
    )
