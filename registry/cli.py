"""Commands for the core: seeding, the working-day calendar, the audit log."""

from __future__ import annotations

import csv
import io
from datetime import date

import click
from flask.cli import AppGroup, with_appcontext

from registry.core import workdays
from registry.core.audit import verify_chain
from registry.core.seeding import DEMO_STEPS, SEED_STEPS
from registry.extensions import db


class _Date(click.DateTime):
    name = "date"

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM-DD"


DATE = _Date(formats=["%Y-%m-%d"])


def _run_steps(steps) -> None:
    for step in steps.ordered():
        step.run()
    db.session.commit()


@click.command("seed")
@with_appcontext
def seed_command():
    """Load units, list categories and measures (idempotent)."""
    _run_steps(SEED_STEPS)
    click.echo("seed data loaded")


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the seed data plus demo accounts and records in every state (idempotent)."""
    _run_steps(SEED_STEPS)
    _run_steps(DEMO_STEPS)
    click.echo("demo data loaded")


calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("deadline")
@click.argument("start", type=DATE)
@click.argument("working_days", type=click.IntRange(min=0))
@with_appcontext
def calendar_deadline(start, working_days):
    """Print the WORKING_DAYS-th working day after START."""
    click.echo(workdays.add_working_days(start.date(), working_days).isoformat())


@calendar_cli.command("set")
@click.argument("day", type=DATE)
@click.argument("kind", type=click.Choice(["workday", "holiday"]))
@click.option("--note", default=None)
@with_appcontext
def calendar_set(day, kind, note):
    """Override one date as a working day or a holiday."""
    workdays.set_day(day.date(), kind == "workday", note)
    db.session.commit()
    click.echo(f"{day.date().isoformat()} {kind}")


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or, as Chinese spreadsheets save it, GBK (SPEC §14)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise click.UsageError("the file is neither UTF-8 nor GBK text")


@calendar_cli.command("import")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def calendar_import(file):
    """Import overrides from a CSV of date,workday|holiday[,note] (one row per date)."""
    rows = []
    text = _decode_csv(file.read())
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if not row or row[0].strip().lower() in ("date", "日期"):
            continue
        try:
            day = date.fromisoformat(row[0].strip())
            kind = row[1].strip().lower()
            if kind not in ("workday", "holiday"):
                raise ValueError(kind)
        except (ValueError, IndexError):
            raise click.UsageError(f"line {number}: expected YYYY-MM-DD,workday|holiday[,note]") from None
        rows.append((day, kind == "workday", row[2].strip() if len(row) > 2 else None))
    for day, is_workday, note in rows:
        workdays.set_day(day, is_workday, note)
    db.session.commit()
    click.echo(f"imported {len(rows)} dates")


audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
@with_appcontext
def audit_verify():
    """Check the hash chain; exit 1 naming the first broken event."""
    report = verify_chain()
    if report.ok:
        click.echo(f"audit log intact: {report.checked} events")
        return
    click.echo(f"audit log BROKEN at event {report.broken_event_id}: {report.reason}", err=True)
    raise SystemExit(1)
