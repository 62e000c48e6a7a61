"""Fixtures: a fresh in-memory database per test, clients, and helpers to make users and threads."""

from __future__ import annotations

import itertools

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

from forum import create_app
from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.accounts.services import hash_password
from forum.areas.models import Area, Room
from forum.areas.services import seed_reference_data
from forum.discussion import services
from forum.extensions import db

PASSWORD = "correct horse battery"
_emails = itertools.count(1)


class FreshRequestClient(FlaskClient):
    """Each request starts with an empty `g`, as in production where it has its own app context.

    Tests keep one app context open (to call services between requests), which Flask would
    otherwise share with every request, carrying the logged-in user and locale over.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app():
    app = create_app({"WTF_CSRF_ENABLED": False}, config_name="testing")
    app.test_client_class = FreshRequestClient
    with app.app_context():
        db.create_all()
        seed_reference_data()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF checks on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def district(number: str) -> Area:
    return db.session.scalars(
        db.select(Area).where(Area.kind == "district", Area.number == number)
    ).one()


def room_of(number: str) -> Room:
    """The main room of a district, by its Roman numeral."""
    return district(number).rooms[0]


def make_user(
    name: str = "Resident", role: str | None = None, scope: str | None = None, home: str = "XIII"
) -> User:
    """A user; role is "ambassador" (scope: district numeral), "expert" (unit code) or "admin"."""
    user = User(
        display_name=name,
        email=f"user{next(_emails)}@example.pl",
        password_hash=hash_password(PASSWORD),
        home_area=district(home),
    )
    if role == "ambassador":
        user.role_grants.append(RoleGrant(role=role, area=district(scope)))
    elif role == "expert":
        unit = db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == scope)).one()
        user.role_grants.append(RoleGrant(role=role, unit=unit))
    elif role == "admin":
        user.role_grants.append(RoleGrant(role=role))
    db.session.add(user)
    db.session.commit()
    return user


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user: User, password: str = PASSWORD):
        return self.client.post("/login", data={"email": user.email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def anna(app):
    """A resident of XIII Podgórze."""
    return make_user("Anna")


@pytest.fixture
def jan(app):
    return make_user("Jan")


@pytest.fixture
def thread(anna):
    """Anna's thread in XIII Podgórze."""
    return services.create_thread(anna, room_of("XIII").id, "Skwer przy Lipowej", "Zielony skwer?")
