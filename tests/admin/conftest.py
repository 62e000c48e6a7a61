"""Helpers of the admin area's tests."""

from __future__ import annotations

import pytest

from forum.admin.models import AuditEntry
from forum.extensions import db
from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD, app_context, make_user


def logged_in(app, user):
    """A test client logged in as the user (through the login form)."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def audit_actions() -> list[tuple[str, str]]:
    """(action, target) of every audit entry, oldest first."""
    with app_context():
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.target) for e in entries]


@pytest.fixture
def boss(app):
    """An admin."""
    return make_user("Koordynatorka", role="admin")


@pytest.fixture
def api(app) -> ApiClient:
    """The API client that checks each answer against the OpenAPI document."""
    return ApiClient(app, app.response_class, use_cookies=True)
