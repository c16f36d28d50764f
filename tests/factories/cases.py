"""Factories for cases: a case built directly in any state, satisfying every constraint."""

from __future__ import annotations

from datetime import date

from registry.cases.models import Case, CaseStatus
from registry.core import clock
from registry.listing.models import EntryStatus


class CasesFactories:
    db: object

    def published_entry(self, *, valid_from: date | None = None, unit: str = "JJC", **fields):
        """A published entry of 公路建设市场严重失信 whose validity starts at ``valid_from``."""
        entry = self.entry(EntryStatus.PUBLISHED, unit=unit, **fields)
        if valid_from is not None:
            entry.valid_from = valid_from
            entry.valid_until = date(valid_from.year + 3, valid_from.month, 1)
            entry.publicity_start = entry.publicity_end = valid_from
            self.db.session.flush()
        return entry

    def case(self, status: str | CaseStatus = CaseStatus.PUBLISHED, *, unit: str = "JJC", entry=None,
             creator=None, reviewer=None, case_date: date | None = None, measures=("HB-01",),
             typical: bool = False, **fields) -> Case:
        status = CaseStatus(status)
        creator = creator or self.user("clerk", unit=unit)
        entry = entry or self.published_entry()
        values = {
            "entry_id": entry.id, "status": status, "case_date": case_date or clock.today(),
            "applying_party": creator.unit.name, "matter": "某公路工程施工招标资格审查",
            "effect": "否决其投标资格。", "unit_id": creator.unit_id, "created_by_id": creator.id,
        }
        if status is not CaseStatus.DRAFT:
            values.update(submitted_by_id=creator.id, submitted_at=clock.utcnow())
        if status is CaseStatus.PUBLISHED:
            reviewer = reviewer or self.user("reviewer", unit=unit)
            values.update(reviewed_by_id=reviewer.id, reviewed_at=clock.utcnow())
            if typical:
                admin = self.user("admin", unit="FGC")
                values.update(is_typical=True, typical_marked_by_id=admin.id, typical_marked_at=clock.utcnow())
        values.update(fields)
        case = Case(**values)
        case.measures = [self.measure(code) for code in measures]
        self.db.session.add(case)
        self.db.session.flush()
        return case
