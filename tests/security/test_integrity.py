"""Integrity (PRODUCT §13): backups that restore to a database whose audit chain verifies, and
tampering with a restored copy being named by ``audit verify``.

(Tampering with the live log is in tests/core/test_audit.py; the chain of the whole test database is
verified once more when the session ends, by ``chain_verified_at_the_end`` in conftest.py.)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from registry import create_app
from registry.core.audit import AuditEvent, record_event, verify_chain
from registry.core.seeding import SEED_STEPS
from registry.extensions import db as _db
from tests.conftest import TEST_DATABASE_URL


def _app(url: str, tmp_path):
    return create_app({"TESTING": True, "SECRET_KEY": "backup", "DATABASE_URL": url,
                       "UPLOAD_FOLDER": str(tmp_path / "uploads")})


def _fill(app, events: int = 25) -> int:
    """Schema, seed data and ``events`` audit events, committed."""
    with app.app_context():
        _db.create_all()
        for step in SEED_STEPS.ordered():
            step.run()
        for n in range(events):
            record_event("backup.test", object_type="test", object_id=n, comment=f"事件 {n}",
                         details={"n": n, "text": "中文"})
        _db.session.commit()
        total = _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        _db.session.remove()
        _db.engine.dispose()
    return total


def _verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    return result


@pytest.fixture
def sqlite_source(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'live.sqlite'}", tmp_path)
    return app, _fill(app)


def test_sqlite_backup_restores_to_a_verified_chain(sqlite_source, tmp_path):
    app, events = sqlite_source
    target = tmp_path / "backup.sqlite"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    with app.app_context():
        _db.engine.dispose()

    restored = _app(f"sqlite:///{target}", tmp_path)  # "restore": the copy becomes the database
    verified = _verify(restored)
    assert verified.exit_code == 0, verified.output
    assert f"{events} events" in verified.output


def test_backup_refuses_to_overwrite_without_force(sqlite_source, tmp_path):
    app, _events = sqlite_source
    target = tmp_path / "existing.sqlite"
    target.write_bytes(b"keep me")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and target.read_bytes() == b"keep me"
    result = app.test_cli_runner().invoke(args=["backup", "--force", str(target)])
    assert result.exit_code == 0, result.output


def test_a_tampered_backup_is_named_by_audit_verify(sqlite_source, tmp_path):
    app, _events = sqlite_source
    target = tmp_path / "backup.sqlite"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    with app.app_context():
        _db.engine.dispose()
    with sqlite3.connect(target) as connection:  # someone edits the copy, e.g. before restoring it
        victim = connection.execute("SELECT id FROM audit_events WHERE comment = '事件 7'").fetchone()[0]
        connection.execute("UPDATE audit_events SET comment = '事件 七' WHERE id = ?", (victim,))
    result = _verify(_app(f"sqlite:///{target}", tmp_path))
    assert result.exit_code == 1
    assert f"BROKEN at event {victim}" in result.output


def test_a_backup_taken_while_another_connection_writes_is_consistent(sqlite_source, tmp_path):
    """The online backup copies a snapshot: an open write transaction elsewhere is not half-copied."""
    app, events = sqlite_source
    writer = sqlite3.connect(tmp_path / "live.sqlite", timeout=30)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE audit_events SET comment = 'uncommitted' WHERE id = 1")
    target = tmp_path / "during.sqlite"
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
    finally:
        writer.rollback()
        writer.close()
    with app.app_context():
        _db.engine.dispose()
    verified = _verify(_app(f"sqlite:///{target}", tmp_path))
    assert verified.exit_code == 0 and f"{events} events" in verified.output


# --- PostgreSQL: pg_dump and pg_restore ---------------------------------------------------

needs_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql") or shutil.which("pg_restore") is None,
    reason="needs REGISTRY_TEST_DATABASE_URL pointing at PostgreSQL, and pg_dump/pg_restore",
)


@pytest.mark.postgres
@needs_postgres
def test_postgres_backup_restores_to_a_verified_chain(app, tmp_path):
    """pg_dump of the test database, pg_restore into a new database, ``audit verify`` there."""
    url = make_url(TEST_DATABASE_URL)
    target = tmp_path / "registry.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    restored_name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{restored_name}"'))
    try:
        restored_url = url.set(database=restored_name)
        libpq_url = restored_url.set(drivername="postgresql").render_as_string(hide_password=False)
        command = ["pg_restore", "--no-owner", f"--dbname={libpq_url}", str(target)]
        finished = subprocess.run(command, capture_output=True, text=True, check=False, env=dict(os.environ))
        assert finished.returncode == 0, finished.stderr
        restored = _app(restored_url.render_as_string(hide_password=False), tmp_path)
        with restored.app_context():
            report = verify_chain()
            _db.session.remove()
            _db.engine.dispose()
        assert report.ok, report
        verified = _verify(restored)
        assert verified.exit_code == 0, verified.output
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        admin.dispose()
