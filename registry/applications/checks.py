"""The scheduled check of the application forms: the files held for refused forms."""

from __future__ import annotations

from datetime import date

from registry.checks.registry import register_check
from registry.core.held import clean_held


@register_check("held_uploads_cleanup", order=97, hour=3, minute=10)
def held_uploads_cleanup(today: date) -> dict:
    """Remove the files held for refused application forms that were not sent again in time
    (``core.held.clean_held``; a successful filing also sweeps them)."""
    return {"removed": clean_held()}
