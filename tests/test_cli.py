"""The operator's commands: roles, room visibility (prune-events: tests/realtime)."""

import pytest
from sqlalchemy import select

from forum.accounts.models import RoleGrant
from forum.areas.models import Room
from forum.extensions import db
from tests.conftest import app_context, count, get, make_user, room_of


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def roles_of(user) -> set[str]:
    with app_context():
        return set(db.session.scalars(select(RoleGrant.role).where(RoleGrant.user_id == user.id)))


def test_grant_and_withdraw_roles(cli, anna):
    assert cli("grant-role", anna.email, "admin").exit_code == 0
    result = cli("grant-role", anna.email.upper(), "ambassador", "--area", "xiii-podgorze")
    assert result.exit_code == 0 and "ambassador" in result.output
    assert cli("grant-role", anna.email, "expert", "--unit", "ZZM").exit_code == 0
    assert roles_of(anna) == {"admin", "ambassador", "expert"}
    assert cli("grant-role", anna.email, "admin").exit_code == 0  # twice is once
    assert count(RoleGrant, RoleGrant.role == "admin") == 1
    assert cli("withdraw-role", anna.email, "ambassador").exit_code == 0
    assert roles_of(anna) == {"admin", "expert"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.pl", "admin"], "nie ma takiego użytkownika"),
        (["{email}", "ambassador", "--area", "atlantyda"], "--area"),
        (["{email}", "expert"], "--unit"),
        (["{email}", "wizard"], "wizard"),
    ],
)
def test_grant_role_refuses_clearly(cli, anna, args, message):
    result = cli("grant-role", *[arg.format(email=anna.email) for arg in args])
    assert result.exit_code != 0
    assert message.lower() in result.output.lower()
    assert count(RoleGrant) == 0


def test_withdrawing_a_role_one_does_not_have_is_refused(cli, anna):
    result = cli("withdraw-role", anna.email, "admin")
    assert result.exit_code == 1 and "no such role" in result.output


def test_room_visibility(cli):
    room_id = room_of("XIII").id
    assert cli("room-visibility", str(room_id), "private").exit_code == 0
    assert get(Room, room_id).is_public is False
    assert cli("room-visibility", str(room_id), "public").exit_code == 0
    assert get(Room, room_id).is_public is True
    assert cli("room-visibility", "999999", "public").exit_code == 1


def test_an_admin_made_on_the_command_line_moderates(cli, app):
    user = make_user("Koordynatorka")
    cli("grant-role", user.email, "admin")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert client.get("/api/v1/session").get_json()["user"]["badges"] == [
        {"role": "admin", "scope": ""}
    ]
