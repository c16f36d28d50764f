"""The scheduler process: ``flask --app registry scheduler`` (one per deployment, never in the web app).

Every registered check becomes one APScheduler cron job with the check's own fields, in
Asia/Shanghai.  A job that fails is logged with its traceback and the process carries on; the
next scheduled run tries again (each check is idempotent, so it catches up).  A job that finds
its check locked by another process skips that run.  Jobs (``register_job``) run every few
seconds and commit as they go (sending change notifications, for instance).

On start, before the timetable, ``catch_up`` runs every check whose latest due time has no run
since (the process was down, or a new installation), then ``missed_runs`` alerts the
administrators about the runs missed.  The log stays quiet when nothing happened: a check's run is
one line, an interval job writes only when it did something.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from registry.checks.registry import CHECKS, JOBS, ordered_checks
from registry.checks.runner import CheckLocked, run_check
from registry.checks.schedule import overdue
from registry.core import clock
from registry.extensions import db

log = logging.getLogger(__name__)


def run_job(app: Flask, name: str) -> dict | None:
    """One scheduled run of the check ``name``: never raises, so the scheduler keeps going."""
    with app.app_context():
        check = CHECKS[name]
        today = clock.today()
        try:
            return run_check(check, today)  # the runner logs the run's counts
        except CheckLocked:
            log.warning("check %s skipped: another process is running it", name)
            return None
        except Exception:
            log.exception("check %s failed for %s; rolled back, the next run retries", name, today)
            return None


def catch_up(app: Flask) -> list[str]:
    """Run every check whose latest due time has no run since, in the checks' order, then the
    alert about missed runs; returns the names caught up."""
    with app.app_context():
        late = overdue()
    for name, due in late.items():
        log.warning("check %s missed its run at %s: running it now", name, due.astimezone(clock.LOCAL_TZ).isoformat())
        run_job(app, name)
    if "missed_runs" in CHECKS:
        run_job(app, "missed_runs")
    return list(late)


def run_interval_job(app: Flask, name: str) -> dict | None:
    """One run of the job ``name``: never raises; what it did not commit is rolled back."""
    with app.app_context():
        try:
            counts = JOBS[name].run()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed; the next run retries", name)
            return None
        if any(counts.values()):
            log.info("job %s: %s", name, counts)
        return counts


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=clock.LOCAL_TZ)
    for check in ordered_checks():
        scheduler.add_job(
            run_job, CronTrigger(timezone=clock.LOCAL_TZ, **check.schedule), args=[app, check.name],
            id=check.name, name=check.name, coalesce=True, max_instances=1, misfire_grace_time=3600,
            replace_existing=True,
        )
    for job in JOBS.ordered():
        scheduler.add_job(
            run_interval_job, IntervalTrigger(seconds=job.seconds), args=[app, job.name], id=f"job:{job.name}",
            name=job.name, coalesce=True, max_instances=1, replace_existing=True,
        )
    return scheduler
