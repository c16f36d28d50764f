"""``flask documents issue-missing [--dry-run]``: issue the decision notices an upgraded database lacks."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from registry.documents.backfill import issue_missing
from registry.extensions import db

documents_cli = AppGroup("documents", help="Issued documents (notices, reports).")


@documents_cli.command("issue-missing")
@click.option("--dry-run", is_flag=True, help="Count the missing notices, issue none.")
@with_appcontext
def issue_missing_command(dry_run: bool):
    """Issue the decision notice, dated at its decision, of every decided record that has none."""
    result = issue_missing(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "missing" if dry_run else "issued"
    for kind, count in result.issued.items():
        click.echo(f"{kind}: {count} {verb}, {result.present[kind]} already issued at the decision")
    click.echo(f"{result.total} notices {verb}")


COMMANDS = [documents_cli]
