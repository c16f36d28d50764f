"""``flask disclosures import FILE --unit UNIT [--submit]``: the bulk import for scheduled feeds."""

from __future__ import annotations

import os
import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext

from registry.accounts.models import Unit, User
from registry.core.errors import RegistryError
from registry.core.permissions import UNIT_ROLES
from registry.core.spreadsheets import error_report_csv
from registry.disclosures.imports import ImportRefused, import_disclosures
from registry.extensions import db

disclosures_cli = AppGroup("disclosures", help="双公示 disclosures.")


def _officer(unit: Unit, email: str | None) -> User:
    """The account the import is recorded under: --user, else the unit's longest-serving clerk."""
    statement = sa.select(User).where(User.unit_id == unit.id, User.is_active.is_(True), User.role.in_(UNIT_ROLES))
    if email:
        user = db.session.scalar(statement.where(User.email == email.strip().lower()))
        if user is None:
            raise click.UsageError(f"{email} is not an active clerk or reviewer of unit {unit.code}")
        return user
    user = db.session.scalar(statement.order_by(User.role, User.id).limit(1))
    if user is None:
        raise click.UsageError(f"unit {unit.code} has no active clerk or reviewer: name one with --user")
    return user


@disclosures_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_code", required=True, help="Code of the unit the disclosures belong to (e.g. YSC).")
@click.option("--submit", is_flag=True, help="Submit the records for review instead of keeping them as drafts.")
@click.option("--user", "email", envvar="REGISTRY_FEED_USER", default=None,
              help="Officer account the import is recorded under (default: the unit's first clerk).")
@with_appcontext
def import_command(file, unit_code, submit, email):
    """Import FILE (CSV or XLSX in the template); on any bad row import nothing, print the report, exit 1."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code.strip().upper()))
    if unit is None:
        raise click.UsageError(f"unknown unit {unit_code}")
    actor = _officer(unit, email)
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        result = import_disclosures(data, os.path.basename(file), unit_id=unit.id, actor=actor, submit=submit)
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        click.echo(str(refused.message), err=True)
        sys.stderr.write(error_report_csv(refused.errors).decode("utf-8-sig"))
        raise SystemExit(1) from None
    except RegistryError as error:
        db.session.rollback()
        click.echo(str(error.message), err=True)
        raise SystemExit(1) from None
    state = "submitted for review" if result.submitted else "drafts"
    click.echo(f"imported {result.count} disclosures as {state} for {unit.code} (as {actor.email}); "
               f"{result.new_subjects} new subjects")


COMMANDS = [disclosures_cli]
