"""The Alembic migrations build exactly the models' schema, and unwind to nothing.

The test database itself is built with ``create_all``; this test is what keeps the migrations
honest: a model changed without a migration (or a migration that differs from its model) fails
here with the list of differences.  Runs on a fresh SQLite file, and on a temporary PostgreSQL
database when REGISTRY_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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


def test_day_counts_become_calendar_months_and_back(migrated_app):
    """0272425ac51c restates stored day counts in months (round(days / 30.4375)) and back."""
    from registry.core.db import UTCDateTime

    before = "2aec951941b9"
    flask_migrate.upgrade(revision=before)
    created = datetime(2026, 1, 5, tzinfo=UTC)
    categories = sa.table("list_categories", *(sa.column(name) for name in (
        "name", "list_kind", "validity_days", "repair_allowed", "repair_min_days", "display_order", "is_active")),
        sa.column("created_at", UTCDateTime()))
    settings = sa.table("settings", sa.column("key"), sa.column("value"), sa.column("updated_at", UTCDateTime()))
    days = {"three years": (1095, 365), "two years": (730, 0), "short": (10, 45), "ten years": (3650, 100)}
    with _db.engine.begin() as connection:
        connection.execute(categories.insert(), [
            {"name": name, "list_kind": "black", "validity_days": validity, "repair_allowed": True,
             "repair_min_days": repair, "display_order": 0, "is_active": True, "created_at": created}
            for name, (validity, repair) in days.items()])
        connection.execute(settings.insert(), [
            {"key": "penalty_general_visible_days", "value": "365", "updated_at": created},
            {"key": "penalty_serious_repair_after_days", "value": "180", "updated_at": created}])

    def rows(columns: str) -> dict:
        with _db.engine.connect() as connection:
            found = connection.execute(sa.text(f"SELECT name, {columns} FROM list_categories"))
            return {name: (a, b) for name, a, b in found}

    def stored_settings() -> dict:
        with _db.engine.connect() as connection:
            return dict(connection.execute(sa.text("SELECT key, value FROM settings")).tuples().all())

    flask_migrate.upgrade()
    # by hand: 1095/30.4375 = 35.98, 365 → 11.99, 730 → 23.98, 10 → 0.33 (at least one month), 45 → 1.48,
    # 3650 → 119.9, 100 → 3.29; 180 → 5.91
    assert rows("validity_months, repair_min_months") == {
        "three years": (36, 12), "two years": (24, 0), "short": (1, 1), "ten years": (120, 3)}
    assert stored_settings() == {"penalty_general_visible_months": "12", "penalty_serious_repair_after_months": "6"}
    for column, value in (("validity_months", 0), ("validity_months", 121), ("repair_min_months", -1)):
        with pytest.raises(sa.exc.IntegrityError), _db.engine.begin() as connection:
            connection.execute(sa.text(f"UPDATE list_categories SET {column} = {value} WHERE name = 'short'"))

    flask_migrate.downgrade(revision=before)
    assert rows("validity_days, repair_min_days") == {
        "three years": (1095, 365), "two years": (730, 0), "short": (30, 30), "ten years": (3650, 90)}
    assert stored_settings() == {"penalty_general_visible_days": "365", "penalty_serious_repair_after_days": "180"}


def test_list_entry_changes_become_publicity_started_and_published_and_back(migrated_app):
    """3c5e9a1d7b20 renames a list entry's past changes to the kinds the feed now writes."""
    from registry.core.db import UTCDateTime

    before = "6ea26ab27beb"
    flask_migrate.upgrade(revision=before)
    events = sa.table("change_events", *(sa.column(name) for name in (
        "id", "record_type", "record_id", "change", "reason", "payload")), sa.column("occurred_at", UTCDateTime()))
    at = datetime(2026, 3, 1, tzinfo=UTC)
    stored = [  # (record, change, reason, payload status) in feed order, as the feed wrote them
        ("list_entry", "published", None, "in_publicity"),
        ("list_entry", "updated", "calendar_changed", "in_publicity"),
        ("list_entry", "updated", None, "published"), ("list_entry", "updated", None, "published"),
        ("disclosure", "published", None, "published"), ("list_entry", "expired", None, "expired")]
    with _db.engine.begin() as connection:
        connection.execute(events.insert(), [
            {"id": n, "record_type": kind, "record_id": 1, "change": change, "reason": reason,
             "payload": f'{{"status":"{status}"}}', "occurred_at": at}
            for n, (kind, change, reason, status) in enumerate(stored, start=1)])

    def changes() -> list[str]:
        with _db.engine.connect() as connection:
            return list(connection.scalars(sa.text("SELECT change FROM change_events ORDER BY id")))

    flask_migrate.upgrade()
    # the publication is the first reasonless update saying "published"; a later correction stays an update
    assert changes() == ["publicity_started", "updated", "published", "updated", "published", "expired"]
    with pytest.raises(sa.exc.IntegrityError), _db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE change_events SET change = 'started' WHERE id = 1"))
    flask_migrate.downgrade(revision=before)
    assert changes() == [change for _kind, change, _reason, _status in stored]
