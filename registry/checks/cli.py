import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.checks.registry import CHECKS, ordered_checks
from registry.checks.runner import CheckLocked, run_check
from registry.checks.scheduler import build_scheduler, catch_up
from registry.core import clock


class _Date(click.DateTime):
    name = "date"

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM-DD"


@click.command("run-checks")
@click.option("--today", type=_Date(formats=["%Y-%m-%d"]), default=None,
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
            click.echo(f"{check.name}: FAILED, rolled back ({error.__class__.__name__}: {error})", err=True)
            continue
        summary = ", ".join(f"{key}={value}" for key, value in sorted(counts.items())) or "nothing to do"
        click.echo(f"{check.name}: {summary}")
    if failed:
        raise SystemExit(1)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduled checks at their times (Asia/Shanghai) until stopped."""
    logging.getLogger("registry").setLevel(logging.INFO)
    # APScheduler's INFO is "Running job …" / "… executed successfully" for every run (17,000
    # lines a day from the 10-second jobs alone) and a line per job added: the registry logs the
    # timetable and each check's run itself.  Misfires and failures are still logged (WARNING).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    app = current_app._get_current_object()
    catch_up(app)
    scheduler = build_scheduler(app)
    log = logging.getLogger("registry.checks.scheduler")
    for job in scheduler.get_jobs():
        log.info("scheduled %s: %s", job.name, job.trigger)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


COMMANDS = [run_checks_command, scheduler_command]
