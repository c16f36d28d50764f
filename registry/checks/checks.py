"""Housekeeping checks of the mechanisms: the audit chain's daily anchor, its head
written outside the database and published; uploaded files no record keeps;
scheduled runs that did not happen; failed attempts no throttle remembers."""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from datetime import date

from flask_babel import lazy_gettext as _l

from registry.checks.alerts import OVERDUE, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.checks.schedule import LOOKBACK, missed
from registry.core import clock, throttle
from registry.core.audit import write_anchor
from registry.core.heads import publish_head
from registry.core.uploads import orphan_uploads
from registry.extensions import db


@register_check("audit_anchor", order=95, hour=23, minute=50)
def audit_anchor(today: date) -> dict:
    """Append the audit chain's head (event id and hash) to the append-only anchor file, so that
    ``audit verify`` can tell a chain rewritten inside the database from the one that was, and
    publish it as the day's head (``/audit/heads.json``, the month's exchange manifest) for
    others to keep."""
    head = write_anchor()
    publish_head(today)
    return {"anchored_event": head.event_id if head else 0}


@register_check("upload_orphans", order=96, hour=3, minute=40)
def upload_orphans(today: date) -> dict:
    """Remove uploaded files that no record keeps and that are older than a day (a server killed
    between storing a file and committing its record leaves one; so does a write that never
    finished)."""
    removed = 0
    for path in orphan_uploads(db.session, now=time.time()):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
            removed += 1
    return {"removed": removed}


register_alert_kind(
    "check_missed", label=_l("Scheduled check did not run"),
    message=_l("The scheduled check %(check)s did not run at %(missed)s (%(count)s time(s) in the last 7 days): "
               "the scheduler process was not running. It runs what it missed when it starts; make sure exactly "
               "one scheduler runs."),
    severity=OVERDUE,
)


@register_check("missed_runs", order=98, hour=9, minute=30)
def missed_runs(today: date) -> dict:
    """Alert the administrators for every check that missed a run in the last week (one alert a
    check, resolved once a week has passed without a miss).  Also run by the scheduler when it
    starts, after catching up."""
    local = clock.LOCAL_TZ
    rows = [{"unit_id": None, "record_type": "scheduled_check", "record_id": zlib.crc32(name.encode()) & 0x7FFFFFFF,
             "params": {"check": name, "missed": times[-1].astimezone(local).strftime("%Y-%m-%d %H:%M"),
                        "count": len(times)}}
            for name, times in sorted(missed().items())]
    result = sync_alerts("check_missed", today, rows)
    return {"checks_missed": len(rows), "days": LOOKBACK.days, **result.counts()}


@register_check("throttle_cleanup", order=97, hour=3, minute=50)
def throttle_cleanup(today: date) -> dict:
    """Delete failed sign-ins and status lookups older than any throttle remembers."""
    return {"removed": throttle.purge()}
