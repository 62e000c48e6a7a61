"""Schemathesis against the API of a real server: what it generates from /api/v1/openapi.json
(valid and invalid input alike) gets no 5xx, and every answer is one the document declares.

Bounded and deterministic: a fixed number of examples per operation and mode, derandomised (no
random seed, no example database), so a failure here fails every time. It runs in `make test`
with the other end-to-end tests.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forum.api.v1.openapi import document
from tests.e2e.conftest import DEMO_PASSWORDS, ForumServer

pytestmark = pytest.mark.e2e

EXAMPLES = 8  # per operation and mode: both users together stay well under a minute
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A logged-in run that logged itself out would go on as a guest.
LOGS_OUT = {("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/sessions")}


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    server = ForumServer(tmp_path_factory.mktemp("fuzz") / "forum.db")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_schema(api_server):
    return schemathesis.openapi.from_url(api_server.url + "/api/v1/openapi.json")


@pytest.fixture(scope="module")
def resident(api_server):
    """Anna of the demo data, logged in over the API."""
    session = requests.Session()
    answer = session.post(
        api_server.url + "/api/v1/session",
        json={"email": "anna@example.pl", "password": DEMO_PASSWORDS["anna@example.pl"]},
        timeout=10,
    )
    assert answer.status_code == 200
    return session


# Every operation the document declares (made here from the same declarations the server uses).
OPERATIONS = [
    (method.upper(), path) for path, item in document()["paths"].items() for method in item
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing case is reported as met
    suppress_health_check=list(HealthCheck),
)


def fuzz(schema, method: str, path: str, session: requests.Session) -> None:
    operation = schema[path][method]
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy(generation_mode=mode))
        def answered_as_documented(case):
            case.call_and_validate(session=session, checks=CHECKS, timeout=10)

        try:
            answered_as_documented()
        except Unsatisfiable:
            assert mode is schemathesis.GenerationMode.NEGATIVE  # no input to get wrong


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_api_answers_a_guest_as_documented(api_schema, method, path):
    with requests.Session() as guest:
        fuzz(api_schema, method, path, guest)


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if op not in LOGS_OUT])
def test_the_api_answers_a_resident_as_documented(api_schema, resident, method, path):
    fuzz(api_schema, method, path, resident)
