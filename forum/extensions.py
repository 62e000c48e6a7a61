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
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import instance_state, set_committed_value

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


# Session.info key: the session's transaction and its connection, as session_connection found.
_CONNECTION = "forum.connection"


def session_connection(session=None):
    """The connection of the session's transaction (beginning one if needed), as
    Session.connection() gives it, but looked up once per transaction: the session's own lookup
    (its bind, its state checks) cost as much as a one-row read, and a reply makes several."""
    session = session or db.session()
    transaction = session.get_transaction()
    held = session.info.get(_CONNECTION)
    if held is not None and transaction is not None and held[0] is transaction:
        return held[1]
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


def read_columns(statement, params: dict):
    """A statement of columns (no ORM objects) run on the session's own connection: in its
    transaction, after a flush of anything pending (as the session would), but without the
    ORM's work around each statement (about two thirds of a one-row read's CPU). For the reads
    made on every socket join, and the writes of every reply that read columns back."""
    session = db.session()
    session.flush()
    return session_connection(session).execute(statement, params)


@functools.cache
def _insert_returning_row(model):
    table = model.__table__
    return table.insert().returning(*table.c)


@functools.cache
def _loading_plan(model, table):
    """What as_loaded reads of a row of `table` for `model`: its mapper, the primary key's
    columns, and each column attribute's key with its column (looked up once, not per row)."""
    mapper = sqlalchemy.inspect(model)
    table = model.__table__ if table is None else table
    primary_key = tuple(table.c[column.key] for column in mapper.primary_key)
    attributes = tuple((prop.key, table.c[prop.columns[0].key]) for prop in mapper.column_attrs)
    return mapper, primary_key, attributes


def as_loaded(model, row, table=None):
    """The session's object for a row of the model's columns read as columns (a Core row, with
    the columns of `table`: the model's table or an alias of it), as the ORM would give it: the
    object the session holds already, or a new one with the row's values and no changes to write;
    None for an outer join's empty row.

    For the statements of every request and reply, where the ORM's loading (its row processors,
    made again for every statement with eager joins) cost more than the SQL. Relationships the
    caller does not set with `set_loaded` load as usual, lazily.
    """
    mapper, primary_key, attributes = _loading_plan(model, table)
    columns = row._mapping
    identity = tuple(columns[column] for column in primary_key)
    if identity[0] is None:
        return None
    session = db.session()
    key = mapper.identity_key_from_primary_key(identity)
    held = session.identity_map.get(key)
    if held is not None:
        return held
    loaded = mapper.class_manager.new_instance()
    state = instance_state(loaded)
    values = state.dict
    for attribute, column in attributes:
        values[attribute] = columns[column]
    # Persistent in the session, as the ORM's loading leaves an object: its state is the row's,
    # with no change to write. (Session.add would also walk every relationship of the mapper
    # for cascades, of which a freshly read object has none to follow: a third of the cost.)
    state.key = key
    session._update_impl(state)
    return loaded


def set_loaded(instance, key: str, value) -> None:
    """Set a relationship as loaded (no change to write), unless the session has loaded it."""
    if key not in instance_state(instance).dict:
        set_committed_value(instance, key, value)


def insert_loaded(model, values: dict):
    """Insert one row with one INSERT … RETURNING and give it back as an object of the session,
    as if it had just been loaded: without the unit of work's flush of a new object (its cascades
    and bookkeeping cost twice the insert itself, on every reply). Defaults apply as in any
    insert; relationships load as usual (a many-to-one by id from the session, without SQL)."""
    return as_loaded(model, read_columns(_insert_returning_row(model), values).one())
