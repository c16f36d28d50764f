"""The scheduled checks of the lists (PRODUCT §9): publicity end and validity end, daily 00:30."""

from __future__ import annotations

from datetime import date

from registry.checks.registry import register_check
from registry.listing.operations import expire_due_entries, publish_due_entries


@register_check("publicity_end", order=10, hour=0, minute=30)
def publicity_end(today: date) -> dict:
    """Publish entries whose publicity has ended with no open objection."""
    return {"published": publish_due_entries(today)}


@register_check("validity_end", order=20, hour=0, minute=30)
def validity_end(today: date) -> dict:
    """Expire entries past their last valid day."""
    return {"expired": expire_due_entries(today)}
