"""Running checks: one transaction per check, under a database lock."""

from __future__ import annotations

import json
import logging
import time
import zlib
from datetime import date

import sqlalchemy as sa

from registry.checks.alerts import NEW_ALERTS_KEY
from registry.checks.models import CheckRun
from registry.checks.notify import queue_digests
from registry.checks.registry import Check
from registry.core.db import writing_transactions
from registry.core.mail import mail_enabled
from registry.extensions import db

log = logging.getLogger(__name__)


class CheckLocked(Exception):
    """Another process is running this check right now."""


def lock_key(name: str) -> int:
    return zlib.crc32(f"registry-check:{name}".encode())


def try_lock(name: str) -> bool:
    """Take the lock of check ``name`` for the current transaction; False when another holds it.

    PostgreSQL: a transaction-scoped advisory lock (released by commit or rollback).
    SQLite: always True; the first write of the transaction takes the database's single write
    lock until commit, so a second runner waits for the first (up to the busy timeout).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    return bool(db.session.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(name)}))


def _lock(check: Check) -> None:
    if not try_lock(check.name):
        raise CheckLocked(check.name)


@writing_transactions()
def run_check(check: Check, today: date) -> dict:
    """Run one check in its own transaction; roll back everything if it fails.

    Alerts the check raised are mailed (one digest per unit) only once the commit succeeded.  The
    transaction takes SQLite's write lock first (a check reads, then writes: begun with a plain
    BEGIN it would fail at once with "database is locked" after a web request's write).
    """
    started = time.monotonic()
    try:
        db.session.info.pop(NEW_ALERTS_KEY, None)
        _lock(check)
        run = CheckRun(name=check.name, run_for=today)
        db.session.add(run)
        db.session.flush()
        counts = check.run(today) or {}
        run.counts = json.dumps(counts, sort_keys=True)
        new_alerts = db.session.info.pop(NEW_ALERTS_KEY, [])
        if new_alerts and mail_enabled():
            counts = {**counts, "mails": queue_digests(new_alerts)}
        run.duration_seconds = round(time.monotonic() - started, 3)
        db.session.commit()
    except Exception:
        db.session.info.pop(NEW_ALERTS_KEY, None)
        db.session.rollback()
        raise
    log.info("check %s for %s: %s", check.name, today, counts)
    return counts
