"""``flask listing deciding-units [--dry-run]``: entries' deciding unit made the authority that decided."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from registry.extensions import db
from registry.listing.corrections import correct_deciding_units

listing_cli = AppGroup("listing", help="Red and black list entries.")


@listing_cli.command("deciding-units")
@click.option("--dry-run", is_flag=True, help="List the entries to correct, change nothing.")
@with_appcontext
def deciding_units_command(dry_run: bool):
    """Set each entry's deciding unit to its unit's issuing name where it says something else (audited)."""
    corrected = correct_deciding_units(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for entry_id, before, after in corrected:
        click.echo(f"entry {entry_id}: {before} -> {after}")
    click.echo(f"{len(corrected)} entries {'to correct' if dry_run else 'corrected'}")


COMMANDS = [listing_cli]
