"""``flask watch deliver``: queue and send change notifications once (what the scheduler's job does)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from registry.watch import delivery

watch_cli = AppGroup("watch", help="Watchlist change notifications.")


@watch_cli.command("deliver")
@click.option("--budget", default=50.0, show_default=True, help="Stop starting new rounds after this many seconds.")
def deliver_command(budget):
    """Queue notifications for new feed items and send every one that is due."""
    counts = delivery.run(budget_seconds=budget)
    click.echo(" ".join(f"{name}={n}" for name, n in counts.items()))


COMMANDS = [watch_cli]
