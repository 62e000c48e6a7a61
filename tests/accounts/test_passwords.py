"""A new password (forum/accounts/passwords.py): long enough, not one of Django's 20,000 common
passwords, not the person's own e-mail or name, not one character repeated."""

import gzip

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from forum.accounts.models import PendingRegistration, User
from forum.accounts.passwords import (
    COMMON_PASSWORDS_FILE,
    PASSWORD_MIN_LENGTH,
    check_password,
    common_passwords,
)
from forum.extensions import db
from tests.conftest import app_context, count, district

EMAIL = "zofia.kowalska@example.pl"
NAME = "Zofia Kowalska"

# (password, what the message names), for Zofia Kowalska <zofia.kowalska@example.pl>.
REFUSED = [
    ("krótkie", "at least 10 characters"),
    ("", "at least 10 characters"),
    ("aaaaaaaaaa", "repeats one or two characters"),  # the audit's
    ("ababababababab", "repeats one or two characters"),
    ("          ", "repeats one or two characters"),
    ("1234567890", "most common"),
    ("qwertyuiop", "most common"),
    ("Password123", "most common"),  # compared lowercased, as Django does
    ("iloveyou12", "most common"),
    ("zaq1xsw2cde3", "most common"),
    (EMAIL, "e-mail"),  # the audit's: the e-mail itself
    (EMAIL.upper(), "e-mail"),
    ("zofia.kowalska!", "e-mail"),  # the local part
    ("moje-kowalska-2024", "e-mail"),  # a part of the local part
    ("Zofia Kowalska", "e-mail"),  # the name here equals the local part's parts
    ("hasło: zofia kowalska", "e-mail"),
]
ACCEPTED = [
    "długie hasło 123",
    "bezpieczne hasło",
    "Lipowa-skwer-7-drzew",
    "correct horse battery",
    "zośka z podgórza",  # "zofia" is not in it
    "ab" * 5 + "c",
]


@pytest.mark.parametrize(("password", "named"), REFUSED)
def test_refused_passwords_get_a_message_naming_why(app, password, named):
    with app.test_request_context("/"), force_locale("en"):
        problem = check_password(password, EMAIL, NAME)
    assert problem is not None and named in problem


@pytest.mark.parametrize("password", ACCEPTED)
def test_good_passwords_pass(app, password):
    with app.test_request_context("/"):
        assert check_password(password, EMAIL, NAME) is None


def test_the_name_is_checked_apart_from_the_e_mail(app):
    with app.test_request_context("/"), force_locale("en"):
        assert "your name" in check_password(
            "Brzęczyszczykiewicz!", "jan@example.pl", "Jan Brzęczyszczykiewicz"
        )
        assert "your name" in check_password(
            "JAN BRZĘCZYSZCZYKIEWICZ", "jb@example.pl", "Jan Brzęczyszczykiewicz"
        )
        # Short pieces ("jan", "jb") occur in ordinary passwords by chance: not refused.
        assert check_password("janowe drzewa", "jb@example.pl", "Jan") is None


def test_messages_are_polish_by_default(app):
    with app.test_request_context("/"):
        assert check_password("aaaaaaaaaa", EMAIL, NAME) == (
            "Hasło powtarza jeden lub dwa znaki; użyj więcej różnych."
        )
        assert (
            check_password(EMAIL, EMAIL, NAME) == "Hasło zawiera Twój adres e-mail; wybierz inne."
        )
        assert check_password("1234567890", EMAIL, NAME) == (
            "To jedno z najczęściej używanych haseł; wybierz inne."
        )


def test_the_common_list_is_djangos_whole_list_read_once():
    assert common_passwords() is common_passwords()
    assert isinstance(common_passwords(), frozenset)
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        assert len(common_passwords()) == len({line.strip() for line in lines}) > 19_000
    long_ones = [p for p in common_passwords() if len(p) >= PASSWORD_MIN_LENGTH]
    assert len(long_ones) > 1_000  # enough of them are long enough to matter here


def register_form(**fields) -> dict:
    return {
        "display_name": NAME,
        "email": EMAIL,
        "password": "długie hasło 123",
        "home_area_id": str(district("XIII").id),
    } | fields


@pytest.mark.parametrize(("password", "_named"), REFUSED)
def test_registration_refuses_the_password_with_a_field_error(app, client, password, _named):
    with app.test_request_context("/"):
        message = check_password(password, EMAIL, NAME)
    response = client.post("/register", data=register_form(password=password))
    assert response.status_code == 422
    assert message in response.text
    assert count(User) == count(PendingRegistration) == 0


def test_registration_compares_with_the_e_mail_as_stored(client):
    """The address is stored trimmed and lowercased; so is what the password is compared with."""
    response = client.post(
        "/register", data=register_form(email=f"  {EMAIL.upper()} ", password=EMAIL)
    )
    assert response.status_code == 422
    assert count(User) == count(PendingRegistration) == 0


def test_registration_accepts_a_good_password(client):
    assert client.post("/register", data=register_form()).status_code == 200
    with app_context():
        assert db.session.scalars(select(PendingRegistration.email)).one() == EMAIL
