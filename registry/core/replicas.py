"""Reads past one database server: PostgreSQL streaming replicas (PRODUCT §15; README, Deployment).

``DATABASE_REPLICA_URLS`` lists hot standbys of the primary.  A view marked ``reads_from_replica``
(the public pages, the credit check, the name search, the change feed) reads from one of them,
chosen round robin among those not known to be down; everything else reads and writes the primary:
every write, every officer's page, a signed-in officer's public page, a client whose own last write
a replica has not replayed yet, and a change-feed cursor the replica has not reached.

The routing is SQLAlchemy's documented one (a ``Session.get_bind`` override, "Partitioning
Strategies", the leader/follower example): flushes and INSERT/UPDATE/DELETE go to the primary, and
once a request wrote, its later reads do too.
"""

from __future__ import annotations

import itertools
import threading
import time
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from registry.core.db import REPLICA_CHOSEN, REPLICA_FAILED, database_unavailable, request_committed

EXTENSION = "registry_replicas"
# The primary's WAL position after this client's last write (``pg_current_wal_insert_lsn()``: past
# every commit record, even an asynchronous one not yet written out).
SESSION_LSN_KEY = "_primary_lsn"
_READS = "registry_replica_reads"  # on g: this request's view may read from a replica
_CHOSEN = REPLICA_CHOSEN  # on g: the replica engine chosen, or False for the primary
_WROTE = "registry_replica_wrote"  # on g: the request wrote to the primary; its reads follow
_FAILED = REPLICA_FAILED  # on g: a replica failed during the request


def replica_urls(value) -> list[str]:
    """The setting as a list: a comma-separated string (the environment) or a list."""
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


class Replicas:
    """The replica engines of one app, round robin, each skipped for a while after a failure."""

    def __init__(self, engines: list[sa.engine.Engine], retry_seconds: float):
        self.engines = engines
        self.retry_seconds = retry_seconds
        self._down_until: dict[int, float] = {}
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def healthy(self) -> list[sa.engine.Engine]:
        now = time.monotonic()
        return [engine for index, engine in enumerate(self.engines) if self._down_until.get(index, 0) <= now]

    def in_turn(self) -> list[sa.engine.Engine]:
        """The healthy replicas, starting with the next one's turn."""
        healthy = self.healthy()
        if not healthy:
            return []
        with self._lock:
            start = next(self._turn) % len(healthy)
        return healthy[start:] + healthy[:start]

    def mark_down(self, engine: sa.engine.Engine) -> None:
        if engine in self.engines:
            self._down_until[self.engines.index(engine)] = time.monotonic() + self.retry_seconds

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()


def init_app(app) -> None:
    """Create the replica engines (the primary's engine options), refuse them beside SQLite."""
    urls = replica_urls(app.config.get("DATABASE_REPLICA_URLS"))
    app.config["DATABASE_REPLICA_URLS"] = urls
    if urls and not app.config["DATABASE_URL"].startswith("postgresql"):
        raise RuntimeError("DATABASE_REPLICA_URLS needs a PostgreSQL primary (DATABASE_URL); "
                           "SQLite has no replicas.")
    bad = [url for url in urls if not url.startswith("postgresql")]
    if bad:
        raise RuntimeError(f"DATABASE_REPLICA_URLS: {bad[0]!r} is not a postgresql+psycopg:// URL.")
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    replicas = Replicas([sa.create_engine(url, **options) for url in urls],
                        float(app.config["DATABASE_REPLICA_RETRY_SECONDS"]))
    for engine in replicas.engines:
        event.listen(engine, "handle_error", _replica_failed(replicas, engine))
    app.extensions[EXTENSION] = replicas
    if urls:
        app.after_request(note_primary_position)


# A standby cancels a query whose rows its WAL replay must remove ("canceling statement due to
# conflict with recovery", serialization_failure): the replica is fine, the request is run again.
RECOVERY_CONFLICT = "40001"


def replica_failure(error) -> str | None:
    """What a replica's error means: "down" (unreachable, shutting down…: leave it out for a
    while), "conflict" (a query cancelled by replay) or None (the statement's own error)."""
    if error is None:
        return None
    if database_unavailable(error):
        return "down"
    return "conflict" if getattr(getattr(error, "orig", None), "sqlstate", None) == RECOVERY_CONFLICT else None


def _replica_failed(replicas: Replicas, engine):
    def handle_error(context) -> None:
        failure = replica_failure(context.sqlalchemy_exception)
        if failure == "down":
            replicas.mark_down(engine)
        if failure and has_request_context():
            setattr(g, _FAILED, True)
    return handle_error


def _replicas() -> Replicas | None:
    replicas = current_app.extensions.get(EXTENSION)
    return replicas if replicas is not None and replicas.engines else None


def reads_from_replica(view):
    """Mark a view whose reads may come from a replica: one that writes no record (its request
    log, if any, is an INSERT and goes to the primary; a view that reads, then writes on what it
    read, such as issuing a document, must read the primary)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        setattr(g, _READS, True)
        return view(*args, **kwargs)
    return wrapped


def use_primary() -> None:
    """From now on this request reads the primary (e.g. a cursor no replica has reached)."""
    if has_request_context():
        setattr(g, _CHOSEN, False)


def _signed_in() -> bool:
    return bool(current_user and current_user.is_authenticated)


def _carries_a_session() -> bool:
    """The client sent a session cookie (a browser; API clients send none: their answers must not
    vary by a cookie they never had)."""
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def _position_reached(engine, lsn: str) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(sa.text(
            "SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn), true)"), {"lsn": lsn}).scalar())


def _choose_replica():
    """The replica this request reads, or None: the primary (chosen once per request)."""
    chosen = g.get(_CHOSEN)
    if chosen is not None:
        return chosen or None
    engine = None
    # The primary meanwhile: loading the signed-in user (its session version) reads the primary.
    setattr(g, _CHOSEN, False)
    replicas = _replicas()
    if replicas is not None and request.method in ("GET", "HEAD", "POST") and not _signed_in():
        lsn = session.get(SESSION_LSN_KEY) if _carries_a_session() else None
        for candidate in replicas.in_turn():
            try:
                if lsn is None or _position_reached(candidate, lsn):
                    engine = candidate
                    break
            except sa.exc.DBAPIError:
                continue  # marked down by handle_error; try the next one
        if engine is not None and lsn is not None:
            session.pop(SESSION_LSN_KEY, None)  # a replica has this client's writes: no need to ask again
    setattr(g, _CHOSEN, engine or False)
    return engine


def routed_engine(clause, flushing: bool):
    """The replica engine for this statement, or None for the primary."""
    if not has_request_context() or not g.get(_READS) or g.get(_WROTE):
        return None
    if flushing or isinstance(clause, sa.sql.dml.UpdateBase):
        setattr(g, _WROTE, True)
        return None
    return _choose_replica()


class RoutingSession(FlaskSession):
    """Flask-SQLAlchemy's session, reading from a replica where the request allows it."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None:
            engine = routed_engine(clause, self._flushing)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def read_from_replica() -> bool:
    """Whether this request has been reading a replica (for the change feed's check, and tests)."""
    return bool(has_request_context() and g.get(_CHOSEN))


def replica_has_reached(statement, position: int) -> bool:
    """On a replica, whether ``statement`` (a max of ids) there is at least ``position``; when it is
    not, the request reads the primary from now on (a cursor the replica has not reached)."""
    engine = routed_engine(statement, False)
    if engine is None:
        return False
    with engine.connect() as connection:
        reached = (connection.execute(statement).scalar() or 0) >= position
    if not reached:
        use_primary()
    return reached


def note_primary_position(response):
    """After a browser's request that committed on the primary, remember the primary's WAL position
    in its session: its next replica reads wait for a replica that replayed it (read your writes).
    API clients carry no session cookie: their log rows are nothing they read back."""
    if not request_committed() or not _carries_a_session():
        return response
    try:
        # the primary's engine (Flask-SQLAlchemy's own: registry.extensions imports this module)
        with current_app.extensions["sqlalchemy"].engine.connect() as connection:
            session[SESSION_LSN_KEY] = connection.execute(
                sa.text("SELECT pg_current_wal_insert_lsn()::text")).scalar()
    except sa.exc.DBAPIError:
        current_app.logger.warning("could not read the primary's WAL position", exc_info=True)
    return response
