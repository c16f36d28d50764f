"""Is this instance ready to serve: database reachable, schema current.

The scheduler is not part of it: a stopped scheduler must not take every web worker
out of the load balancer and the public site down with it.  ``/readyz`` still says when the
latest check run is older than ``READYZ_MAX_CHECK_AGE_HOURS`` (``scheduler.stale``), for people;
the alert is ``/metrics``' ``registry_check_overdue_seconds`` and, once the scheduler runs again,
the ``check_missed`` alert."""

from __future__ import annotations

import functools
import os
from datetime import timedelta

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from registry.checks.models import CheckRun
from registry.config import PROJECT_ROOT
from registry.core import clock
from registry.extensions import db


@functools.cache
def migration_heads() -> frozenset[str]:
    """The head revisions of the migrations shipped with this code (read once per process)."""
    config = Config()
    config.set_main_option("script_location", os.path.join(PROJECT_ROOT, "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _database() -> dict:
    db.session.execute(sa.text("SELECT 1"))
    return {"ok": True}


def _migrations() -> dict:
    current = frozenset(MigrationContext.configure(db.session.connection()).get_current_heads())
    heads = migration_heads()
    return {"ok": current == heads, "database": sorted(current), "code": sorted(heads)}


def scheduler_state() -> dict:
    """When a check last ran, and whether that is longer ago than it should be (information only)."""
    hours = current_app.config["READYZ_MAX_CHECK_AGE_HOURS"]
    last = db.session.scalar(sa.select(sa.func.max(CheckRun.started_at)))
    stale = bool(hours) and (last is None or clock.utcnow() - last > timedelta(hours=hours))
    return {"stale": stale, "last_run": last.isoformat() if last else None}


PROBES = {"database": _database, "migrations": _migrations}


def readiness() -> dict[str, dict]:
    """Each probe's finding; a probe that raises (no database, no table) is not ready."""
    found = {}
    for name, probe in PROBES.items():
        try:
            found[name] = probe()
        except Exception as error:  # reported, not raised: the answer must say what is wrong
            db.session.rollback()
            found[name] = {"ok": False, "error": type(error).__name__}
            if name == "database":
                break
    db.session.rollback()
    return found
