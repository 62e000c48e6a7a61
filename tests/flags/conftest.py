"""A post in an osiedle of XIII Podgórze (Zabłocie), the residents who flag it and the people
who moderate it, or not."""

import pytest

from forum.discussion import services as discussion
from tests.api.conftest import api  # noqa: F401  (the client checked against the document)
from tests.conftest import make_user, opening_of, room_by_slug, run


@pytest.fixture
def author(app):
    return make_user("Autorka")


@pytest.fixture
def jan(app):
    return make_user("Jan")


@pytest.fixture
def ola(app):
    return make_user("Ola")


@pytest.fixture
def piotr(app):
    """An ambassador of XIII Podgórze: Zabłocie is one of its osiedla."""
    return make_user("Piotr", role="ambassador", scope="XIII")


@pytest.fixture
def marek(app):
    """An ambassador of I Stare Miasto: not of Zabłocie."""
    return make_user("Marek", role="ambassador", scope="I")


@pytest.fixture
def admin(app):
    return make_user("Koordynatorka", role="admin")


@pytest.fixture
def zablocie(app):
    return room_by_slug("zablocie")


@pytest.fixture
def post(author, zablocie):
    """The opening post of a thread in Zabłocie's room."""
    thread = run(discussion.create_thread, author, zablocie.id, "Parking", "Kupcie auta!")
    return opening_of(thread.id)
