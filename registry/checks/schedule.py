"""When each scheduled check was due, and which of those times no run answered.

The scheduler process keeps its timetable in memory: while it is down nothing runs, and it
remembers nothing when it starts again.  ``check_runs`` is the record of what did run; a check's
cron fields say when it should have.  From the two:

- ``overdue``: the checks whose latest due time has no run since (the scheduler catches them up
  when it starts: every check is idempotent and works as of today, so one run covers the days
  missed; ``/metrics`` shows how long each has been overdue, whoever is down);
- ``missed``: due times of the last week that no run started within the grace after (the
  ``missed_runs`` check raises an alert for each such check).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger

from registry.checks.models import CheckRun
from registry.checks.registry import Check, ordered_checks
from registry.core import clock
from registry.extensions import db

GRACE = timedelta(hours=1)  # a run that starts this late is on time (the scheduler's misfire grace)
LOOKBACK = timedelta(days=7)


def trigger(check: Check) -> CronTrigger:
    return CronTrigger(timezone=clock.LOCAL_TZ, **check.schedule)


def due_times(check: Check, start: datetime, end: datetime) -> list[datetime]:
    """The check's due times in ``[start, end]`` (aware datetimes)."""
    cron = trigger(check)
    times = []
    due = cron.get_next_fire_time(None, start)
    while due is not None and due <= end:
        times.append(due)
        due = cron.get_next_fire_time(due, due + timedelta(seconds=1))
    return times


def _runs(since: datetime) -> tuple[dict[str, list[datetime]], dict[str, datetime]]:
    """Start times of each check's runs since ``since``, and each check's first run ever."""
    recent: dict[str, list[datetime]] = defaultdict(list)
    for name, started in db.session.execute(
            sa.select(CheckRun.name, CheckRun.started_at).where(CheckRun.started_at >= since)):
        recent[name].append(started)
    first = dict(db.session.execute(sa.select(CheckRun.name, sa.func.min(CheckRun.started_at)).group_by(CheckRun.name))
                 .tuples().all())
    return recent, first


def overdue(now: datetime | None = None) -> dict[str, datetime]:
    """Each check whose latest due time (within the last week) has no run started since."""
    now = now or clock.utcnow()
    recent, _first = _runs(now - LOOKBACK - GRACE)
    found = {}
    for check in ordered_checks():
        times = due_times(check, now - LOOKBACK, now)
        if times and not any(started >= times[-1] for started in recent.get(check.name, ())):
            found[check.name] = times[-1]
    return found


def missed(now: datetime | None = None) -> dict[str, list[datetime]]:
    """Due times of the last week that no run answered within the grace, per check; only times
    after the check's first run ever (a new installation has missed nothing)."""
    now = now or clock.utcnow()
    recent, first = _runs(now - LOOKBACK)
    found = {}
    for check in ordered_checks():
        if check.name not in first:
            continue
        starts = recent.get(check.name, [])
        times = [due for due in due_times(check, max(now - LOOKBACK, first[check.name]), now - GRACE)
                 if not any(due <= started <= due + GRACE for started in starts)]
        if times:
            found[check.name] = times
    return found
