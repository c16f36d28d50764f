"""The restore drill, on SQLite and on PostgreSQL: a backup taken while officers
write, more work after it, then ``flask restore``: the database is sound, the chain intact, what
the restore lost is named, and the registry's own checks pass afterwards.

On SQLite the live database has a write-ahead log beside it when the restore runs (the case where
copying the backup over the file corrupted it: "database disk image is malformed").
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from registry import create_app
from registry.core.audit import AuditEvent, record_event
from registry.core.db import writing_transactions
from registry.extensions import db as _db
from tests.conftest import TEST_DATABASE_URL


def _app(url: str, folder: Path):
    return create_app({"TESTING": True, "SECRET_KEY": "drill", "DATABASE_URL": url, "RATELIMIT_ENABLED": False,
                       "UPLOAD_FOLDER": str(folder / "uploads"), "AUDIT_ANCHOR_FILE": str(folder / "anchors.jsonl")})


def _events(app) -> int:
    with app.app_context():
        try:
            return _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        finally:
            _db.session.remove()


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    return result


class Officers(threading.Thread):
    """Officers at work: one committed audit event after another until stopped."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stop, self.written, self.error = app, threading.Event(), 0, None

    def run(self):
        try:
            with self.app.app_context(), writing_transactions():
                while not self.stop.is_set():
                    record_event("drill.work", object_type="drill", object_id=self.written, comment="办理中")
                    _db.session.commit()
                    self.written += 1
                _db.session.remove()
                _db.engine.dispose()
        except Exception as error:  # reported by the test
            self.error = error


@pytest.fixture
def database(tmp_path):
    """A new database (on PostgreSQL dropped afterwards with the copies the drill leaves)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'live.sqlite'}"
        return
    name = f"registry_drill_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            left = connection.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                                      {"pattern": f"{name}%"}).scalars().all()
            for leftover in left:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{leftover}" WITH (FORCE)')
        admin.dispose()


def test_backup_under_writes_then_restore(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()
    assert _cli(app, "seed").exit_code == 0
    with app.app_context():
        record_event("drill.start", object_type="drill", object_id=0)
        _db.session.commit()
        _db.session.remove()
    assert "anchored event" in _cli(app, "audit", "anchor").output

    officers = Officers(_app(database, tmp_path))  # other processes: an engine of their own
    officers.start()
    while officers.written < 20 and officers.error is None:
        threading.Event().wait(0.01)
    backup = tmp_path / ("registry.backup" if TEST_DATABASE_URL else "backup.sqlite")
    made = _cli(app, "backup", str(backup))
    officers.stop.set()
    officers.join()
    assert officers.error is None and made.exit_code == 0, (officers.error, made.output)
    assert "anchor file" in made.output and Path(f"{backup}.audit-anchors.jsonl").exists()

    # what the backup holds: read back from a throwaway restore of it, not from the code under test
    in_backup = _count_in_backup(backup, database, tmp_path)
    assert 1 + 20 <= in_backup <= _events(app)  # a snapshot taken mid-work (its chain is checked below)
    for n in range(5):  # work after the backup, anchored: the restore will lose it
        with app.app_context():
            record_event("drill.after", object_type="drill", object_id=n)
            _db.session.commit()
            _db.session.remove()
    assert _cli(app, "audit", "anchor").exit_code == 0
    lost_from = in_backup + 1
    if not TEST_DATABASE_URL:
        _leave_a_write_ahead_log(database)

    restored = _cli(app, "restore", "--yes", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "ok: database integrity" in restored.output and "ok: audit chain intact" in restored.output
    assert f"the restore lost events {lost_from}–" in restored.output
    assert "restore finished" in restored.output
    assert _events(app) == in_backup

    checked = _cli(app, "check-database")
    assert checked.exit_code == 0 and "WARNING" not in checked.output, checked.output
    verified = _cli(app, "audit", "verify")
    assert verified.exit_code == 0 and f"intact: {in_backup} events" in verified.output
    assert "WARNING" not in verified.output
    assert list(tmp_path.glob("anchors.before-restore-*.jsonl"))  # the old anchors kept: they record the loss
    if not TEST_DATABASE_URL:
        _sound_on_its_own(database, in_backup)
        assert list(tmp_path.glob("live.sqlite.before-restore-*"))  # the way back


def _count_in_backup(backup: Path, database: str, folder: Path) -> int:
    if not TEST_DATABASE_URL:
        with sqlite3.connect(backup) as connection:
            return connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    import subprocess

    listing = subprocess.run(["pg_restore", "--data-only", "--table=audit_events", "--file=-", str(backup)],
                             capture_output=True, text=True, check=True).stdout
    rows = listing.split("COPY public.audit_events", 1)[1].split("\n\\.", 1)[0].strip().splitlines()[1:]
    return len(rows)


def _leave_a_write_ahead_log(database: str) -> None:
    """A process stopped with its last writes still in the -wal file (not checkpointed)."""
    path = sa.engine.make_url(database).database
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("UPDATE settings SET value = value WHERE 0")
    connection.execute("CREATE TABLE IF NOT EXISTS drill_scratch (x)")
    connection.execute("DROP TABLE drill_scratch")
    connection.commit()
    assert Path(f"{path}-wal").stat().st_size > 0
    connection.close()


def _sound_on_its_own(database: str, events: int) -> None:
    """Opened afresh, as the web workers will: intact, and exactly the backup's events."""
    path = sa.engine.make_url(database).database
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events


def test_a_damaged_backup_is_refused_and_the_database_left_alone(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()
    assert _cli(app, "seed").exit_code == 0
    before = _events(app)
    broken = tmp_path / "broken.backup"
    header = b"PGDMP\x01\x0e" if TEST_DATABASE_URL else b"SQLite format 3\x00"
    broken.write_bytes(header + b"\x00" * 4000)  # the right start, then nothing
    result = _cli(app, "restore", "--yes", str(broken))
    assert result.exit_code == 1
    assert ("pg_restore failed, nothing changed" if TEST_DATABASE_URL else "fails its own check") in result.output
    assert _events(app) == before
    assert _cli(app, "check-database").exit_code == 0
    if TEST_DATABASE_URL:  # the half-made copy is not left behind
        engine = sa.create_engine(database, poolclass=sa.pool.NullPool)
        with engine.connect() as connection:
            names = connection.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                                       {"pattern": sa.engine.make_url(database).database + "_restored%"}).all()
        engine.dispose()
        assert names == []
