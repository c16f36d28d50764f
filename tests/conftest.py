"""Fixtures: the app, a database rolled back after every test, clients, officers, a frozen clock.

Tests run on SQLite by default and on PostgreSQL when REGISTRY_TEST_DATABASE_URL is set.  The
schema is created once per run from the models (``tests/test_migrations.py`` proves that the
migrations build the same schema); seed data (units, categories, measures) is committed once;
every test then runs inside a transaction that is rolled back at its end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from registry import create_app
from registry.core import clock
from registry.core.seeding import SEED_STEPS
from registry.extensions import db as _db
from tests.factories import Factories


def _database_of_this_worker(base: str | None) -> str | None:
    """The PostgreSQL database this test process uses: the given one, or, when pytest-xdist runs
    the suite in several processes, a database of the worker's own beside it (``<name>_gw0``),
    created here and dropped at the end of the run (``pytest_sessionfinish``).  Every test that
    reads ``TEST_DATABASE_URL`` or the environment then sees its worker's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker or not base.startswith("postgresql"):
        return base
    url = sa.engine.make_url(base)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    worker_url = url.set(database=name).render_as_string(hide_password=False)
    os.environ["REGISTRY_TEST_DATABASE_URL"] = worker_url
    return worker_url


SHARED_DATABASE_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL")
TEST_DATABASE_URL = _database_of_this_worker(SHARED_DATABASE_URL)
# The audit chain's key is required like SECRET_KEY: every app the tests build gets this fixed one
# (the environment is what create_app reads for apps made without the shared fixture).
os.environ.setdefault("REGISTRY_AUDIT_HMAC_KEY", "test-audit-hmac-key")
# Anchors of the chain never go to the working tree's instance folder; each test gets a file of
# its own (``own_anchor_file``), since the events they anchor are rolled back or thrown away.
os.environ.setdefault("REGISTRY_AUDIT_ANCHOR_FILE",
                      os.path.join(tempfile.mkdtemp(prefix="registry-anchors-"), "audit-anchors.jsonl"))


@pytest.fixture(autouse=True)
def own_anchor_file(monkeypatch, tmp_path):
    """Apps a test builds itself (create_app reads the environment) anchor into the test's folder,
    in a file apart from the shared app's (``db``): the two apps have different databases."""
    monkeypatch.setenv("REGISTRY_AUDIT_ANCHOR_FILE", str(tmp_path / "built-app-audit-anchors.jsonl"))


def pytest_sessionfinish(session, exitstatus):
    """A worker's own PostgreSQL database goes when its run ends."""
    if TEST_DATABASE_URL and TEST_DATABASE_URL != SHARED_DATABASE_URL:
        admin = sa.create_engine(SHARED_DATABASE_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                name = sa.engine.make_url(TEST_DATABASE_URL).database
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            admin.dispose()


# Names reserved for examples (RFC 2606, 6761) that the tests use for endpoints nobody calls: they
# resolve to a public address here, and the tests never ask the network's DNS about them.
EXAMPLE_DOMAINS = ("example", "example.cn", "example.com", "example.org")
EXAMPLE_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def example_names_resolve(monkeypatch):
    """``core.outbound`` resolves every endpoint's host; names under the example domains answer
    with a public address, anything else (literal addresses, localhost) as the system does."""
    from registry.core import outbound

    system = outbound.lookup

    def lookup(host: str, port: int) -> list[str]:
        if host.lower().rstrip(".").endswith(tuple(f".{d}" for d in EXAMPLE_DOMAINS)) or host in EXAMPLE_DOMAINS:
            return [EXAMPLE_ADDRESS]
        return system(host, port)

    monkeypatch.setattr(outbound, "lookup", lookup)


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "AUDIT_ANCHOR_FILE": str(tmp_path_factory.mktemp("anchors") / "audit-anchors.jsonl"),
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        _db.drop_all()
        _reset_postgres_extras()
        _db.create_all()
        for step in SEED_STEPS.ordered():
            step.run()
        _db.session.commit()
        _db.session.remove()
        # Each test's session joins the test's transaction through savepoints, so that an
        # operation's commit or rollback stays inside the test.
        _db.session.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        _db.session.remove()
        for engine in _db.engines.values():
            engine.dispose()  # close pooled connections before the interpreter does (ResourceWarning)


def _reset_postgres_extras() -> None:
    """Hook for packages whose schema has parts create_all does not drop (none yet)."""


@pytest.fixture
def db(app, tmp_path) -> Iterator:
    """The database inside a transaction rolled back at the end of the test."""
    # Anchors of the audit chain go to a file of this test's own: its events are rolled back.
    app.config["AUDIT_ANCHOR_FILE"] = str(tmp_path / "audit-anchors.jsonl")
    with app.app_context():
        engines = _db.engines
        connection = engines[None].connect()
        transaction = connection.begin()
        original_engine = engines[None]
        engines[None] = connection
        try:
            yield _db
        finally:
            _db.session.remove()
            engines[None] = original_engine
            if transaction.is_active:
                transaction.rollback()
            connection.close()


class RequestIsolatingClient(FlaskClient):
    """A test client whose requests start as fresh as they do in production.

    The ``db`` fixture keeps an app context pushed for the whole test, and Flask reuses it for
    the client's requests; without this, ``g`` (the signed-in user, the language, cached
    settings) and the session's identity map would leak from one request into the next.
    What the test made before the request is committed (to the test's outer transaction, still
    rolled back at its end): a request that refuses and rolls back must not erase the test's setup.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
            _db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    app.test_client_class = RequestIsolatingClient
    return app.test_client()


@pytest.fixture
def make(db) -> Factories:
    """Factory functions for every model: ``make.user(role="reviewer")``, ``make.subject()``."""
    return Factories(db)


@pytest.fixture
def login(client, make):
    """``login(user)`` or ``login("reviewer", unit="JJC")``: sign in through the real form."""

    def sign_in(user_or_role, unit: str = "JJC"):
        from tests.factories import TEST_PASSWORD

        user = make.user(role=user_or_role, unit=unit) if isinstance(user_or_role, str) else user_or_role
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@pytest.fixture
def frozen():
    """``with frozen(date(2026, 10, 9)):`` freezes the application clock."""
    return clock.frozen_at


@pytest.fixture
def today() -> date:
    return clock.today()


def count(model, *criteria) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*criteria))


def utc(*args) -> datetime:

    return datetime(*args, tzinfo=UTC)
