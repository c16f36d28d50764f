"""The audit chain's daily anchor (issue 22 §5): its head, written outside the database."""

from __future__ import annotations

from datetime import date

from registry.checks.registry import register_check
from registry.core.audit import write_anchor
from registry.core.held import clean_held


@register_check("audit_anchor", order=95, hour=23, minute=50)
def audit_anchor(today: date) -> dict:
    """Append the audit chain's head (event id and hash) to the append-only anchor file, so that
    ``audit verify`` can tell a chain rewritten inside the database from the one that was."""
    head = write_anchor()
    return {"anchored_event": head.event_id if head else 0}


@register_check("held_uploads_cleanup", order=96, hour=3, minute=10)
def held_uploads_cleanup(today: date) -> dict:
    """Remove the files held for refused application forms that were not sent again in time
    (``core.held.clean_held``; a successful filing also sweeps them)."""
    return {"removed": clean_held()}
