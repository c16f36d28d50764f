"""Imports every model of the core, so that the metadata (and Alembic) sees them all."""

from registry.core.audit import AuditEvent
from registry.core.changes import ChangeEvent
from registry.core.editors import RecordEditor
from registry.core.heads import PublishedHead
from registry.core.holds import RecordHold
from registry.core.removals import RemovalRequest
from registry.core.settings import Setting
from registry.core.throttle import ThrottleFailure
from registry.core.workdays import CalendarDay, CalendarYear

__all__ = [
    "AuditEvent", "CalendarDay", "CalendarYear", "ChangeEvent", "PublishedHead", "RecordEditor", "RecordHold",
    "RemovalRequest", "Setting", "ThrottleFailure",
]
