"""Running checks: one transaction per check, under a database lock."""

from __future__ import annotations

import json
import logging
import zlib
from datetime import date

import sqlalchemy as sa

from registry.checks.alerts import NEW_ALERTS_KEY
from registry.checks.models import CheckRun
from registry.checks.notify import queue_digests
from registry.checks.registry import Check
from registry.extensions import db

log = logging.getLogger(__name__)


class CheckLocked(Exception):
    """Another process is running this check right now."""


def lock_key(name: str) -> int:
    return zlib.crc32(f"registry-check:{name}".encode())


def _lock(check: Check) -> None:
    """Make sure no other process runs this check at the same time.

    PostgreSQL: a transaction-scoped advisory lock, skipped (``CheckLocked``) when taken.
    SQLite: the run row written first takes the database's single write lock until commit, so a
    second runner waits for the first.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        if not db.session.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(check.name)}):
            raise CheckLocked(check.name)


def run_check(check: Check, today: date) -> dict:
    """Run one check in its own transaction; roll back everything if it fails.

    Alerts the check raised are mailed (one digest per unit) only once the commit succeeded.
    """
    try:
        db.session.info.pop(NEW_ALERTS_KEY, None)
        _lock(check)
        run = CheckRun(name=check.name, run_for=today)
        db.session.add(run)
        db.session.flush()
        counts = check.run(today) or {}
        run.counts = json.dumps(counts, sort_keys=True)
        new_alerts = db.session.info.pop(NEW_ALERTS_KEY, [])
        if new_alerts:
            counts = {**counts, "mails": queue_digests(new_alerts)}
        db.session.commit()
    except Exception:
        db.session.info.pop(NEW_ALERTS_KEY, None)
        db.session.rollback()
        raise
    log.info("check %s for %s: %s", check.name, today, counts)
    return counts
