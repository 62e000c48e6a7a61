"""The demo's past meeting: ended last week in XIII Podgórze, with minutes, attendance and what
came of it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.demo import seed_demo_data
from forum.extensions import db, utcnow
from forum.meetings.minutes import outcomes_of, present_count
from forum.meetings.models import Meeting
from forum.notifications.models import Notification
from forum.transactions import transaction
from tests.conftest import app_context, count


def test_the_demo_has_a_past_meeting_with_minutes_and_outcomes(app, client):
    with app_context(), transaction():
        seed_demo_data()
    with app_context():
        meeting = db.session.scalar(
            select(Meeting).where(Meeting.title == "Skwer przy Lipowej: co dalej?")
        )
        assert meeting.status() == "ended" and meeting.has_minutes
        assert utcnow() - meeting.ends_at < timedelta(days=8)
        assert meeting.room.slug == "xiii-podgorze"
        assert (meeting.signup_count, present_count(meeting.id)) == (4, 4)
        assert [item.started_at is not None for item in meeting.agenda] == [True] * 3
        kinds = [("thread" if o.thread else "draft") for o in outcomes_of(meeting.id)]
        assert kinds == ["thread", "draft"]
        meeting_id = meeting.id
    # Anna, Jan, Tomasz (signed up) and Ewa (present) are told; the host is not.
    assert count(Notification, Notification.kind == "meeting_minutes") == 4
    client.set_cookie("lang", "en")
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "<h3>Ustalenia</h3>" in page and "Fontanna pitna" in page
