"""``flask --app registry backup PATH``: a consistent copy of the database while the registry runs.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies page by page under SQLite's
own locking, so writers may continue; the copy is checked with ``PRAGMA integrity_check``.
PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot) when it is on PATH; otherwise the
command prints the ``pg_dump`` invocation to run.  Restoring is described in SECURITY.md
("Backups and restore"); a restored copy must pass ``flask --app registry audit verify``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

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
        return
    if url.get_backend_name() == "postgresql":
        command, env = pg_dump_command(url, path)
        if shutil.which("pg_dump") is None:
            shown = " ".join(command)
            click.echo(f"pg_dump is not on PATH; run (with PGPASSWORD set if needed):\n  {shown}")
            raise SystemExit(2)
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {finished.stderr.strip()}")
        click.echo(f"backup written to {path} (pg_dump custom format; restore with pg_restore)")
        return
    raise click.ClickException(f"no backup method for the {url.get_backend_name()} database")


COMMANDS = [backup_command]
