"""``flask subjects check-identifiers``: stored identifiers that fail their standard's check.

A database filled while the registry checked resident ID numbers wrongly (before GB 11643's
check digit was computed right) or stored full-width digits as typed holds identifiers that
the registry now refuses.  The command lists them for an administrator to correct; it changes
nothing.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext

from registry.core.db import reads_only
from registry.core.identifiers import STORED_IDENTIFIERS, SubjectKind, identifier_problem, mask_resident_id
from registry.extensions import db

subjects_cli = AppGroup("subjects", help="Subjects and their identifiers.")


def failing_identifiers():
    """(column name, row id, kind, stored value, reason) of every stored identifier that fails its check."""
    for column in sorted(STORED_IDENTIFIERS.values(), key=lambda c: c.name):
        fixed = isinstance(column.kind, SubjectKind)
        kind_expression = sa.literal(column.kind.value) if fixed else column.kind
        statement = sa.select(column.row_id, column.value, kind_expression).order_by(column.row_id)
        for row_id, value, stored_kind in db.session.execute(statement.execution_options(yield_per=2000)):
            kind = column.kind if fixed else column.kind_of(stored_kind)
            reason = identifier_problem(kind, value)
            if reason is not None:
                yield column.name, row_id, kind, value, reason


@reads_only
@subjects_cli.command("check-identifiers")
@with_appcontext
def check_identifiers_command():
    """List every stored identifier that fails its check (changes nothing; exit 1 when there are any)."""
    found = 0
    for name, row_id, kind, value, reason in failing_identifiers():
        # A person's number stays masked even here: the list is meant to be passed around.
        shown = mask_resident_id(value) if kind is SubjectKind.PERSON else value
        click.echo(f"{name} id={row_id} {kind.value} {shown}: {reason}")
        found += 1
    db.session.rollback()
    if found:
        click.echo(f"{found} stored identifiers fail their check", err=True)
        raise SystemExit(1)
    click.echo("every stored identifier passes its check")


COMMANDS = [subjects_cli]
