"""Demo disclosures in every state for 基建处 (JJC) and 运输处 (YSC), made through the operations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from stdnum.cn import uscc

from registry.accounts.seed import demo_user
from registry.core import clock
from registry.core.seeding import demo_step, on_day
from registry.disclosures import operations as ops
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
from registry.subjects.seed import DEMO_FIRMS, DEMO_PERSONS, demo_resident_id, demo_uscc

_BODY = "11430000006142384"
DEPARTMENT = ("湖南省交通运输厅", _BODY + uscc.calc_check_digit(_BODY))

# (unit, clerk, reviewer, source unit, prefix, the demo subjects by serial: firm index or ("person", index))
UNITS = [
    ("JJC", "clerk@demo.hn", "reviewer@demo.hn", "湖南省交通运输厅基建处", "湘交建罚",
     {1: 1, 2: 10, 3: 9, 4: 14, 5: 12, 6: ("person", 2), 7: 2, 8: 20, 9: 21, 10: 22}),
    ("YSC", "clerk.ysc@demo.hn", "reviewer.ysc@demo.hn", "湖南省交通运输厅运输处", "湘交运罚",
     {1: 4, 2: 17, 3: 5, 4: 4, 5: 8, 6: ("person", 1), 7: 17, 8: 5, 9: 8, 10: 16}),
]
# (number suffix, kind, decided N days ago, severity, end state, published N days after the decision):
# on time within 7 working days, except no. 4, published late on purpose.
PLAN = [
    (1, "penalty", 2, Severity.GENERAL, "draft", None),
    (2, "penalty", 3, Severity.SERIOUS, "pending_review", None),
    (3, "penalty", 5, Severity.GENERAL, "published", 2),
    (4, "penalty", 40, Severity.SERIOUS, "published", 20),  # published late
    (5, "licence", 4, None, "published", 1),
    (6, "penalty", 6, Severity.MINOR, "not_public", 1),
    (7, "penalty", 420, Severity.GENERAL, "expired", 3),
    (8, "penalty", 200, Severity.GENERAL, "removed", 2),  # removed 120 days after its decision (repaired)
    (9, "penalty", 30, Severity.GENERAL, "corrected", 2),  # corrected 5 days after its decision
    (10, "licence", 1, None, "returned", None),
]
# What each unit's decisions are about: (violation, facts, basis), the general and the serious penalty
# (type, content, fine in 万元), the licence it grants, and the general penalty as a correction states it.
MATTERS = {
    "JJC": (("公路建设项目违法分包", "将中标的路面工程违法分包给不具备相应资质的单位。",
             "《中华人民共和国招标投标法》第五十八条"),
            (PenaltyType.FINE, "罚款人民币捌万元", Decimal("8")),
            (PenaltyType.BUSINESS_SUSPENSION, "罚款人民币伍拾万元，并责令停业整顿六个月", Decimal("50")),
            ("湘交建许字", "公路建设项目施工许可"), ("罚款人民币陆万元", Decimal("6"))),
    "YSC": (("未按规定维护和检测运输车辆", "所属营运车辆未按规定进行二级维护即投入营运。",
             "《中华人民共和国道路运输条例》第七十条"),
            (PenaltyType.FINE, "罚款人民币肆仟元", Decimal("0.4")),
            (PenaltyType.LICENCE_SUSPENSION, "吊销道路运输经营许可证", None),
            ("湘交运许字", "道路货物运输经营许可"), ("罚款人民币叁仟伍佰元", Decimal("0.35"))),
}


def _data(subject: Subject, number: str, kind: str, decided, severity, source: str, matters, **changes):
    person = subject.kind.value == "person"
    common = {
        "party_name": subject.name,
        "party_category": PartyCategory.PERSON if person else PartyCategory.ORGANISATION,
        "party_identifier": subject.identifier,
        "legal_representative": None if person else subject.legal_representative,
        "decision_number": number, "decision_date": decided, "source_unit_name": source,
        "authority_name": DEPARTMENT[0], "authority_uscc": DEPARTMENT[1],
    }
    (violation, facts, basis), general, serious, (licence_prefix, licence), _corrected = matters
    if kind == "licence":
        values = dict(common, kind=DisclosureKind.LICENCE, licence_type=LicenceType.GENERAL,
                      licence_number=f"{licence_prefix}{number[-4:]}", licence_content=licence,
                      licence_valid_from=decided, licence_valid_to=decided + timedelta(days=4 * 365))
    else:
        penalty_type, content, fine = (PenaltyType.WARNING, "警告", None) if severity is Severity.MINOR else \
            serious if severity is Severity.SERIOUS else general
        values = dict(common, kind=DisclosureKind.PENALTY, violation_type=violation, violation_facts=facts,
                      legal_basis=basis, penalty_type=penalty_type, penalty_content=content, fine_amount=fine,
                      severity=severity)
    values.update(changes)
    return DisclosureData(**values)


def _walk(d: Disclosure, state: str, clerk, reviewer, published) -> None:
    if state == "draft":
        return
    ops.submit_disclosure(d, actor=clerk, expected_version=d.version)
    if state == "pending_review":
        return
    if state == "returned":
        ops.return_disclosure(d, actor=reviewer, expected_version=d.version,
                              comment="许可证书编号有误，请核对后重新提交。")
        return
    with on_day(published):
        ops.approve_disclosure(d, actor=reviewer, expected_version=d.version)


def _subject(key) -> Subject | None:
    if isinstance(key, tuple):
        region, birth, _name = DEMO_PERSONS[key[1]]
        identifier = demo_resident_id(region, birth, 101 + key[1])
    else:
        region, _name, _rep = DEMO_FIRMS[key]
        identifier = demo_uscc(region, 1001 + key)
    return db.session.scalar(sa.select(Subject).where(Subject.identifier == identifier))


@demo_step(40)
def demo_disclosures() -> None:
    """Each unit's decisions about firms of its trade, each published (frozen at its publication day)
    within the 7 working days of its decision but for one published late on purpose."""
    today = clock.today()
    for code, clerk_email, reviewer_email, source, prefix, subjects in UNITS:
        clerk, reviewer = demo_user(clerk_email), demo_user(reviewer_email)
        if clerk is None or reviewer is None:
            continue
        for serial, kind, days, severity, state, published_after in PLAN:
            decided = today - timedelta(days=days)
            number = f"{prefix}〔{decided.year}〕{serial}号"
            subject = _subject(subjects[serial])
            if subject is None or db.session.scalar(sa.select(Disclosure.id).where(
                    Disclosure.unit_id == clerk.unit_id, Disclosure.decision_number == number)):
                continue
            published = decided + timedelta(days=published_after or 0)
            with on_day(decided):
                d = ops.create_disclosure(_data(subject, number, kind, decided, severity, source, MATTERS[code]),
                                          unit_id=clerk.unit_id, actor=clerk)
                _walk(d, state, clerk, reviewer, published)
            _after(d, state, subject, number, kind, decided, severity, source, MATTERS[code], clerk, reviewer)
    ops.expire_past_period(today)


def _after(d, state, subject, number, kind, decided, severity, source, matters, clerk, reviewer) -> None:
    if state == "removed":
        with on_day(decided + timedelta(days=120)):
            ops.end_public_view(d, RemovalReason.REPAIRED, reviewer, comment="信用修复申请已核准")
    elif state == "corrected":
        with on_day(decided + timedelta(days=5)):
            content, fine = matters[-1]
            fix = ops.start_correction(d, _data(subject, number, kind, decided, severity, source, matters,
                                                penalty_content=content, fine_amount=fine), actor=clerk)
            _walk(fix, "published", clerk, reviewer, decided + timedelta(days=5))
