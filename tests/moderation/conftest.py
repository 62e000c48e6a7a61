"""People and places of the moderation tests: XIII Podgórze with its osiedle Zabłocie, and
I Stare Miasto next door."""

import pytest

from forum.discussion import services
from tests.api.conftest import ApiClient
from tests.conftest import make_user, room_by_slug, room_of, run


@pytest.fixture
def amb13(app):
    """An ambassador of XIII Podgórze (and so of its osiedla)."""
    return make_user("Piotr", role="ambassador", scope="XIII")


@pytest.fixture
def amb1(app):
    """An ambassador of I Stare Miasto."""
    return make_user("Ewa", role="ambassador", scope="I")


@pytest.fixture
def reply(thread, jan):
    """Jan's reply in Anna's thread in XIII."""
    return run(services.create_reply, jan, thread.id, "Odpowiedź Jana")


@pytest.fixture
def zablocie_thread(anna):
    return run(
        services.create_thread, anna, room_by_slug("zablocie").id, "Bulwary", "Co z bulwarami?"
    )


def second_room_of(number: str):
    """Another room of the district: the first room of its first osiedle."""
    return room_by_slug("zablocie") if number == "XIII" else room_of(number)


@pytest.fixture
def api(app) -> ApiClient:
    """The API's checking client (tests/api/conftest.py)."""
    return ApiClient(app, app.response_class, use_cookies=True)
