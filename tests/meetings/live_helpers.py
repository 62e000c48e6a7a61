"""What the tests of running meetings share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.extensions import db, utcnow
from forum.meetings.models import Meeting
from forum.transactions import transaction
from tests.conftest import app_context
from tests.meetings.conftest import schedule


@pytest.fixture(autouse=True)
def leave_the_agenda(app):
    """The test database is dropped table by table after each test, and a meeting's current
    item points back into agenda_item: clear it first, or the drop breaks that foreign key."""
    yield
    with app_context(), transaction():
        db.session.execute(db.update(Meeting).values(current_item_id=None))


def zzm() -> int:
    with app_context():
        return db.session.scalars(select(ExpertUnit.id).where(ExpertUnit.code == "ZZM")).one()


def running(host, **values) -> int:
    """A meeting that started 20 minutes ago, as the live_meeting fixture, with these values."""
    start = utcnow() - timedelta(minutes=20)
    return schedule(
        host,
        now=start - timedelta(days=1),
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=2, minutes=20)).isoformat(),
        **values,
    )
