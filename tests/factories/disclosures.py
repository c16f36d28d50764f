"""Factories for disclosures: valid rows in any state, built directly (operations are tested apart)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from registry.core import clock
from registry.disclosures import queries
from registry.disclosures.models import (
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
    LicenceType,
    PartyCategory,
    PenaltyType,
    Severity,
)
from registry.disclosures.validation import DisclosureData
from tests.factories.core import valid_resident_id, valid_uscc

_numbers = itertools.count(1)
AUTHORITY_USCC = valid_uscc(9999, region="430000", prefix="11")


def penalty_data(**fields) -> DisclosureData:
    values = {
        "kind": DisclosureKind.PENALTY, "party_name": "湖南测试运输有限公司",
        "party_category": PartyCategory.ORGANISATION, "party_identifier": valid_uscc(),
        "legal_representative": "张三", "decision_number": f"湘交执罚〔2026〕{next(_numbers)}号",
        "decision_date": date(2026, 3, 2), "authority_name": "湖南省交通运输厅", "authority_uscc": AUTHORITY_USCC,
        "source_unit_name": "湖南省交通运输厅基建处", "violation_type": "超限运输",
        "violation_facts": "车辆超限运输", "legal_basis": "《公路安全保护条例》第六十四条",
        "penalty_type": PenaltyType.FINE, "penalty_content": "罚款人民币五千元", "fine_amount": Decimal("0.5"),
        "severity": Severity.GENERAL,
    }
    values.update(fields)
    return DisclosureData(**values)


def licence_data(**fields) -> DisclosureData:
    values = {
        "kind": DisclosureKind.LICENCE, "party_name": "湖南测试客运有限公司",
        "party_category": PartyCategory.ORGANISATION, "party_identifier": valid_uscc(),
        "legal_representative": "李四", "decision_number": f"湘交许〔2026〕{next(_numbers)}号",
        "decision_date": date(2026, 3, 2), "authority_name": "湖南省交通运输厅", "authority_uscc": AUTHORITY_USCC,
        "source_unit_name": "湖南省交通运输厅运输处", "licence_type": LicenceType.GENERAL,
        "licence_number": "湘交运管许可字430100000001号", "licence_content": "道路旅客运输经营许可",
        "licence_valid_from": date(2026, 3, 2), "licence_valid_to": date(2030, 3, 1),
    }
    values.update(fields)
    return DisclosureData(**values)


class DisclosureFactories:
    db: object

    def disclosure(self, status: DisclosureStatus | str = DisclosureStatus.DRAFT, *, unit: str = "JJC",
                   kind: str = "penalty", person: bool = False, **fields) -> Disclosure:
        """A disclosure row in ``status``, with a creator (and submitter/reviewer where the state has one)."""
        status = DisclosureStatus(status)
        clerk = fields.pop("created_by", None) or self.user("clerk", unit=unit)
        builder = penalty_data if kind == "penalty" else licence_data
        extra = {}
        if person:
            extra = {"party_category": PartyCategory.PERSON, "party_identifier": valid_resident_id(),
                     "party_name": "王五", "legal_representative": None}
        data_fields = {k: fields.pop(k) for k in list(fields) if k in DisclosureData.__dataclass_fields__}
        data = builder(**{**extra, **data_fields})
        from registry.subjects.models import Subject

        subject = self.db.session.query(Subject).filter_by(identifier=data.party_identifier).one_or_none() or \
            self.subject("person" if person else "organisation", identifier=data.party_identifier,
                         name=data.party_name)
        row = Disclosure(unit=self.unit(unit), subject_id=subject.id, created_by_id=clerk.id, status=status,
                         publication_deadline=queries.publication_deadline(data.decision_date, data.severity),
                         **data.as_dict())
        if status is not DisclosureStatus.DRAFT:
            row.submitted_by_id, row.submitted_at = clerk.id, clock.utcnow()
        if status not in (DisclosureStatus.DRAFT, DisclosureStatus.PENDING_REVIEW):
            reviewer = self.user("reviewer", unit=unit)
            row.reviewed_by_id, row.reviewed_at = reviewer.id, clock.utcnow()
        if status in (DisclosureStatus.PUBLISHED, DisclosureStatus.CORRECTED, DisclosureStatus.EXPIRED,
                      DisclosureStatus.REMOVED):
            row.published_on = fields.pop("published_on", data.decision_date)
            row.published_on_time = row.published_on <= row.publication_deadline
        for name, value in fields.items():
            setattr(row, name, value)
        self.db.session.add(row)
        self.db.session.flush()
        return row
