"""The Alembic migrations build exactly the models' schema, and unwind to nothing.

The test database itself is built with ``create_all``; this test is what keeps the migrations
honest: a model changed without a migration (or a migration that differs from its model) fails
here with the list of differences.  Runs on a fresh SQLite file, and on a temporary PostgreSQL
database when REGISTRY_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from registry import create_app
from registry.core.db import include_in_migrations
from registry.extensions import db as _db
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def fresh_database_url(tmp_path):
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    name = f"registry_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture
def migrated_app(fresh_database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "migrations", "DATABASE_URL": fresh_database_url,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        try:
            yield app
        finally:
            _db.session.remove()
            _db.engine.dispose()


def describe(difference) -> str:
    """One line per difference: the operation and what it is about (full objects are unreadable)."""
    if isinstance(difference, list):  # modify_* come as lists of tuples
        return "; ".join(describe(part) for part in difference)
    operation, *rest = difference
    subject = next((item for item in rest if hasattr(item, "name") or isinstance(item, str)), None)
    name = getattr(subject, "name", subject)
    table = getattr(getattr(subject, "table", None), "name", None)
    where = f"{table}.{name}" if table and table != name else name
    details = [str(item) for item in rest if item is not subject][:3] if operation.startswith("modify") else []
    return " ".join(str(part) for part in (operation, where, *details) if part is not None)


def schema_differences() -> list:
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_in_migrations}
        )
        return compare_metadata(context, _db.metadata)


def user_tables() -> set[str]:
    names = set(sa.inspect(_db.engine).get_table_names())
    return {name for name in names if include_in_migrations(name, "table", {})} - {"alembic_version"}


def test_the_migrations_build_the_models_schema(migrated_app):
    flask_migrate.upgrade()
    differences = schema_differences()
    assert not differences, (
        "the migrations do not build the models' schema; add a migration "
        "(flask --app registry db migrate -m '...'), read it, keep it:\n"
        + "\n".join(f"  {describe(difference)}" for difference in differences)
    )
    assert user_tables() == set(_db.metadata.tables)


def test_downgrade_to_base_and_up_again(migrated_app):
    flask_migrate.upgrade()
    built = user_tables()
    assert {"users", "units", "subjects", "audit_events", "settings", "calendar_days"} <= built
    flask_migrate.downgrade(revision="base")
    assert user_tables() == set()
    flask_migrate.upgrade()
    assert user_tables() == built


def test_one_head_only(migrated_app):
    from alembic.script import ScriptDirectory

    config = migrated_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"
