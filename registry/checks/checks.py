"""Housekeeping checks of the mechanisms: the audit chain's daily anchor (issue 22 §5), its head
written outside the database; uploaded files no record keeps (issue 22 §10); failed attempts no
throttle remembers (issue 30 §6)."""

from __future__ import annotations

import contextlib
import os
import time
from datetime import date

from registry.checks.registry import register_check
from registry.core import throttle
from registry.core.audit import write_anchor
from registry.core.uploads import orphan_uploads
from registry.extensions import db


@register_check("audit_anchor", order=95, hour=23, minute=50)
def audit_anchor(today: date) -> dict:
    """Append the audit chain's head (event id and hash) to the append-only anchor file, so that
    ``audit verify`` can tell a chain rewritten inside the database from the one that was."""
    head = write_anchor()
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


@register_check("throttle_cleanup", order=97, hour=3, minute=50)
def throttle_cleanup(today: date) -> dict:
    """Delete failed sign-ins and status lookups older than any throttle remembers (issue 30 §6)."""
    return {"removed": throttle.purge()}
