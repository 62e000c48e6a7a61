"""Security headers on every kind of response, HSTS over TLS only, and the CSP report endpoint."""

from __future__ import annotations

import json
import logging

import pytest

from forum import create_app
from forum.security import CSP_REPORT_PATH, REPORT_MAX_BYTES

EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def check_headers(response) -> None:
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, (name, response.headers)
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["report-uri"] == [CSP_REPORT_PATH]
    for sources in csp.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(sources), csp
    assert "Strict-Transport-Security" not in response.headers  # plain http


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/", 200),
        ("GET", "/login", 200),
        ("GET", "/threads/987654", 404),  # an error page
        ("GET", "/api/v1/rooms", 200),
        ("GET", "/api/v1/threads/987654", 404),  # an API error
        ("DELETE", "/login", 405),
        ("GET", "/static/css/forum.css", 200),
        ("GET", "/static/vendor/socket.io-client-4.8.4/socket.io.min.js", 200),
        ("GET", "/socket.io/?EIO=4&transport=polling", 200),  # Socket.IO's own answer
        ("GET", "/socket.io/?EIO=4&transport=polling&sid=nobody", 400),
    ],
)
def test_every_kind_of_response_carries_the_headers(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    check_headers(response)


def test_a_thread_page_carries_them_for_a_logged_in_person(client, auth, anna, thread):
    auth.login(anna)
    response = client.get(f"/threads/{thread.id}")
    assert response.status_code == 200 and "Wyloguj" in response.text
    check_headers(response)


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    over_tls = client.get("/login", base_url="https://forum.example")
    assert over_tls.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(over_tls.headers["Strict-Transport-Security"].split("=")[1]) >= 180 * 86400


@pytest.mark.parametrize("trusted, hsts", [(0, False), (1, True)])
def test_a_proxys_word_on_tls_counts_only_when_it_is_trusted(trusted, hsts):
    app = create_app({"TRUSTED_PROXIES": trusted}, config_name="testing")
    response = app.test_client().get(
        "/static/css/forum.css",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
    )
    assert ("Strict-Transport-Security" in response.headers) is hsts


# What Chromium sends to report-uri (application/csp-report) and to a Reporting-Endpoints
# endpoint (application/reports+json), trimmed.
LEGACY_REPORT = {
    "csp-report": {
        "document-uri": "http://127.0.0.1:5000/threads/1",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "status-code": 200,
        "script-sample": "",
    }
}
REPORTS = [
    {
        "age": 3,
        "type": "csp-violation",
        "url": "http://127.0.0.1:5000/rooms/13",
        "user_agent": "Mozilla/5.0",
        "body": {
            "blockedURL": "https://evil.example/x.png",
            "disposition": "enforce",
            "documentURL": "http://127.0.0.1:5000/rooms/13",
            "effectiveDirective": "img-src",
            "originalPolicy": "default-src 'self'",
            "referrer": "",
            "sample": "",
            "statusCode": 200,
        },
    },
    {"age": 1, "type": "deprecation", "url": "http://127.0.0.1:5000/", "body": {"id": "X"}},
]


def post_report(client, body, content_type):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(CSP_REPORT_PATH, data=data, content_type=content_type)


def violations(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "forum.security"]


def test_a_csp_report_is_logged_as_a_warning(csrf_app, caplog):
    caplog.set_level(logging.WARNING, logger="forum.security")
    response = post_report(csrf_app.test_client(), LEGACY_REPORT, "application/csp-report")
    assert response.status_code == 204  # and no CSRF token was needed
    [logged] = violations(caplog)
    assert "http://127.0.0.1:5000/threads/1" in logged
    assert "script-src-elem" in logged and "inline" in logged
    assert caplog.records[-1].levelno == logging.WARNING


def test_each_csp_violation_of_a_reporting_api_batch_is_logged(csrf_app, caplog):
    caplog.set_level(logging.WARNING, logger="forum.security")
    batch = [REPORTS[0], REPORTS[1], REPORTS[0]]
    response = post_report(csrf_app.test_client(), batch, "application/reports+json")
    assert response.status_code == 204
    logged = violations(caplog)
    assert len(logged) == 2  # the deprecation report is not a CSP violation
    assert all("img-src" in line and "https://evil.example/x.png" in line for line in logged)


def test_a_report_cannot_forge_log_lines_or_break_the_log(client, caplog):
    caplog.set_level(logging.WARNING, logger="forum.security")
    report = {"csp-report": {"document-uri": "x\nCRITICAL fake line \ud800", "blocked-uri": "y"}}
    response = post_report(client, report, "application/csp-report")
    assert response.status_code == 204
    [logged] = violations(caplog)
    assert "\n" not in logged and "\ud800" not in logged
    logged.encode("utf-8")  # a lone surrogate would fail here, and in the log handler


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b"{not json", "application/csp-report", 400),
        (b"\xff\xfe\x00", "application/reports+json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/reports+json", 400),  # nested too deep
        (b"", "application/csp-report", 400),
        (b"[]", "application/csp-report", 422),
        ({"csp-report": "inline"}, "application/csp-report", 422),
        ({"csp-report": {"document-uri": 5}}, "application/csp-report", 422),
        ({"reports": []}, "application/reports+json", 422),
        ([{"type": "csp-violation"}], "application/reports+json", 422),
        ([REPORTS[0]] * 101, "application/reports+json", 413),  # more than REPORT_MAX_BYTES
        (b" " * (REPORT_MAX_BYTES + 1), "application/csp-report", 413),
        (LEGACY_REPORT, "application/json", 415),
        (LEGACY_REPORT, "text/plain", 415),
    ],
)
def test_bad_reports_get_a_4xx(client, caplog, body, content_type, status):
    response = post_report(client, body, content_type)
    assert response.status_code == status
    assert not violations(caplog)


def test_the_report_endpoint_takes_posts_only(client):
    response = client.get(CSP_REPORT_PATH)
    assert response.status_code == 405
    check_headers(response)
