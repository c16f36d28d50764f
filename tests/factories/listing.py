"""Factories for list entries: an entry built directly in any state, satisfying every constraint."""

from __future__ import annotations

import itertools
from datetime import timedelta

import sqlalchemy as sa

from registry.core import clock
from registry.core.periods import add_months
from registry.listing.models import EntryStatus, ListCategory, Measure, RemovalReason

_numbers = itertools.count(1)
APPROVED = {EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED, EntryStatus.WITHDRAWN, EntryStatus.EXPIRED,
            EntryStatus.REMOVED}


class ListingFactories:
    db: object

    def category(self, name: str = "公路建设市场严重失信") -> ListCategory:
        return self.db.session.scalar(sa.select(ListCategory).where(ListCategory.name == name))

    def measure(self, code: str) -> Measure:
        return self.db.session.scalar(sa.select(Measure).where(Measure.code == code))

    def entry(self, status: str | EntryStatus = EntryStatus.DRAFT, *, unit: str = "JJC", creator=None,
              reviewer=None, subject=None, category: str = "公路建设市场严重失信", **fields):
        from registry.listing.models import ListEntry

        status = EntryStatus(status)
        creator = creator or self.user("clerk", unit=unit)
        cat = self.category(category)
        today = clock.today()
        values = {
            "list_kind": cat.list_kind, "category_id": cat.id, "subject_id": (subject or self.subject()).id,
            "reason": "在公路建设项目招投标中弄虚作假。", "legal_basis": "《公路建设市场信用信息管理办法》",
            "decision_number": f"测试〔2026〕{next(_numbers)}号", "deciding_unit": creator.unit.issuing_name,
            "decision_date": today - timedelta(days=30), "unit_id": creator.unit_id,
            "created_by_id": creator.id, "status": status,
        }
        if status is not EntryStatus.DRAFT:
            values.update(submitted_by_id=creator.id, submitted_at=clock.utcnow())
        if status in APPROVED:
            reviewer = reviewer or self.user("reviewer", unit=unit)
            values.update(reviewed_by_id=reviewer.id, reviewed_at=clock.utcnow())
            if status in (EntryStatus.IN_PUBLICITY, EntryStatus.WITHDRAWN):
                values.update(publicity_start=today, publicity_end=today + timedelta(days=7))
            else:
                start = today - timedelta(days=900 if status is EntryStatus.EXPIRED else 20)
                values.update(publicity_start=start, publicity_end=start + timedelta(days=7),
                              valid_from=start + timedelta(days=8))
                values["valid_until"] = add_months(values["valid_from"], cat.validity_months)
        if status is EntryStatus.REMOVED:
            values.update(removal_reason=RemovalReason.REVOKED, removal_date=today)
        values.update(fields)
        entry = ListEntry(**values)
        entry.measures = list(cat.measures)
        self.db.session.add(entry)
        self.db.session.flush()
        return entry
