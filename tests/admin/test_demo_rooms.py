"""The demo's restricted rooms: their members read them, other residents do not see them."""

from forum.accounts.models import User
from forum.areas.services import load_area_tree
from forum.demo import seed_demo_data
from forum.extensions import db
from forum.transactions import transaction
from tests.conftest import app_context


def readable_rooms(email: str) -> set[str]:
    with app_context():
        user = db.session.scalars(db.select(User).where(User.email == email)).one()
        return {room.name for room in load_area_tree(user).all_rooms}


def test_the_demo_has_restricted_rooms_for_their_members(app):
    with app_context(), transaction():
        seed_demo_data()
    coordination, internal = "Koordynacja ambasadorów", "ZZM — pokój wewnętrzny"
    assert coordination in readable_rooms("piotr@example.pl")
    assert internal not in readable_rooms("piotr@example.pl")
    assert {coordination, internal} <= readable_rooms("ewa@example.pl")
    assert {coordination, internal} <= readable_rooms("admin@example.pl")
    assert not {coordination, internal} & readable_rooms("anna@example.pl")
