"""The scheduler's job that queues and sends change notifications (never run by web workers)."""

from __future__ import annotations

from registry.checks.registry import register_job
from registry.watch import delivery

# Every second: a change is sent within about a second or two of its commit, and a
# retry at its documented time (10, 20, 40 s … after the failure) plus at most a second.  A run
# that finds nothing to do is three small queries; a run still sending makes the next tick wait
# (one at a time), and it keeps sending rounds until nothing is due.
TICK_SECONDS = 1


@register_job("watch_notifications", seconds=TICK_SECONDS)
def watch_notifications() -> dict:
    """Queue notifications for new feed items about watched subjects and send what is due."""
    return delivery.run()
