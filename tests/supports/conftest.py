"""Drafts to support: a district draft of XIII Podgórze, a city-wide one, an osiedle's one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.areas.models import Area
from forum.drafts.services import start_draft
from forum.extensions import db
from forum.transactions import transaction
from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import actor, app_context, make_user


def new_draft(author, area_slug: str = "xiii-podgorze", title: str = "Ławki na Zabłociu") -> int:
    """A draft started by `author` in the area with this slug; its id."""
    with app_context(), transaction():
        area = db.session.scalar(select(Area).where(Area.slug == area_slug))
        return start_draft(actor(author), area=area, content={"title": title}).id


def city_slug() -> str:
    with app_context():
        return db.session.scalar(select(Area.slug).where(Area.kind == "city"))


@pytest.fixture
def author(app):
    return make_user("Autorka")


@pytest.fixture
def district_draft(author) -> int:
    return new_draft(author)


@pytest.fixture
def city_draft(author) -> int:
    return new_draft(author, city_slug(), "Rowery miejskie")


@pytest.fixture(autouse=True)
def english(request):
    """Pages in English, so the tests read the source strings (Polish is the default)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").set_cookie("lang", "en")
