"""``flask --app registry backup PATH``: a consistent copy of the database while the registry runs.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies page by page under SQLite's
own locking, so writers may continue; the copy is checked with ``PRAGMA integrity_check``.
PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot) when it is on PATH; otherwise the
command prints the ``pg_dump`` invocation to run.  The anchor file is copied beside the backup
(``PATH.audit-anchors.jsonl``).  ``flask restore PATH`` restores one (``admin.restore``) and
``flask check-database`` checks a database (``admin.database_checks``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from registry.admin.database_checks import check_database
from registry.admin.restore import (
    RestoreRefused,
    backup_anchor_copy,
    restart_anchor_file,
    restore_postgres,
    restore_sqlite,
)
from registry.core.anchors import anchor_path
from registry.core.db import reads_only
from registry.extensions import db


def backup_sqlite(path: str) -> int:
    """Copy the live SQLite database to ``path``; returns the number of pages copied."""
    raw = db.engine.raw_connection()
    try:
        source = raw.driver_connection
        target = sqlite3.connect(path)
        try:
            source.backup(target)
            (result,) = target.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise click.ClickException(f"the copy failed its integrity check: {result}")
            (pages,) = target.execute("PRAGMA page_count").fetchone()
        finally:
            target.close()
    finally:
        raw.close()
    return pages


def pg_dump_command(url, path: str) -> tuple[list[str], dict]:
    """The pg_dump call for ``url`` (a SQLAlchemy URL), the password passed in the environment."""
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={path}"]
    for option, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            command.append(f"{option}={value}")
    command.append(url.database)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return command, env


@reads_only
@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: str, force: bool):
    """Write a consistent copy of the database to PATH (SQLite file, or pg_dump custom format)."""
    if os.path.exists(path) and not force:
        raise click.UsageError(f"{path} exists: choose another name or pass --force")
    url = make_url(db.engine.url)
    if url.get_backend_name() == "sqlite":
        if os.path.exists(path):
            os.remove(path)
        pages = backup_sqlite(path)
        click.echo(f"backup written to {path} ({pages} pages, integrity ok)")
    elif url.get_backend_name() == "postgresql":
        command, env = pg_dump_command(url, path)
        if shutil.which("pg_dump") is None:
            shown = " ".join(command)
            click.echo(f"pg_dump is not on PATH; run (with PGPASSWORD set if needed):\n  {shown}")
            raise SystemExit(2)
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {finished.stderr.strip()}")
        click.echo(f"backup written to {path} (pg_dump custom format; restore with flask restore)")
    else:
        raise click.ClickException(f"no backup method for the {url.get_backend_name()} database")
    _copy_anchor_file(Path(path))


def _copy_anchor_file(backup: Path) -> None:
    """The anchor file goes with the backup: restoring a backup without the anchors the database had
    would leave nothing to check its chain against."""
    source, copy = anchor_path(), backup_anchor_copy(backup)
    if source.exists():
        shutil.copyfile(source, copy)
        click.echo(f"anchor file {source} copied to {copy} (keep it with the backup)")
    else:
        click.echo(f"WARNING: no anchor file at {source}: the backup has no anchors beside it", err=True)


def _report(found) -> None:
    for line in found.passed:
        click.echo(f"ok: {line}")
    for line in found.warnings:
        click.echo(f"WARNING: {line}", err=True)
    for line in found.failures:
        click.echo(f"FAILED: {line}", err=True)


@reads_only
@click.command("check-database")
@with_appcontext
def check_database_command():
    """Check the database's integrity, its schema revision, the audit chain and its anchors (after
    a restore or an upgrade); exit 1 when a check fails."""
    found, _kept = check_database()
    _report(found)
    if not found.ok:
        raise SystemExit(1)


@reads_only
@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool):
    """Restore a backup made by 'flask backup' over the configured database (the replaced one is
    kept), then check integrity, schema, audit chain and anchors.  Stop the web and scheduler
    processes first."""
    url = make_url(db.engine.url)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise click.ClickException(f"no restore method for the {backend} database")
    if not yes:
        click.confirm(f"Replace the database {url.database} with {path}? (the web and scheduler processes "
                      "must be stopped)", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        kept = restore_sqlite(path, Path(url.database)) if backend == "sqlite" else restore_postgres(path, url)
    except RestoreRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored {path} into {url.database}" + (f"; the replaced database is kept as {kept}" if kept else ""))
    copy = backup_anchor_copy(path)
    if not anchor_path().exists() and copy.exists():
        shutil.copyfile(copy, anchor_path())
        click.echo(f"no anchor file at {anchor_path()}: the backup's copy {copy} put in its place")
    _after_restore()


def _after_restore() -> None:
    found, kept = check_database(after_restore=True)
    _report(found)
    if not found.ok:
        click.echo("the restore is NOT finished: see above; the replaced database is the way back", err=True)
        raise SystemExit(1)
    if any(line.startswith("the restore lost") for line in found.warnings):
        moved = restart_anchor_file(kept)
        click.echo(f"anchor file restarted from the restored chain; the old one kept as {moved}")
    click.echo("restore finished: start the web and scheduler processes")


COMMANDS = [backup_command, restore_command, check_database_command]
