"""What the tests of running meetings share."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.extensions import db, utcnow
from tests.conftest import app_context
from tests.meetings.conftest import schedule


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
