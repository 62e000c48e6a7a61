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


def read_columns(statement, params: dict, session=None):
    """A statement of columns (no ORM objects) run on the session's own connection: in its
    transaction, after a flush of anything pending (as the session would), but without the
    ORM's work around each statement (about two thirds of a one-row read's CPU), and, where
    nothing is computed in Python for it, without Core's either (see _Prepared). For the
    statements of every request, socket join and reply; they must be built once (cached), not
    per call. Its rows are read by index, by name, and through ``_mapping`` by column. The
    session is the request's unless given (a session event's own)."""
    session = session or db.session()
    session.flush()
    connection = session_connection(session)
    prepared = _prepared(statement, connection.dialect, tuple(params))
    if prepared is None:
        return connection.execute(statement, params)
    return prepared.run(connection, params)


def write_rows(statement, rows: list[dict], session=None) -> None:
    """A prebuilt statement run once for each of the rows (the DB-API's executemany), as
    read_columns runs one: straight on the cursor unless Core would compute something for it.
    Every row must have the same keys."""
    session = session or db.session()
    session.flush()
    connection = session_connection(session)
    prepared = _prepared(statement, connection.dialect, tuple(rows[0]))
    if prepared is None:
        connection.execute(statement, rows)
    else:
        prepared.run_many(connection, rows)


@functools.lru_cache(maxsize=256)
def _prepared(statement, dialect, keys: tuple):
    """The statement compiled for the dialect and these parameters, if it can run as it is:
    None when the execution would compute something in Python (a column's Python default or
    onupdate, an expanding IN list), which only Core's execution does."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if (
        getattr(compiled, "insert_prefetch", None)
        or getattr(compiled, "update_prefetch", None)
        or compiled._numeric_binds  # (no dialect of ours renders these)
        or any(bind.expanding for bind in compiled.binds.values())
    ):
        return None
    return _Prepared(compiled, dialect)


class _Prepared:
    """A statement compiled once, run straight on the DB-API cursor of the session's connection.

    Core's execution of a prebuilt statement costs ten times the statement on SQLite (its
    execution context, result metadata and row objects), and the statements of each request
    ran through it several times. What it does that matters is done here the same way and from
    its own compiled form: parameters in the compiled order, each through its type's bind
    processor; results through each column's result processor; the engine's cursor events (for
    counting and timing); an error handled by the connection as Core handles it (SQLAlchemy's
    own exception; a dropped connection invalidated).
    """

    def __init__(self, compiled, dialect):
        self.compiled = compiled
        self.dialect = dialect
        self.sql = compiled.string
        self.positions = tuple(compiled.positiontup) if compiled.positional else None
        self.escaped = compiled.escaped_bind_names
        self.bind_processors = dict(compiled._bind_processors)
        self.row_type = None  # (and its result processors) from the first cursor's description
        self.result_processors = ()

    def parameters(self, params: dict):
        values = self.compiled.construct_params(params, escape_names=False)
        processors = self.bind_processors
        if self.positions is not None:
            return [
                processors[name](values[name]) if name in processors else values[name]
                for name in self.positions
            ]
        return {
            self.escaped.get(name, name): processors[name](value) if name in processors else value
            for name, value in values.items()
        }

    def run(self, connection, params: dict) -> "Rows":
        description, fetched = self._execute(connection, self.parameters(params), many=False)
        if not description:
            return Rows([])
        if self.row_type is None:
            self._shape(description)
        row_type, processors = self.row_type, self.result_processors
        if processors:
            fetched = [list(row) for row in fetched]
            for row in fetched:
                for index, process in processors:
                    row[index] = process(row[index])
        return Rows([row_type(row) for row in fetched])

    def run_many(self, connection, rows: list[dict]) -> None:
        self._execute(connection, [self.parameters(params) for params in rows], many=True)

    def _execute(self, connection, arguments, many: bool):
        """The statement on a cursor of the connection: its description and rows."""
        dbapi_connection = connection.connection
        cursor = None
        events = connection._has_events or connection.engine._has_events
        try:
            cursor = dbapi_connection.cursor()
            if events:
                connection.dispatch.before_cursor_execute(
                    connection, cursor, self.sql, arguments, None, many
                )
            if many:
                cursor.executemany(self.sql, arguments)
            else:
                cursor.execute(self.sql, arguments)
            description = cursor.description
            fetched = cursor.fetchall() if description else []
            if events:
                connection.dispatch.after_cursor_execute(
                    connection, cursor, self.sql, arguments, None, many
                )
        except BaseException as error:
            # As Core's execution: a driver's error raised as SQLAlchemy's, through the engine's
            # handle_error events, and a connection the server dropped (or that a timeout or
            # exit left in the middle of a statement) invalidated, so that the pool replaces it
            # rather than lend it to the next transaction. (A Python error is not the driver's.)
            if isinstance(error, self.dialect.loaded_dbapi.Error) or not isinstance(
                error, Exception
            ):
                connection._handle_dbapi_exception(error, self.sql, arguments, cursor, None)
            raise
        finally:
            if cursor is not None and not connection.invalidated:
                cursor.close()
        return description, fetched

    def _shape(self, description) -> None:
        """Each column's place by its label and by the column objects it stands for (as Core's
        result keys them), and its type's result processor."""
        keymap: dict = {}
        processors = []
        columns = self.compiled._result_columns
        if len(columns) == len(description):
            for index, column in enumerate(columns):
                for key in (column.keyname, column.name, *column.objects):
                    keymap.setdefault(key, index)
                process = column.type._cached_result_processor(self.dialect, description[index][1])
                if process is not None:
                    processors.append((index, process))
        else:  # textual SQL: its cursor's names, values as the driver gives them
            for index, entry in enumerate(description):
                keymap.setdefault(entry[0], index)
        self.row_type = type("Row", (Row,), {"__slots__": (), "_keymap": keymap})
        self.result_processors = tuple(processors)


class Row(tuple):
    """A row of read_columns: a tuple, whose values can also be read by label (``row.login_id``)
    or by column (``row._mapping[table.c.id]``), as Core's rows are."""

    __slots__ = ()
    _keymap: dict = {}

    @property
    def _mapping(self):
        return RowMapping(self)

    def __getattr__(self, name):
        index = self._keymap.get(name)
        if index is None:
            raise AttributeError(name)
        return self[index]


class RowMapping:
    __slots__ = ("row",)

    def __init__(self, row: Row):
        self.row = row

    def __getitem__(self, key):
        row = self.row
        return row[row._keymap[key]]


class Rows:
    """The rows of read_columns, with the Core result methods its callers use."""

    __slots__ = ("rows",)

    def __init__(self, rows: list):
        self.rows = rows

    def __iter__(self):
        return iter(self.rows)

    def all(self) -> list:
        return self.rows

    def first(self):
        return self.rows[0] if self.rows else None

    def one_or_none(self):
        if len(self.rows) > 1:
            raise sqlalchemy.exc.MultipleResultsFound(
                "Multiple rows were found when one or none was required"
            )
        return self.rows[0] if self.rows else None

    def one(self):
        if not self.rows:
            raise sqlalchemy.exc.NoResultFound("No row was found when one was required")
        return self.one_or_none()

    def scalar(self):
        return self.rows[0][0] if self.rows else None

    def scalar_one(self):
        return self.one()[0]


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
