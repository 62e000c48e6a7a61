"""Migrations build the schema the models describe, from an empty database."""

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
