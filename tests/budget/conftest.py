import pytest

from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import make_user


@pytest.fixture
def admin(app):
    return make_user("Koordynatorka", role="admin")


@pytest.fixture
def resident(app):
    return make_user("Ola")


@pytest.fixture(autouse=True)
def english(request):
    """Pages in English, so the tests read the source strings (Polish is the default)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").set_cookie("lang", "en")
