"""flask commands: init-db, seed-demo, prune-events, prune-idempotency-keys, roles, room-visibility,
send-meeting-reminders.

Each command is a boundary: it runs its work in one transaction (pruning: one per batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import select

from forum import idempotency
from forum.accounts import services as accounts
from forum.accounts.models import ExpertUnit
from forum.admin.services import set_room_visibility
from forum.areas.models import Area
from forum.areas.services import seed_reference_data
from forum.budget.services import seed_budget_data
from forum.demo import seed_demo_data
from forum.errors import DomainError
from forum.extensions import db, socketio, utcnow
from forum.meetings.reminders import send_due_reminders
from forum.realtime.streams import PRUNE_BATCH, prune_events
from forum.transactions import transaction


def prepare_database(with_demo: bool) -> None:
    """Bring the schema up to date, then add reference (and demo) data that is missing."""
    upgrade()
    with transaction():
        seed_reference_data()
        seed_budget_data()
        if with_demo:
            seed_demo_data()
    prune_event_log()
    prune_idempotency_keys()


def _prune_in_batches(prune_batch: Callable[[], int]) -> int:
    """Run a pruning step (up to PRUNE_BATCH rows) until it is done, a transaction per batch.

    Between batches others get their turn (under eventlet, the one thread serves everyone).
    """
    removed = 0
    while True:
        with transaction():
            batch = prune_batch()
        removed += batch
        if batch < PRUNE_BATCH:
            return removed
        socketio.sleep(0)


def prune_event_log() -> int:
    """Drop logged events older than EVENT_LOG_RETENTION_DAYS."""
    cutoff = utcnow() - timedelta(days=current_app.config["EVENT_LOG_RETENTION_DAYS"])
    return _prune_in_batches(lambda: prune_events(cutoff))


def prune_idempotency_keys() -> int:
    """Drop idempotency keys (and the answers kept with them) older than IDEMPOTENCY_KEY_HOURS."""
    cutoff = utcnow() - idempotency.window()
    return _prune_in_batches(lambda: idempotency.prune(cutoff, PRUNE_BATCH))


def send_meeting_reminders() -> int:
    """Remind of the meetings that start soon (each once, whoever runs it first); how many
    notifications went out. Each meeting in a transaction of its own."""
    return send_due_reminders(utcnow(), transaction=transaction)


def _scope(role: str, area_slug: str | None, unit_code: str | None, required: bool = True):
    """The area or unit the role is for (None: admin, or any when not required and not given)."""
    if not required and area_slug is None and unit_code is None:
        return None
    if role == "ambassador":
        area = db.session.scalar(select(Area).where(Area.slug == area_slug))
        if area is None:
            raise click.UsageError("--area: give the slug of an area, e.g. xiii-podgorze")
        return area
    if role == "expert":
        unit = db.session.scalar(select(ExpertUnit).where(ExpertUnit.code == unit_code))
        if unit is None:
            raise click.UsageError("--unit: give a unit code, e.g. ZZM")
        return unit
    return None


@contextmanager
def command_transaction() -> Iterator[None]:
    """A command's one transaction; a refusal is a clear message and exit status 1."""
    try:
        with transaction():
            yield
    except DomainError as error:
        raise click.ClickException(error.message) from None


def role_arguments(command: Callable) -> Callable:
    """EMAIL ROLE [--area SLUG | --unit CODE]."""
    for decorate in reversed(
        [
            click.argument("email"),
            click.argument("role", type=click.Choice(accounts.ROLES)),
            click.option("--area", "area_slug", help="For an ambassador: the area's slug."),
            click.option("--unit", "unit_code", help="For an expert: the unit's code."),
        ]
    ):
        command = decorate(command)
    return command


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    @click.option("--demo/--no-demo", default=False, help="Also add demo accounts and threads.")
    def init_db(demo: bool) -> None:
        """Apply migrations and add Kraków's districts, rooms and expert units."""
        prepare_database(with_demo=demo)
        click.echo("Database ready.")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Add demo accounts and threads (once)."""
        with transaction():
            added = seed_demo_data()
        click.echo("Demo data added." if added else "Accounts exist already: nothing added.")

    @app.cli.command("prune-events")
    def prune() -> None:
        """Drop logged live events older than EVENT_LOG_RETENTION_DAYS (run.py does it hourly)."""
        click.echo(f"Removed {prune_event_log()} events.")

    @app.cli.command("prune-idempotency-keys")
    def prune_keys() -> None:
        """Drop idempotency keys older than IDEMPOTENCY_KEY_HOURS (run.py does it hourly)."""
        click.echo(f"Removed {prune_idempotency_keys()} idempotency keys.")

    @app.cli.command("send-meeting-reminders")
    def meeting_reminders() -> None:
        """Remind people of meetings starting within MEETING_REMINDER_MINUTES (run.py does it
        every minute); safe to run beside it."""
        click.echo(f"Sent {send_meeting_reminders()} meeting reminders.")

    @app.cli.command("grant-role")
    @role_arguments
    def grant_role(email: str, role: str, area_slug: str | None, unit_code: str | None) -> None:
        """Give a person a role (the first admin comes from here)."""
        with command_transaction():
            user = accounts.user_by_email(email)
            accounts.grant_role(None, user, role, _scope(role, area_slug, unit_code))
        click.echo(f"{email} is now {role}.")

    @app.cli.command("withdraw-role")
    @role_arguments
    def withdraw_role(email: str, role: str, area_slug: str | None, unit_code: str | None) -> None:
        """Take a role back; the person's open sockets lose what it gave them at once."""
        with command_transaction():
            user = accounts.user_by_email(email)
            scope = _scope(role, area_slug, unit_code, required=False)
            grants = [
                grant
                for grant in user.role_grants
                if grant.role == role and (scope is None or scope in (grant.area, grant.unit))
            ]
            if not grants:
                raise click.ClickException(f"{email} has no such role.")
            for grant in grants:
                accounts.withdraw_role(None, grant)
        click.echo(f"{email} is no longer {role}.")

    @app.cli.command("room-visibility")
    @click.argument("room_id", type=int)
    @click.argument("visibility", type=click.Choice(["public", "private"]))
    def room_visibility(room_id: int, visibility: str) -> None:
        """Open a room to everyone, or restrict it to its members and the admins."""
        with command_transaction():
            set_room_visibility(None, room_id, visibility == "public")
        click.echo(f"Room {room_id} is {visibility}.")
