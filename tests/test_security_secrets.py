"""The key that signs sessions: `make run` makes its own and keeps it; production needs one."""

from __future__ import annotations

import stat

import pytest
from flask import Flask

import config
from forum import create_app
from forum.accounts.models import User
from forum.accounts.services import hash_password
from forum.areas.models import Area
from forum.areas.services import seed_reference_data
from forum.extensions import db
from forum.transactions import transaction

# The key every `make run` used to sign sessions with, published in the repository.
OLD_PUBLIC_KEY = "dev-only-not-secret"
EMAIL, PASSWORD = "anna@example.pl", "correct horse battery"


@pytest.fixture
def development(tmp_path, monkeypatch):
    """development_app(): `make run`'s app (no SECRET_KEY in the environment), on a database
    file and a key file in tmp_path, so a second call is the same server restarted."""
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    key_file = tmp_path / "instance" / "secret_key"

    def development_app(**settings) -> Flask:
        return create_app(
            {
                "SECRET_KEY_FILE": key_file,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'forum.db'}",
                "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            }
            | settings,
            config_name="development",
        )

    development_app.key_file = key_file
    return development_app


def add_anna(app: Flask) -> None:
    with app.app_context(), transaction():
        db.create_all()
        seed_reference_data()
        home = db.session.scalars(db.select(Area).where(Area.kind == "district")).first()
        db.session.add(
            User(
                display_name="Anna",
                email=EMAIL,
                password_hash=hash_password(PASSWORD),
                home_area=home,
            )
        )


def logged_in_client(app: Flask):
    client = app.test_client()
    response = client.post("/api/v1/session", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


def who(client) -> str | None:
    user = client.get("/api/v1/session").get_json()["user"]
    return user and user["display_name"]


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def signed_with(key: str, session: dict) -> str:
    """A session cookie holding `session`, signed with `key` as Flask signs them."""
    signer = Flask("forger")
    signer.secret_key = key
    return signer.session_interface.get_signing_serializer(signer).dumps(session)


def test_the_first_start_makes_a_random_key_only_its_owner_can_read(development):
    app = development()
    key = development.key_file.read_text()
    assert app.secret_key == key
    assert len(key) >= config.SECRET_KEY_MIN_LENGTH and key != OLD_PUBLIC_KEY
    assert stat.S_IMODE(development.key_file.stat().st_mode) == 0o600


def test_a_restart_keeps_the_key_and_so_the_logins(development):
    first = development()
    add_anna(first)
    browser = logged_in_client(first)
    cookie = session_cookie(browser)

    restarted = development()

    assert restarted.secret_key == first.secret_key
    same_browser = restarted.test_client()
    same_browser.set_cookie("session", cookie)
    assert who(same_browser) == "Anna"


def test_another_instance_folder_gets_another_key(development, tmp_path):
    first = development()
    other = development(SECRET_KEY_FILE=tmp_path / "elsewhere" / "secret_key")
    assert other.secret_key != first.secret_key


def test_a_cookie_signed_with_the_old_public_key_is_not_accepted(development):
    app = development()
    add_anna(app)
    with app.test_request_context():
        real = app.session_interface.get_signing_serializer(app).loads(
            session_cookie(logged_in_client(app))
        )
    assert real["_user_id"]  # what a forger needs: Anna's login, signed by them

    resigned = app.test_client()
    resigned.set_cookie("session", signed_with(app.secret_key, real))
    forged = app.test_client()
    forged.set_cookie("session", signed_with(OLD_PUBLIC_KEY, real))

    assert who(resigned) == "Anna"  # the forging itself works…
    assert who(forged) is None  # …but not with the key everyone knows


def test_the_key_from_the_environment_wins(development, monkeypatch):
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", "k" * 40)
    assert development().secret_key == "k" * 40
    assert not development.key_file.exists()


def test_an_empty_key_file_is_refused_not_used(development):
    development.key_file.parent.mkdir()
    development.key_file.write_text("\n")
    with pytest.raises(RuntimeError, match="no usable key"):
        development()


@pytest.mark.parametrize("key", [None, "", "short-but-not-empty", OLD_PUBLIC_KEY])
def test_production_refuses_to_start_without_a_long_key(monkeypatch, key):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config_name="production")


def test_production_starts_with_a_long_key(monkeypatch, tmp_path):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "p" * 64)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'forum.db'}"},
        config_name="production",
    )
    assert app.secret_key == "p" * 64
