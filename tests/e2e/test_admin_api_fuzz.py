"""Schemathesis against the admin API, as the demo's admin: whatever it sends (valid and invalid
input alike) gets no 5xx, and every answer is one the document declares. The admin's own admin
role cannot be withdrawn, so the run stays an admin's throughout."""

import pytest
import requests

from tests.e2e.conftest import ForumServer
from tests.e2e.test_api_fuzz import OPERATIONS, fuzz

pytestmark = pytest.mark.e2e

ADMIN = ("admin@example.pl", "admin-demo-123")  # as in README.md


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    server = ForumServer(tmp_path_factory.mktemp("admin-fuzz") / "forum.db")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin_schema(admin_server):
    import schemathesis

    return schemathesis.openapi.from_url(admin_server.url + "/api/v1/openapi.json")


@pytest.fixture(scope="module")
def admin(admin_server):
    session = requests.Session()
    email, password = ADMIN
    answer = session.post(
        admin_server.url + "/api/v1/session",
        json={"email": email, "password": password},
        timeout=10,
    )
    assert answer.status_code == 200
    return session


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if "/admin/" in op[1]])
def test_the_admin_api_answers_an_admin_as_documented(admin_schema, admin, method, path):
    fuzz(admin_schema, method, path, admin)
