"""People and a series the workshop tests share; series are created through the service."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from forum.extensions import utcnow
from forum.schemas import parse
from forum.workshops import services
from forum.workshops.schemas import SeriesInput
from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import make_user, run
from tests.meetings.conftest import logged_in  # noqa: F401


@pytest.fixture
def admin(app):
    """A city coordinator: creates series, hosts their workshops, moderates the city's rooms."""
    return make_user("Koordynatorka", role="admin", home="I")


@pytest.fixture
def ola(app):
    """A resident of XIII Podgórze."""
    return make_user("Ola", home="XIII")


@pytest.fixture
def ewa(app):
    """An expert of ZZM."""
    return make_user("Ewa", role="expert", scope="ZZM")


def stages(first: datetime, days_apart: int = 7) -> list[dict]:
    """Three two-hour workshops, a week apart from `first`, as a client writes them."""
    return [
        {
            "starts_at": (first + timedelta(days=days_apart * n)).isoformat(),
            "ends_at": (first + timedelta(days=days_apart * n, hours=2)).isoformat(),
        }
        for n in range(3)
    ]


def series_input(**values) -> SeriesInput:
    data = {
        "title": "Warsztaty BO 2027",
        "description": "Trzy warsztaty z ekspertami miasta.",
        "stages": stages(utcnow() + timedelta(days=3)),
    }
    data.update(values)
    return parse(SeriesInput, data)


def create(admin, now: datetime | None = None, **values) -> int:
    """Create a series; its id."""
    return run(services.create_series, admin, series_input(**values), now=now).id


@pytest.fixture
def series(admin) -> int:
    """A series whose first workshop is three days ahead."""
    return create(admin)


def add(user, series_id: int, number: int, title: str, need_ids=()) -> int:
    """A need (stage 1) or an idea (stage 2) started by the user; the item's id."""
    item = run(
        services.start_item, user, series_id, number, title, f"{title}: opis.", tuple(need_ids)
    )
    return item.id
