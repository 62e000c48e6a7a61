"""Migrations build the schema the models describe, from an empty database (SQLite's, or
PostgreSQL's when TEST_DATABASE_URL names one)."""

from collections import Counter

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from forum import create_app
from forum.extensions import db
from tests.conftest import empty_database_url


@pytest.fixture
def migrated(tmp_path):
    """An app on an empty database (in its app context), and an engine of its own on it."""
    url = empty_database_url(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, config_name="testing")
    engine = create_engine(url)
    try:
        with app.app_context():
            yield engine
            db.engine.dispose()
    finally:
        engine.dispose()


def test_migrations_match_models(migrated):
    upgrade()
    with migrated.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_downgrade_to_empty_and_up_again(migrated):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(migrated).get_table_names()) <= {"alembic_version"}
    upgrade()


def test_upgrading_a_database_with_data_keeps_it(migrated):
    """Rebuilding a table others point to (SQLite's batch mode) must not lose or block rows."""
    upgrade(revision="0002")
    with migrated.begin() as connection:
        run = connection.exec_driver_sql
        run(
            "INSERT INTO area (id, kind, name, slug, number, position, path) "
            "VALUES (1, 'city', 'Kraków', 'krakow', '', 0, '/1/')"
        )
        run(
            "INSERT INTO room (id, area_id, track, name, slug, description, is_public, "
            "position, created_at, last_event_seq) VALUES "
            "(1, 1, 'city', 'Pokój', 'pokoj', '', TRUE, 0, '2026-01-01 00:00:00', 2)"
        )
        run(
            "INSERT INTO user_account (id, display_name, email, password_hash, created_at) "
            "VALUES (1, 'Anna', 'anna@example.pl', 'x', '2026-01-01 00:00:00')"
        )
        run(
            "INSERT INTO thread (id, room_id, author_id, title, status, pinned, created_at, "
            "last_activity_at, reply_count, last_event_seq) VALUES "
            "(1, 1, 1, 'Wątek', 'open', FALSE, '2026-01-01 00:00:00', '2026-01-01 00:00:00', "
            "1, 2)"
        )
        for post_id, parent in ((1, None), (2, 1)):
            connection.execute(
                text(
                    "INSERT INTO post (id, thread_id, author_id, parent_id, depth, body_source, "
                    "body_html, created_at) VALUES (:id, 1, 1, :parent, :depth, 'x', "
                    "'<p>x</p>', '2026-01-01 00:00:00')"
                ),
                {"id": post_id, "parent": parent, "depth": 0 if parent is None else 1},
            )
        run(
            "INSERT INTO post_revision (id, post_id, body_source, body_html, written_at) "
            "VALUES (1, 2, 'y', '<p>y</p>', '2026-01-01 00:00:00')"
        )
    upgrade()
    with migrated.connect() as connection:
        run = connection.exec_driver_sql
        assert run("SELECT count(*) FROM post").scalar() == 2
        assert run("SELECT count(*) FROM post_revision").scalar() == 1
        assert run("SELECT hidden_at FROM post WHERE id = 2").scalar() is None
        if connection.dialect.name == "sqlite":  # (PostgreSQL never lets a key dangle)
            assert run("PRAGMA foreign_key_check").fetchall() == []


def test_every_constraint_and_index_has_a_name_of_its_own(app):
    """SQLite takes two constraints of one name without a word (and a comparison of migrations
    with the models then depends on which it reads first); PostgreSQL refuses them."""
    names = Counter(
        str(item.name)
        for table in db.metadata.tables.values()
        for item in (*table.constraints, *table.indexes)
        if item.name is not None
    )
    assert [name for name, uses in names.items() if uses > 1] == []
