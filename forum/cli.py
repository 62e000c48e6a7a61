"""flask commands: init-db, seed-demo."""

from __future__ import annotations

import click
from flask import Flask
from flask_migrate import upgrade

from forum.areas.services import seed_reference_data
from forum.demo import seed_demo_data


def prepare_database(with_demo: bool) -> None:
    """Bring the schema up to date, then add reference (and demo) data that is missing."""
    upgrade()
    seed_reference_data()
    if with_demo:
        seed_demo_data()


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
        click.echo(
            "Demo data added." if seed_demo_data() else "Accounts exist already: nothing added."
        )
