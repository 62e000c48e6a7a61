"""Migrations build the schema the models describe, from an empty database."""

from collections import Counter

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from forum import create_app
from forum.extensions import db


def migrated_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    return create_app({"SQLALCHEMY_DATABASE_URI": url}, config_name="testing"), url


def test_migrations_match_models(tmp_path):
    app, url = migrated_app(tmp_path)
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        engine.dispose()
    assert differences == []


def test_migrations_downgrade_to_empty_and_up_again(tmp_path):
    app, url = migrated_app(tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        engine = create_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        upgrade()


def test_upgrading_a_database_with_data_keeps_it(tmp_path):
    """Rebuilding a table others point to (SQLite's batch mode) must not lose or block rows."""
    app, url = migrated_app(tmp_path)
    with app.app_context():
        upgrade(revision="0002")
        engine = create_engine(url)
        with engine.begin() as connection:
            run = connection.exec_driver_sql
            run(
                "INSERT INTO area (id, kind, name, slug, number, position, path) "
                "VALUES (1, 'city', 'Kraków', 'krakow', '', 0, '/1/')"
            )
            run(
                "INSERT INTO room (id, area_id, track, name, slug, description, is_public, "
                "position, created_at, last_event_seq) VALUES "
                "(1, 1, 'city', 'Pokój', 'pokoj', '', 1, 0, '2026-01-01 00:00:00', 2)"
            )
            run(
                "INSERT INTO user_account (id, display_name, email, password_hash, created_at) "
                "VALUES (1, 'Anna', 'anna@example.pl', 'x', '2026-01-01 00:00:00')"
            )
            run(
                "INSERT INTO thread (id, room_id, author_id, title, status, pinned, created_at, "
                "last_activity_at, reply_count, last_event_seq) VALUES "
                "(1, 1, 1, 'Wątek', 'open', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, 2)"
            )
            for post_id, parent in ((1, None), (2, 1)):
                run(
                    "INSERT INTO post (id, thread_id, author_id, parent_id, depth, body_source, "
                    "body_html, created_at) VALUES (?, 1, 1, ?, ?, 'x', '<p>x</p>', "
                    "'2026-01-01 00:00:00')",
                    (post_id, parent, 0 if parent is None else 1),
                )
            run(
                "INSERT INTO post_revision (id, post_id, body_source, body_html, written_at) "
                "VALUES (1, 2, 'y', '<p>y</p>', '2026-01-01 00:00:00')"
            )
        upgrade()
        with engine.connect() as connection:
            run = connection.exec_driver_sql
            assert run("SELECT count(*) FROM post").scalar() == 2
            assert run("SELECT count(*) FROM post_revision").scalar() == 1
            assert run("SELECT hidden_at FROM post WHERE id = 2").scalar() is None
            assert run("PRAGMA foreign_key_check").fetchall() == []
        engine.dispose()


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
