"""The scheduled check of the exchange: build last month's batch and deliver what is not delivered.

It runs daily, not only on the 1st: on the 1st it builds last month's batch, and every run retries
deliveries that failed, so a failure is retried the next night.
"""

from __future__ import annotations

from datetime import date

from registry.checks.registry import register_check
from registry.exchange import batches


@register_check("exchange_batch", order=95, hour=2, minute=0)
def exchange_batch(today: date) -> dict:
    """Build last month's exchange batch (once) and deliver every batch not yet delivered."""
    return batches.scheduled_run(today)
