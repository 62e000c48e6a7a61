"""Registering: the answer never tells whether an address has an account; an e-mailed link that
works once, within its time, makes the account and logs in."""

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from forum.accounts import services
from forum.accounts.models import PendingRegistration, User
from forum.extensions import db, utcnow
from forum.mail import OUTBOX
from tests.conftest import app_context, count, district, get, make_user, update

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LINK = re.compile(r"http://localhost/register/confirm/(\S+)")


def register_form(**overrides):
    data = {
        "display_name": "Zofia",
        "email": "zofia@example.pl",
        "password": "długie hasło 123",
        "home_area_id": str(district("XIII").id),
    }
    return data | overrides


def csrf_token(client, url: str) -> str:
    return TOKEN.search(client.get(url).text).group(1)


def register(client, **overrides):
    """Send the registration form as a browser does (with the page's CSRF token)."""
    data = register_form(**overrides) | {"csrf_token": csrf_token(client, "/register")}
    return client.post("/register", data=data)


def outbox(app) -> list:
    return list(app.extensions[OUTBOX])


def link_in(message) -> str:
    """The path of the registration link in a message."""
    return "/register/confirm/" + LINK.search(message.body).group(1)


def confirm(client, path: str):
    """Press the confirmation page's button (the session's CSRF token, as a page would give)."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/register")})


def test_known_and_unknown_addresses_get_the_same_answer(csrf_app):
    first = register(csrf_app.test_client())
    assert count(User) == 0 and count(PendingRegistration) == 1
    confirm(csrf_app.test_client(), link_in(outbox(csrf_app)[-1]))
    assert count(User) == 1  # the address has an account now

    again = register(csrf_app.test_client(), email="Zofia@Example.pl ")

    assert first.status_code == again.status_code == 200
    assert sorted(first.headers.keys()) == sorted(again.headers.keys())
    assert CSRF.sub("", first.text) == CSRF.sub("", again.text)
    assert "Wysłaliśmy wiadomość na adres zofia@example.pl" in first.text


def test_known_address_stores_nothing_and_warns_its_owner(csrf_app):
    owner = make_user("Zofia")
    with app_context():
        before = db.session.get(User, owner.id).password_hash

    response = register(csrf_app.test_client(), email=owner.email.upper(), display_name="Intruz")

    assert response.status_code == 200
    assert count(User) == 1 and count(PendingRegistration) == 0
    assert get(User, owner.id).password_hash == before
    (message,) = outbox(csrf_app)
    assert message.to == owner.email
    assert "http://localhost/login" in message.body
    assert "/register/confirm/" not in message.body
    assert "Intruz" not in message.body  # nothing a stranger wrote reaches the owner


def test_both_answers_cost_one_password_hash(csrf_app, monkeypatch):
    """The slow part of the answer is the same either way, so its time tells nothing."""
    hashed = []
    real = services.hash_password
    monkeypatch.setattr(services, "hash_password", lambda pw: hashed.append(pw) or real(pw))
    owner = make_user("Zofia")

    register(csrf_app.test_client(), email="nowa@example.pl")
    register(csrf_app.test_client(), email=owner.email)

    assert hashed == ["długie hasło 123", "długie hasło 123"]


def test_the_link_makes_the_account_and_logs_in(csrf_app):
    client = csrf_app.test_client()
    register(client)
    (message,) = outbox(csrf_app)
    assert message.to == "zofia@example.pl"
    path = link_in(message)

    page = client.get(path)
    assert page.status_code == 200
    assert "zofia@example.pl" in page.text and "XIII Podgórze" in page.text
    assert count(User) == 0  # opening the link (a mail scanner does) makes nothing

    response = confirm(client, path)
    assert response.status_code == 302
    assert "Zofia" in client.get("/").text and 'action="/logout"' in client.get("/").text
    with app_context():
        user = db.session.scalars(select(User)).one()
        assert user.email == "zofia@example.pl" and user.home_area.number == "XIII"
        assert user.password_hash.startswith("scrypt:") and "długie" not in user.password_hash
    assert count(PendingRegistration) == 0


def test_the_new_account_logs_in_with_the_password_given_at_registration(csrf_app):
    client = csrf_app.test_client()
    register(client, password="moje własne hasło")
    confirm(client, link_in(outbox(csrf_app)[0]))
    other = csrf_app.test_client()
    login = {"email": "zofia@example.pl", "password": "moje własne hasło"}
    response = other.post("/login", data=login | {"csrf_token": csrf_token(other, "/login")})
    assert response.status_code == 302


def test_the_link_works_once(csrf_app):
    client = csrf_app.test_client()
    register(client)
    path = link_in(outbox(csrf_app)[0])
    assert confirm(client, path).status_code == 302

    for again in (csrf_app.test_client().get(path), confirm(csrf_app.test_client(), path)):
        assert again.status_code == 400
        assert "Ten link już nie działa" in again.text
        assert 'href="/login"' in again.text
    assert count(User) == 1


def test_a_newer_link_replaces_the_older_one(csrf_app):
    client = csrf_app.test_client()
    register(client)
    register(client, display_name="Zofia K.")
    older, newer = (link_in(message) for message in outbox(csrf_app))
    assert count(PendingRegistration) == 1
    assert confirm(client, older).status_code == 400
    assert confirm(client, newer).status_code == 302
    with app_context():
        assert db.session.scalars(select(User.display_name)).one() == "Zofia K."


def test_an_expired_link_is_refused(csrf_app, monkeypatch):
    client = csrf_app.test_client()
    register(client)
    path = link_in(outbox(csrf_app)[0])
    later = int(time.time()) + 49 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: later)

    for response in (client.get(path), confirm(client, path)):
        assert response.status_code == 400
        assert "Ten link wygasł: działa przez 48 godzin" in response.text
        assert 'href="/register"' in response.text
    assert count(User) == 0


def test_registrations_past_their_time_are_deleted(csrf_app):
    client = csrf_app.test_client()
    register(client)
    with app_context():
        stale = db.session.scalars(select(PendingRegistration.id)).one()
    update(PendingRegistration, stale, created_at=utcnow().replace(year=2020))
    register(client, email="ktos@example.pl")
    with app_context():
        assert db.session.scalars(select(PendingRegistration.email)).all() == ["ktos@example.pl"]


def flip_first_of_signature(token: str) -> str:
    payload, signature = token.rsplit(".", 1)
    return f"{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


@pytest.mark.parametrize(
    "tamper",
    [
        # The signature's first character: its last one may carry only base64's padding bits.
        flip_first_of_signature,
        lambda token: "x" + token,  # the payload
        lambda token: "not-a-token",
        # Signed by this forum, but for another purpose (another salt):
        lambda token: URLSafeTimedSerializer("test-secret", salt="other").dumps("abc"),
    ],
)
def test_a_tampered_link_is_refused(csrf_app, tamper):
    client = csrf_app.test_client()
    register(client)
    token = link_in(outbox(csrf_app)[0]).rsplit("/", 1)[1]
    path = "/register/confirm/" + tamper(token)

    for response in (client.get(path), confirm(client, path)):
        assert response.status_code == 400
        assert "Ten link jest nieprawidłowy" in response.text
    assert count(User) == 0


def test_a_link_for_an_address_taken_meanwhile_offers_login(csrf_app):
    client = csrf_app.test_client()
    register(client)
    path = link_in(outbox(csrf_app)[0])
    someone = make_user("Zofia")
    update(User, someone.id, email="zofia@example.pl")

    for response in (client.get(path), confirm(client, path)):
        assert response.status_code == 409
        assert "Konto z tym adresem e-mail już istnieje" in response.text
        assert 'href="/login"' in response.text
    assert count(User) == 1


def test_the_registration_form_lists_the_18_districts(client):
    page = client.get("/register").text
    assert len(re.findall(r'<option value="\d+"', page)) == 18


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", ""),
        ("email", "not-an-address"),
        ("password", "short"),
        ("home_area_id", ""),
        ("home_area_id", "999999"),
    ],
)
def test_registration_rejects_bad_input(app, client, field, value):
    response = client.post("/register", data=register_form(**{field: value}))
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert count(PendingRegistration) == 0 and not outbox(app)


def test_registration_rejects_a_subarea_as_home(app, client):
    from forum.areas.models import Area

    with app_context():
        subarea = db.session.scalars(select(Area).where(Area.kind == "subarea")).first()
    response = client.post("/register", data=register_form(home_area_id=str(subarea.id)))
    assert response.status_code == 422
    assert not outbox(app)


def test_registration_without_csrf_token_is_refused(csrf_app):
    response = csrf_app.test_client().post("/register", data=register_form())
    assert response.status_code == 400
    assert count(PendingRegistration) == 0 and not outbox(csrf_app)
