"""The API keys' daily check: each key that expired is recorded in the audit log."""

from __future__ import annotations

from registry.accounts.apikeys import record_expiries
from registry.checks.registry import register_check
from registry.core import clock


@register_check("api_key_expiry", order=30, hour=0, minute=5)
def api_key_expiry(today) -> dict:
    """Audit ``api_key.expire`` for the keys whose last day has passed (they are refused from the
    first second after it, check or no check: this only records it)."""
    return {"expired": record_expiries(clock.utcnow())}
