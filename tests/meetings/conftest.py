"""People and meetings the meeting tests share; meetings are scheduled through the service."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from forum.extensions import utcnow
from forum.meetings import services
from forum.meetings.schemas import MeetingInput
from forum.schemas import parse
from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import PASSWORD, make_user, room_of, run


@pytest.fixture
def piotr(app):
    """An ambassador of XIII Podgórze: hosts meetings there."""
    return make_user("Piotr", role="ambassador", scope="XIII")


@pytest.fixture
def ewa(app):
    """An expert of ZZM."""
    return make_user("Ewa", role="expert", scope="ZZM")


@pytest.fixture
def ola(app):
    """A resident of XIII Podgórze."""
    return make_user("Ola", home="XIII")


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def meeting_input(**values) -> MeetingInput:
    """A meeting's details, as a client sends them (times as ISO 8601 text)."""
    start = utcnow() + timedelta(days=3)
    data = {
        "title": "Zieleń na Zabłociu",
        "description": "Rozmawiamy o skwerze przy Lipowej.",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "agenda": [
            {"title": "Powitanie", "planned_minutes": 10},
            {"title": "Potrzeby", "planned_minutes": 50},
            {"title": "Pytania do ekspertów", "planned_minutes": 60},
        ],
    }
    data.update(values)
    return parse(MeetingInput, data)


def schedule(host, room_number: str = "XIII", now: datetime | None = None, **values) -> int:
    """Schedule a meeting in a district's room; its id."""
    room_id = room_of(room_number).id
    data = meeting_input(**values)
    return run(services.schedule_meeting, host, room_id, data, now=now).id


@pytest.fixture
def meeting(piotr) -> int:
    """An upcoming meeting in XIII Podgórze hosted by Piotr, three days ahead."""
    return schedule(piotr)


@pytest.fixture
def live_meeting(piotr) -> int:
    """A meeting that started 20 minutes ago and runs for two hours more."""
    start = utcnow() - timedelta(minutes=20)
    return schedule(
        piotr,
        now=start - timedelta(days=1),
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=2, minutes=20)).isoformat(),
    )


@pytest.fixture
def ended_meeting(piotr) -> int:
    """A meeting that ended an hour ago."""
    start = utcnow() - timedelta(hours=3)
    return schedule(
        piotr,
        now=start - timedelta(days=1),
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=2)).isoformat(),
    )
