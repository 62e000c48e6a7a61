"""Flask extensions, created unbound and bound in create_app()."""

import functools
from datetime import UTC, datetime

import sqlalchemy
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached

# Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use datetime.now(timezone.utc)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


# Objects keep their loaded state after a commit: a boundary commits, then renders or acks what
# the service returned, without reloading it (each request and socket event has its own session).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
socketio = SocketIO()


def insert_unless_taken(model, values: dict, index_elements: list[str], index_where=None):
    """Insert a row unless a unique index already holds one with the same keys: its id, or None.

    This is how a "one per person" rule holds when two requests race past a service's check:
    the later insert does nothing and its transaction goes on, so the service answers with a
    clear refusal. (Not a savepoint: on SQLite, releasing a savepoint that opened the
    transaction commits it.) Column defaults apply as in any insert.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = {"sqlite": sqlite, "postgresql": postgresql}[db.session.get_bind().dialect.name]
    statement = (
        dialect.insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=index_elements, index_where=index_where)
        .returning(model.id)
    )
    return db.session.execute(statement).scalar()


def read_columns(statement, params: dict):
    """A statement of columns (no ORM objects) run on the session's own connection: in its
    transaction, after a flush of anything pending (as the session would), but without the
    ORM's work around each statement (about two thirds of a one-row read's CPU). For the reads
    made on every socket join, and the writes of every reply that read columns back."""
    db.session.flush()
    return db.session.connection().execute(statement, params)


@functools.cache
def _insert_returning_row(model):
    table = model.__table__
    return table.insert().returning(*table.c)


def insert_loaded(model, values: dict):
    """Insert one row with one INSERT … RETURNING and give it back as an object of the session,
    as if it had just been loaded: without the unit of work's flush of a new object (its cascades
    and bookkeeping cost twice the insert itself, on every reply). Defaults apply as in any
    insert; relationships load as usual (a many-to-one by id from the session, without SQL)."""
    row = read_columns(_insert_returning_row(model), values).one()
    mapper = sqlalchemy.inspect(model)
    loaded = model(**{prop.key: row._mapping[prop.columns[0]] for prop in mapper.column_attrs})
    make_transient_to_detached(loaded)  # its state is now the row's, with no changes to write
    db.session.add(loaded)
    return loaded
