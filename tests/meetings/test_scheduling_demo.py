"""The demo's upcoming meeting: in XIII Podgórze's room, residents signed up, ZZM invited."""

from sqlalchemy import select

from forum.demo import seed_demo_data
from forum.extensions import db
from forum.meetings.models import Meeting
from forum.transactions import transaction
from tests.conftest import app_context


def test_the_demo_has_an_upcoming_meeting_with_sign_ups_and_an_invited_unit(app):
    with app_context(), transaction():
        seed_demo_data()
    with app_context():
        meetings = db.session.scalars(select(Meeting)).all()
        upcoming = [m for m in meetings if m.status() == "upcoming"]
        [ours] = [m for m in upcoming if m.room.slug == "xiii-podgorze"]
        assert ours.signup_count == 3 and ours.capacity == 40
        assert [i.unit.code for i in ours.invitations] == ["ZZM"]
        assert len(ours.agenda) == 4
