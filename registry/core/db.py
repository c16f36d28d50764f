"""The declarative base, column types and mixins that every model uses."""

from __future__ import annotations

import errno
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm import registry as orm_registry

from registry.core import clock

# Stable constraint names, so that migrations can name what they alter (and SQLite batch mode works).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware.

    SQLite keeps no time zone; storing naive UTC everywhere keeps both databases identical.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    registry = orm_registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())


def containing_pattern(text: str) -> str:
    """The LIKE pattern of "contains ``text`` as written": ``%``, ``_`` and the escape ``\\``
    escaped (use it with ``escape="\\"``, as ``contains`` does)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def contains(column, text: str):
    """SQL: ``column`` contains ``text`` as written.  Not SQLAlchemy's ``contains(autoescape=True)``:
    that builds the pattern in SQL (``'%' || :text || '%'``), which PostgreSQL's trigram index
    cannot use in a generic plan."""
    return column.like(containing_pattern(text), escape="\\")


def str_enum(enum_cls, name: str) -> sa.Enum:
    """An Enum column stored as its values (readable in SQL), with a CHECK on both databases."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Make SQLite enforce foreign keys and honour SAVEPOINT (tests roll back through them)."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: still crash-safe (a power cut
    # may lose the last commits, never corrupt), and an API request's log commit drops from ~8 ms.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Requests with these methods write: they take the write lock up front.  The others mostly read;
# one that writes after all (a GET issuing a document) is run again under the lock when it lost it
# (``run_unit_of_work``).  An API read's log row is written in a transaction of its own whose first
# statement is the INSERT, so it waits like any writer.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Outside a request (a scheduled check, a command) the code that is about to write says so.
_WRITE_INTENT: ContextVar[bool] = ContextVar("registry_write_intent", default=False)


@contextmanager
def writing_transactions():
    """Transactions begun inside this block will write: on SQLite they take the write lock first.

    The scheduler's check runner and the writing commands use it; web requests need not (their
    method says whether they write).  Also usable as a decorator.
    """
    token = _WRITE_INTENT.set(True)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


def reads_only(command):
    """Mark a click command that only reads: it does not take SQLite's write lock up front (so a
    long ``audit verify`` or ``backup`` never holds up the web's writers)."""
    command.reads_only = True
    return command


def takes_write_lock_first() -> bool:
    """Whether a transaction begun now should begin with BEGIN IMMEDIATE on SQLite."""
    if has_request_context():
        return request.method in WRITING_METHODS or g.get(_REQUEST_INTENT, False)
    return _WRITE_INTENT.get()


# Set on ``g`` when a request's unit of work runs again under the write lock (``run_unit_of_work``),
# and when the request committed something (so it must not be run again).
_REQUEST_INTENT = "registry_write_intent"
_REQUEST_COMMITTED = "registry_committed"
# Kept on ``g`` by ``core.replicas``: the replica the request reads from, and that one failed during
# the request (the request is then run again: ``run_unit_of_work``).
REPLICA_CHOSEN = "registry_replica_engine"
REPLICA_FAILED = "registry_replica_failed"

# SQLite's primary result codes (the low byte of an extended code such as SQLITE_BUSY_SNAPSHOT).
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


def lost_the_write_lock(error: BaseException) -> bool:
    """``error`` is SQLite's "database is locked": a transaction that read first could not write."""
    code = getattr(getattr(error, "orig", None), "sqlite_errorcode", None)
    return isinstance(error, sa.exc.OperationalError) and code is not None and code & 0xFF in (SQLITE_BUSY,
                                                                                                SQLITE_LOCKED)


def run_unit_of_work(work, rollback):
    """Run a request's ``work``; when it lost SQLite's write lock, roll back and run it once more,
    this time taking the write lock before its first read.

    A request whose method does not write (a GET that issues a numbered document on its first
    download: a credit report, a receipt, a bulletin) begins with a plain BEGIN, so that the many
    downloads of documents already issued read side by side and hold up no writer while their PDF
    is drawn.  When such a request does write and another writer committed since it began to
    read, SQLite refuses at once ("database is locked": its snapshot is stale, and waiting cannot
    help).  Nothing of it was stored, so it is run again from the start with BEGIN IMMEDIATE,
    which waits for the lock (up to the busy timeout) and reads what the other writer wrote.  A
    request that already committed, or already held the lock, is not run again.
    """
    try:
        return work()
    except sa.exc.DBAPIError as error:
        if g.get(REPLICA_FAILED) and not g.get(_REQUEST_COMMITTED):
            # A replica went away mid-request (``core.replicas`` skips it for a while now), or WAL
            # replay cancelled its query: the primary answers.
            rollback()
            g.pop(REPLICA_FAILED, None)
            setattr(g, REPLICA_CHOSEN, False)
            return work()
        if (not isinstance(error, sa.exc.OperationalError) or not lost_the_write_lock(error)
                or takes_write_lock_first() or g.get(_REQUEST_COMMITTED)):
            raise
    rollback()
    setattr(g, _REQUEST_INTENT, True)
    return work()


def request_committed() -> bool:
    """The current request committed something."""
    return bool(has_request_context() and g.get(_REQUEST_COMMITTED))


# SQLite's primary result codes of a database that cannot be used just now: busy or locked past the
# busy timeout, read-only, an I/O error, full, or its file cannot be opened.
_SQLITE_UNAVAILABLE = frozenset({SQLITE_BUSY, SQLITE_LOCKED, 8, 10, 13, 14})  # 13: SQLITE_FULL
# PostgreSQL's SQLSTATEs of the same: connection exceptions (08), insufficient resources (53: disk
# full, out of memory, too many connections), the server shutting down or starting (57P0x), a
# read-only transaction (a standby, default_transaction_read_only) and an I/O error.
_POSTGRES_UNAVAILABLE_PREFIXES = ("08", "53", "57P0")
_POSTGRES_UNAVAILABLE = frozenset({"25006", "58030"})


def database_unavailable(error: BaseException) -> bool:
    """``error`` says the database cannot serve just now (unreachable, read-only, full), rather
    than that the statement or the data is wrong."""
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in _SQLITE_UNAVAILABLE
    state = getattr(orig, "sqlstate", None)
    if state is None:  # psycopg's own: the connection failed before the server said anything
        return isinstance(error, sa.exc.OperationalError)
    return state in _POSTGRES_UNAVAILABLE or state.startswith(_POSTGRES_UNAVAILABLE_PREFIXES)


SQLITE_FULL, POSTGRES_DISK_FULL = 13, "53100"


def storage_full(error: BaseException) -> bool:
    """``error`` is a full disk: the database's (SQLITE_FULL, PostgreSQL's disk_full) or a file's
    (ENOSPC, or over the quota)."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF == SQLITE_FULL
    return getattr(error.orig, "sqlstate", None) == POSTGRES_DISK_FULL


@event.listens_for(sa.orm.Session, "after_commit")
def _note_a_request_commit(session) -> None:
    if has_request_context():
        setattr(g, _REQUEST_COMMITTED, True)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Begin SQLite transactions ourselves (SQLAlchemy's pysqlite recipe), taking the write lock
    up front in a writing request.

    A plain BEGIN reads first and asks for the write lock at the first write; in WAL mode that
    fails at once with "database is locked" when another writer came first (the busy timeout
    cannot help: waiting would not make the transaction's snapshot current).  BEGIN IMMEDIATE
    waits for the lock before reading, so writing requests run one after the other, and the
    second of two racing approvals reads the first one's version and is told "changed by someone
    else", as on PostgreSQL.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock_first() else "BEGIN")


# Database objects that no model declares and Alembic's autogenerate must leave alone: SQLite's
# FTS5 tables (and their shadow tables) and PostgreSQL's pg_trgm and grams indexes for the name search.
UNMODELLED_PREFIXES = ("subjects_fts", "subjects_grams")
UNMODELLED_INDEXES = frozenset({"ix_subjects_name_trgm", "ix_subjects_name_grams"})


def include_in_migrations(name, type_, parent_names) -> bool:
    """Alembic ``include_name`` hook (also used by tests/test_migrations.py)."""
    if type_ == "table" and name and name.startswith(UNMODELLED_PREFIXES):
        return False
    return not (type_ == "index" and name in UNMODELLED_INDEXES)
