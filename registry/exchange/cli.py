"""``flask exchange build --month YYYY-MM`` and ``flask exchange deliver [--month YYYY-MM]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from registry.checks.runner import try_lock
from registry.exchange import batches
from registry.extensions import db

exchange_cli = AppGroup("exchange", help="Monthly exchange batches of the change feed.")


def _month(ctx, param, value):
    if value is None:
        return None
    try:
        return batches.parse_month(value)
    except batches.BadMonth as error:
        raise click.BadParameter(str(error)) from None


def _take_lock() -> None:
    """The scheduler's exchange check and these commands never deliver at the same time."""
    if not try_lock("exchange_batch"):
        raise click.ClickException("another process is building or delivering exchange batches; try again later")


@exchange_cli.command("build")
@click.option("--month", required=True, callback=_month, metavar="YYYY-MM", help="The month to build.")
def build_command(month):
    """Build (or rebuild) one month's batch from the change feed."""
    try:
        _take_lock()
        result = batches.build_batch(*month)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    batch = result.batch
    click.echo(f"{batch.month}: {result.outcome}, {batch.event_count} changes, manifest sha256 {batch.manifest_sha256}")


@exchange_cli.command("deliver")
@click.option("--month", default=None, callback=_month, metavar="YYYY-MM",
              help="Deliver this month again (default: every batch not yet delivered).")
def deliver_command(month):
    """Deliver batches to EXCHANGE_URL or EXCHANGE_DIR; exit 1 if any delivery failed."""
    label = batches.month_label(*month) if month else None
    if batches.destination() is None:
        raise click.UsageError("no destination: set REGISTRY_EXCHANGE_URL or REGISTRY_EXCHANGE_DIR")
    try:
        _take_lock()
        targets = batches.pending_batches(label)
        if label and not targets:
            raise click.UsageError(f"no batch for {label}: build it first (flask exchange build --month {label})")
        failed = []
        for batch in targets:
            if batches.deliver_batch(batch):
                click.echo(f"{batch.month}: delivered to {batch.destination}")
            else:
                failed.append(batch)
                click.echo(f"{batch.month}: FAILED (attempt {batch.attempts}): {batch.last_error}", err=True)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not targets:
        click.echo("nothing to deliver")
    if failed:
        raise SystemExit(1)


COMMANDS = [exchange_cli]
