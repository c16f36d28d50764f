import click
from flask.cli import with_appcontext

from registry.checks.registry import CHECKS, ordered_checks
from registry.checks.runner import CheckLocked, run_check
from registry.core import clock


@click.command("run-checks")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--only", "only", multiple=True, help="Run only this check (repeatable).")
@with_appcontext
def run_checks_command(today, only):
    """Run every scheduled check once, and print what each did."""
    day = today.date() if today else clock.today()
    unknown = [name for name in only if name not in CHECKS]
    if unknown:
        raise click.BadParameter(
            f"unknown check {', '.join(unknown)}; known: {', '.join(sorted(CHECKS))}", param_hint="--only"
        )
    failed = False
    for check in ordered_checks():
        if only and check.name not in only:
            continue
        try:
            counts = run_check(check, day)
        except CheckLocked:
            click.echo(f"{check.name}: skipped, another process is running it")
            continue
        except Exception as error:  # one failing check must not stop the others
            failed = True
            click.echo(f"{check.name}: FAILED ({error.__class__.__name__}: {error})", err=True)
            continue
        summary = ", ".join(f"{key}={value}" for key, value in sorted(counts.items())) or "nothing to do"
        click.echo(f"{check.name}: {summary}")
    if failed:
        raise SystemExit(1)


COMMANDS = [run_checks_command]
