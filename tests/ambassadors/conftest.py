"""Places and words the ambassador tests share."""

import pytest

from forum.extensions import db
from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import app_context, district, make_user, room_by_slug

MOTIVATION = "Mieszkam na Zabłociu od dwudziestu lat i znam tu każdy skwer."
CONTACT = "tel. 600 100 200, po 17:00"


def zablocie_id() -> int:
    """An osiedle of XIII Podgórze."""
    with app_context():
        return room_by_slug("zablocie").area_id


def podgorze_id() -> int:
    return district("XIII").id


@pytest.fixture
def admin(app):
    return make_user("Koordynatorka", role="admin")


@pytest.fixture
def piotr(app):
    """The ambassador of XIII Podgórze, with a bio."""
    from forum.accounts.models import User

    user = make_user("Piotr", role="ambassador", scope="XIII")
    with app_context():
        db.session.get(User, user.id).bio = "Społecznik z Podgórza."
        db.session.commit()
    return user
