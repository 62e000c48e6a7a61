"""Demo data and first start: one user of each role, seeded once."""

from forum.accounts.models import User
from forum.accounts.services import authenticate
from forum.demo import DEMO_USERS, seed_demo_data
from forum.discussion.models import Thread
from forum.notifications.models import Notification
from forum.transactions import transaction
from tests.conftest import app_context, count


def seed() -> bool:
    with app_context(), transaction():
        return seed_demo_data()


def test_demo_has_one_user_of_each_role_with_documented_passwords(app):
    assert seed() is True
    roles = set()
    with app_context():
        for _name, email, password, _home, role, _scope in DEMO_USERS:
            user = authenticate(email, password)
            roles.update(grant.role for grant in user.role_grants)
            roles.add(role or "resident")
    assert roles == {"resident", "ambassador", "expert", "admin"}


def test_demo_is_seeded_once(app):
    seed()
    users, threads = count(User), count(Thread)
    assert seed() is False
    assert count(User) == users and count(Thread) == threads


def test_demo_replies_leave_notifications(app):
    seed()
    assert count(Notification) > 0


def test_readme_documents_demo_passwords():
    from config import BASE_DIR

    readme = (BASE_DIR / "README.md").read_text()
    for _name, email, password, *_rest in DEMO_USERS:
        assert email in readme and password in readme


def test_demo_has_a_moderation_log(app):
    from forum.moderation.models import ModerationEntry

    seed()
    with app_context():
        from sqlalchemy import select

        from forum.extensions import db

        actions = set(db.session.scalars(select(ModerationEntry.action)))
        pinned = db.session.scalars(select(Thread).where(Thread.pinned)).all()
    assert {"thread_pinned", "post_hidden", "thread_locked"} <= actions
    assert [t.title for t in pinned] == ["Zasady rozmowy w pokoju dzielnicy"]
