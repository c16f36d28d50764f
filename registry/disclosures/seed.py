"""Demo disclosures in every state for 基建处 (JJC) and 运输处 (YSC), made through the operations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from stdnum.cn import uscc

from registry.accounts.seed import demo_user
from registry.core import clock
from registry.core.seeding import demo_step
from registry.disclosures import operations as ops
from registry.disclosures import severity as _severity  # noqa: F401  (its seed step: the classification table)
from registry.disclosures.models import (
    Disclosure,
    DisclosureKind,
    LicenceType,
    PartyCategory,
    PenaltyType,
    RemovalReason,
    Severity,
)
from registry.disclosures.validation import DisclosureData
from registry.extensions import db
from registry.subjects.models import Subject

_BODY = "11430000006142384"
DEPARTMENT = ("湖南省交通运输厅", _BODY + uscc.calc_check_digit(_BODY))

# (unit, clerk, reviewer, source unit, prefix)
UNITS = [
    ("JJC", "clerk@demo.hn", "reviewer@demo.hn", "湖南省交通运输厅基建处", "湘交建罚"),
    ("YSC", "clerk.ysc@demo.hn", "reviewer.ysc@demo.hn", "湖南省交通运输厅运输处", "湘交运罚"),
]
# (number suffix, kind, days before today, severity, end state)
PLAN = [
    (1, "penalty", 2, Severity.GENERAL, "draft"),
    (2, "penalty", 3, Severity.SERIOUS, "pending_review"),
    (3, "penalty", 5, Severity.GENERAL, "published"),
    (4, "penalty", 40, Severity.SERIOUS, "published"),  # published late
    (5, "licence", 4, None, "published"),
    (6, "penalty", 6, Severity.MINOR, "not_public"),
    (7, "penalty", 420, Severity.GENERAL, "expired"),
    (8, "penalty", 200, Severity.GENERAL, "removed"),
    (9, "penalty", 30, Severity.GENERAL, "corrected"),
    (10, "licence", 1, None, "returned"),
]


def _data(subject: Subject, number: str, kind: str, decided, severity, source: str, **changes) -> DisclosureData:
    person = subject.kind.value == "person"
    common = {
        "party_name": subject.name,
        "party_category": PartyCategory.PERSON if person else PartyCategory.ORGANISATION,
        "party_identifier": subject.identifier,
        "legal_representative": None if person else subject.legal_representative,
        "decision_number": number, "decision_date": decided, "source_unit_name": source,
        "authority_name": DEPARTMENT[0], "authority_uscc": DEPARTMENT[1],
    }
    if kind == "licence":
        values = dict(common, kind=DisclosureKind.LICENCE, licence_type=LicenceType.GENERAL,
                      licence_number=f"湘交运许字{number[-4:]}", licence_content="道路货物运输经营许可",
                      licence_valid_from=decided, licence_valid_to=decided + timedelta(days=4 * 365))
    else:
        minor = severity is Severity.MINOR
        values = dict(common, kind=DisclosureKind.PENALTY, violation_type="车辆超限超载运输",
                      violation_facts="经检测，该车辆车货总质量超过限定标准。",
                      legal_basis="《公路安全保护条例》第六十四条",
                      penalty_type=PenaltyType.WARNING if minor else PenaltyType.FINE,
                      penalty_content="警告" if minor else "罚款人民币叁万元整",
                      fine_amount=None if minor else Decimal("3"), severity=severity)
    values.update(changes)
    return DisclosureData(**values)


def _walk(d: Disclosure, state: str, clerk, reviewer) -> None:
    if state == "draft":
        return
    ops.submit_disclosure(d, actor=clerk, expected_version=d.version)
    if state == "pending_review":
        return
    if state == "returned":
        ops.return_disclosure(d, actor=reviewer, expected_version=d.version,
                              comment="许可证书编号有误，请核对后重新提交。")
        return
    ops.approve_disclosure(d, actor=reviewer, expected_version=d.version)
    if state == "removed":
        ops.end_public_view(d, RemovalReason.REPAIRED, reviewer, comment="信用修复申请已核准")


@demo_step(40)
def demo_disclosures() -> None:
    today = clock.today()
    subjects = list(db.session.scalars(sa.select(Subject).where(Subject.kind.in_(["organisation", "person"]))
                                       .order_by(Subject.id)))
    if not subjects:
        return
    for offset, (_code, clerk_email, reviewer_email, source, prefix) in enumerate(UNITS):
        clerk, reviewer = demo_user(clerk_email), demo_user(reviewer_email)
        if clerk is None or reviewer is None:
            continue
        for serial, kind, days, severity, state in PLAN:
            number = f"{prefix}〔{today.year}〕{serial}号"
            if db.session.scalar(sa.select(Disclosure.id).where(Disclosure.unit_id == clerk.unit_id,
                                                                Disclosure.decision_number == number)):
                continue
            subject = subjects[(serial + offset * len(PLAN)) % len(subjects)]
            decided = today - timedelta(days=days)
            d = ops.create_disclosure(_data(subject, number, kind, decided, severity, source),
                                      unit_id=clerk.unit_id, actor=clerk)
            _walk(d, state, clerk, reviewer)
            if state == "corrected":
                fix = ops.start_correction(d, _data(subject, number, kind, decided, severity, source,
                                                    fine_amount=Decimal("2")), actor=clerk)
                _walk(fix, "published", clerk, reviewer)
    ops.expire_past_period(today)
