"""Demo data and first start: one user of each role, seeded once."""

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.accounts.services import authenticate
from forum.demo import DEMO_USERS, seed_demo_data
from forum.discussion.models import Thread
from forum.extensions import db


def test_demo_has_one_user_of_each_role_with_documented_passwords(app):
    assert seed_demo_data() is True
    roles = set()
    for _name, email, password, _home, role, _scope in DEMO_USERS:
        user = authenticate(email, password)
        roles.update(grant.role for grant in user.role_grants)
        roles.add(role or "resident")
    assert roles == {"resident", "ambassador", "expert", "admin"}


def test_demo_is_seeded_once(app):
    seed_demo_data()
    users = db.session.scalar(select(func.count(User.id)))
    threads = db.session.scalar(select(func.count(Thread.id)))
    assert seed_demo_data() is False
    assert db.session.scalar(select(func.count(User.id))) == users
    assert db.session.scalar(select(func.count(Thread.id))) == threads


def test_readme_documents_demo_passwords():
    from config import BASE_DIR

    readme = (BASE_DIR / "README.md").read_text()
    for _name, email, password, *_rest in DEMO_USERS:
        assert email in readme and password in readme
