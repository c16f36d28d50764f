"""Factories for checks and exchange tests: change-feed events at a chosen moment."""

from __future__ import annotations

import itertools
from datetime import datetime

from registry.core import clock
from registry.core.changes import ChangeKind, record_change

_records = itertools.count(900_000)


class CheckFactories:
    db: object

    def change_event(self, *, unit: str | None = "JJC", at: datetime | None = None, record_type: str = "disclosure",
                     change: ChangeKind | str = ChangeKind.PUBLISHED, record_id: int | None = None,
                     payload: dict | None = None, reason: str | None = None):
        """One change-feed event as if a package had published something at ``at`` (UTC-aware)."""
        unit_row = self.unit(unit) if unit else None
        record_id = next(_records) if record_id is None else record_id
        with clock.frozen_at(at or clock.utcnow()):
            return record_change(record_type, record_id, ChangeKind(change),
                                 payload=payload or {"id": record_id, "名称": "测试"},
                                 unit_id=unit_row.id if unit_row else None, reason=reason)
