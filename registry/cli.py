"""Commands for the core: seeding, the working-day calendar, the audit log."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date

import click
from flask.cli import AppGroup, with_appcontext

from registry.core import calendar_changes, clock, workdays
from registry.core.anchors import anchor_path, file_warnings, set_aside
from registry.core.audit import chain_head, file_anchors, rekey_chain, verify_chain, write_anchor
from registry.core.db import reads_only
from registry.core.errors import ValidationFailed
from registry.core.heads import load_outside_copy, outside_anchors, republish_after_rekey
from registry.core.seeding import DEMO_STEPS, SEED_STEPS
from registry.documents.backfill import issue_missing
from registry.documents.operations import decision_notices_deferred
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
    # The demo steps make their records out of their dates' order (each package's, back in time):
    # their decision notices are issued afterwards, numbered in the order of the decisions' dates.
    with decision_notices_deferred():
        _run_steps(DEMO_STEPS)
    issue_missing()
    db.session.commit()
    click.echo("demo data loaded")


calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@reads_only
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
    """Override one date as a working day or a holiday; open deadlines are recounted."""
    moved = calendar_changes.set_days([(day.date(), kind == "workday", note)])
    db.session.commit()
    click.echo(f"{day.date().isoformat()} {kind}; {moved} open deadlines recounted")


@calendar_cli.command("remove")
@click.argument("day", type=DATE)
@with_appcontext
def calendar_remove(day):
    """Drop the override of one date (the holidays package counts it again)."""
    if not calendar_changes.remove_day(day.date()):
        raise click.UsageError(f"{day.date().isoformat()} has no override")
    db.session.commit()
    click.echo(f"{day.date().isoformat()} removed")


@calendar_cli.command("recompute")
@click.option("--today", type=DATE, default=None, help="The day to apply as of (default: today).")
@with_appcontext
def calendar_recompute(today):
    """Apply the holidays package's calendar (after an upgrade) and recount the open deadlines."""
    applied = calendar_changes.apply_sources(today.date() if today else None)
    db.session.commit()
    years = ", ".join(str(year) for year in applied.years) or "none"
    click.echo(f"years changed: {years}; {applied.moved} open deadlines recounted")


@calendar_cli.command("declare")
@click.argument("year", type=int)
@click.option("--withdraw", is_flag=True, help="Withdraw an earlier declaration.")
@with_appcontext
def calendar_declare(year, withdraw):
    """Declare YEAR's arrangement (its 调休 days) entered, so the year counts as complete."""
    try:
        calendar_changes.declare_arrangement(year, not withdraw, None)
    except ValidationFailed as error:
        raise click.UsageError(str(error.message)) from None
    db.session.commit()
    click.echo(f"{year}: arrangement {'withdrawn' if withdraw else 'declared entered'}")


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or, as Chinese spreadsheets save it, GBK (PRODUCT §14)."""
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
    moved = calendar_changes.set_days(rows) if rows else 0
    db.session.commit()
    click.echo(f"imported {len(rows)} dates; {moved} open deadlines recounted")


audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


@reads_only
@audit_cli.command("verify")
@click.option("--unkeyed", is_flag=True, help="Check a chain written before AUDIT_HMAC_KEY (plain SHA-256).")
@click.option("--manifest", "manifests", multiple=True, type=click.File("r", encoding="utf-8"),
              help="An exchange manifest as delivered (registry-manifest-YYYY-MM.json): its audit anchor too.")
@click.option("--published", "published", multiple=True, metavar="FILE_OR_URL",
              help="An archived copy of the daily heads (/audit/heads.json), a file or an http(s) URL.")
@click.option("--strict", is_flag=True, help="Exit 2 on a warning about the anchors (missing or short file).")
@with_appcontext
def audit_verify(unkeyed: bool, manifests, published, strict: bool):
    """Check the keyed hash chain and the anchors outside the database (the anchor file, archived
    daily heads, delivered manifests); exit 1 naming the first broken event."""
    try:
        outside = [anchor for source in published for anchor in load_outside_copy(source)]
        for file in manifests:
            outside.extend(outside_anchors(json.load(file), f"manifest {file.name}"))
        local = [] if unkeyed else file_anchors()
        report = verify_chain(unkeyed=unkeyed, anchors=not unkeyed, extra_anchors=outside)
    except ValueError as error:  # a damaged anchor file, another database's, an unreadable copy
        click.echo(f"audit anchors unreadable: {error}", err=True)
        raise SystemExit(1) from error
    warnings = [] if unkeyed else file_warnings(anchor_path(), local, outside, report.checked > 0)
    if not report.ok:
        if report.problem is not None:  # not keyed yet, or the wrong key: the whole chain, not one event
            click.echo(f"audit log {report.problem.upper()}: {report.reason}", err=True)
        else:
            click.echo(f"audit log BROKEN at event {report.broken_event_id}: {report.reason}", err=True)
    for warning in warnings:
        click.echo(f"WARNING: {warning}", err=True)
    if not report.ok:
        raise SystemExit(1)
    held = f"; held against {len(outside)} published heads" if outside else ""
    click.echo(f"audit log intact: {report.checked} events{held}")
    if warnings and strict:
        raise SystemExit(2)


@audit_cli.command("anchor")
@with_appcontext
def audit_anchor():
    """Append the chain's head to the anchor file now (the daily check audit_anchor does it too)."""
    try:
        head = write_anchor()
    except ValueError as error:  # another database's file, or a damaged one
        raise click.ClickException(str(error)) from error
    click.echo(f"anchored event {head.event_id}" if head else "the audit log is empty: nothing to anchor")


@audit_cli.command("rekey")
@click.option("--old-key-env", default=None,
              help="Name of an environment variable holding the key the chain is keyed with now "
              "(to change keys); without it the chain is taken to be unkeyed (before the upgrade).")
@with_appcontext
def audit_rekey(old_key_env: str | None):
    """Key the whole chain with AUDIT_HMAC_KEY, once, after checking it as it stands.

    The anchors of the old chain no longer match: the anchor file is moved aside (kept, with the
    time in its name) and a new one starts with the rekeyed head.
    """
    old_key = None
    if old_key_env:
        value = os.environ.get(old_key_env)
        if not value:
            raise click.UsageError(f"the environment variable {old_key_env} is empty")
        old_key = value.encode("utf-8")
    old_head = chain_head()
    try:
        count = rekey_chain(from_unkeyed=old_key is None, old_key=old_key)
    except ValueError as error:
        db.session.rollback()
        click.echo(f"not rekeyed: {error}", err=True)
        raise SystemExit(1) from error
    republish_after_rekey()
    db.session.commit()
    set_aside(anchor_path(), "before-rekey", clock.utcnow())
    head = write_anchor()
    click.echo(f"rekeyed {count} events; anchored event {head.event_id if head else 0}")
    # What SECURITY.md asks the operator to record in the security log, with the date.
    for label, anchor in (("old head", old_head), ("new head", head)):
        click.echo(f"{label}: event {anchor.event_id} {anchor.hash}" if anchor else f"{label}: none (empty log)")


# The application's own commands (the core has no package of its own): create_app adds them.
COMMANDS = [seed_command, demo_command, calendar_cli, audit_cli]
