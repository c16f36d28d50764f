"""Restoring a backup, and the checks a restored (or any) database must pass.

SQLite: the backup is checked (``PRAGMA integrity_check``), the database in place is kept beside
it (``<file>.before-restore-<time>``), and the backup is written into the database's own file
through SQLite's backup API, the way SQLite writes any change: the file's ``-wal``/``-shm`` stay
consistent with it (copying a file over a database leaves its old WAL beside it, which SQLite then
applies to the wrong pages: "database disk image is malformed").  The WAL is then checkpointed.

PostgreSQL: ``pg_restore`` into a new database (``<name>_restored_<time>``) in one transaction;
then the configured database is renamed aside (``<name>_before_restore_<time>``, refused while
any session uses it) and the new one takes its name.  Nothing is dropped: the way back is the
renamed database.

The checks: the database's integrity (SQLite's integrity and foreign key checks; on PostgreSQL
every table read, no invalid index, every id sequence ahead of its table), the schema's revision
against the code's, the audit chain, and the anchor file (a missing one is a warning).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

from registry.core import clock
from registry.core.anchors import Anchor, anchor_path, append_anchor, set_aside
from registry.core.audit import chain_head, chain_identity


class RestoreRefused(Exception):
    """The backup cannot be restored (its own integrity fails, a tool is missing, another session)."""


def stamp() -> str:
    return f"{clock.utcnow():%Y%m%dT%H%M%S}"


# ---------------------------------------------------------------------------------------------
# SQLite


def _sqlite_copy(source: Path, target: Path) -> None:
    """``target`` becomes a page-by-page copy of ``source``, through SQLite's backup API."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        writer.close()
        reader.close()


def sqlite_file_problems(path: Path) -> list[str]:
    """What is wrong with a SQLite registry database file (empty when nothing)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return [f"cannot be opened: {error}"]
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"row {rowid} of {table} points at a missing row of {parent}"
                     for table, rowid, parent, _key in connection.execute("PRAGMA foreign_key_check")]
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            problems.append("not a registry database (no alembic_version table)")
        return problems
    except sqlite3.DatabaseError as error:
        return [f"not a database: {error}"]
    finally:
        connection.close()


def restore_sqlite(backup: Path, database: Path) -> Path | None:
    """Write ``backup`` into ``database``; returns where the replaced database was kept."""
    problems = sqlite_file_problems(backup)
    if problems:
        raise RestoreRefused(f"{backup} fails its own check: {'; '.join(problems[:5])}")
    kept = None
    if database.exists():
        kept = database.with_name(f"{database.name}.before-restore-{stamp()}")
        _sqlite_copy(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(backup, database)
    return kept


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _autocommit(url):
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def restore_postgres(dump: Path, url) -> str:
    """``pg_restore`` into a new database, which then takes the configured database's name; returns
    the name the replaced database is kept under."""
    if shutil.which("pg_restore") is None:
        raise RestoreRefused("pg_restore is not on PATH (Debian: postgresql-client)")
    name = f"{url.database}_restored_{stamp().lower()}"
    engine = _autocommit(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
               f"--dbname={_libpq(url.set(database=name))}", str(dump)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False, env=dict(os.environ))
    if finished.returncode != 0:
        _drop(url, name)
        raise RestoreRefused(f"pg_restore failed, nothing changed: {finished.stderr.strip()[:2000]}")
    kept = f"{url.database}_before_restore_{stamp().lower()}"
    engine = _autocommit(url.set(database="postgres"))
    try:
        with engine.connect() as connection:
            others = connection.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                                        {"name": url.database}).scalar()
            if others:
                raise RestoreRefused(f"{others} sessions use {url.database}: stop the web and scheduler processes, "
                                     f"then run again (the restored copy {name} is kept)")
            connection.exec_driver_sql(f'ALTER DATABASE "{url.database}" RENAME TO "{kept}"')
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" RENAME TO "{url.database}"')
    finally:
        engine.dispose()
    return kept


def _drop(url, name: str) -> None:
    engine = _autocommit(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        engine.dispose()


def backup_anchor_copy(backup: Path) -> Path:
    """Where ``flask backup`` keeps the anchor file's copy beside a backup."""
    return backup.with_name(f"{backup.name}.audit-anchors.jsonl")


def restart_anchor_file(kept: list[Anchor]) -> Path | None:
    """After a restore that lost anchored events: the old file is set aside (kept, it records what
    was lost) and a new one holds the anchors the restored chain still matches, then its head."""
    moved = set_aside(anchor_path(), "before-restore", clock.utcnow())
    chain = chain_identity()
    for anchor in kept:
        append_anchor(Anchor(anchor.event_id, anchor.hash, anchor.written_at, chain))
    head = chain_head()
    if head is not None:
        append_anchor(head)
    return moved
