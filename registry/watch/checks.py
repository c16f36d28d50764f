"""The scheduler's job that queues and sends change notifications (never run by web workers)."""

from __future__ import annotations

from registry.checks.registry import register_job
from registry.watch import delivery


@register_job("watch_notifications", seconds=10)
def watch_notifications() -> dict:
    """Queue notifications for new feed items about watched subjects and send what is due."""
    return delivery.run()
