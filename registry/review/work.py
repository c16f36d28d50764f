"""The review queue on the reviewer's workbench: per kind of item, how many wait and for how long."""

from __future__ import annotations

from flask import url_for

from registry.core import clock
from registry.core.workbench import WorkLine, register_work_lines
from registry.core.workdays import current_calendar
from registry.core.workflow import QUEUE_SOURCES, queue_waiting


@register_work_lines("queue", "review", order=10)
def queue_lines(user, today):
    """One line per kind with items waiting, linking to the queue filtered to that kind."""
    calendar = current_calendar()
    lines = []
    for order, source in enumerate(QUEUE_SOURCES.values()):
        count, oldest = queue_waiting(source, user.unit_id)
        age = calendar.count_between(clock.local(oldest).date(), today) if oldest else None
        lines.append(WorkLine(source.label, count, url_for("review.queue", kind=source.kind), oldest=oldest,
                              tone="warning" if age and age > 5 else "", order=order, age=age))
    return lines
