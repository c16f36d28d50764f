"""The audit chain's daily anchor (issue 22 §5): its head, written outside the database."""

from __future__ import annotations

from datetime import date

from registry.checks.registry import register_check
from registry.core.audit import write_anchor


@register_check("audit_anchor", order=95, hour=23, minute=50)
def audit_anchor(today: date) -> dict:
    """Append the audit chain's head (event id and hash) to the append-only anchor file, so that
    ``audit verify`` can tell a chain rewritten inside the database from the one that was."""
    head = write_anchor()
    return {"anchored_event": head.event_id if head else 0}
