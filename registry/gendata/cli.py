"""``flask --app registry gen-data --subjects N --seed S``: the synthetic data set of the benchmarks."""

from __future__ import annotations

import time
from datetime import date

import click
from flask.cli import with_appcontext

from registry.core import clock
from registry.gendata.generate import AlreadyGenerated, generate


@click.command("gen-data")
@click.option("--subjects", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many subjects (organisations, persons, vehicles).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: same seed, same data.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Reference date of the data set (default: today in Asia/Shanghai).")
@with_appcontext
def gen_data_command(subjects: int, seed: int, today):
    """Fill an empty database with a deterministic synthetic province (bulk inserts, no audit events)."""
    started = time.perf_counter()
    day: date = today.date() if today else clock.today()

    def progress(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:7.1f}s] {message}")

    try:
        counts = generate(subjects, seed, day, progress)
    except AlreadyGenerated as error:
        raise click.ClickException(str(error)) from None
    for table, count in sorted(counts.items()):
        click.echo(f"  {table}: {count}")
    click.echo(f"generated {subjects} subjects (seed {seed}, as of {day}) in {time.perf_counter() - started:.1f}s")


COMMANDS = [gen_data_command]
