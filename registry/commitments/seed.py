"""Demo credit commitments: in force, and breached and cited by a published black list entry.

Each signed letter is a small generated PDF stored through ``core.uploads`` (by the operation).
Idempotent: a commitment is recognised by its matter.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from registry.accounts.seed import demo_user
from registry.commitments import operations as ops
from registry.commitments.models import CommitmentKind, CreditCommitment
from registry.core import clock
from registry.core.seeding import demo_pdf, demo_step, on_day
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry
from registry.subjects.models import Subject
from registry.subjects.seed import DEMO_FIRMS, demo_uscc

# (firm index, kind, signed N days ago, matter, breach: (N days ago, note, cited entry number) or None)
DEMO_COMMITMENTS = [
    (0, CommitmentKind.LICENSING, 120, "公路工程施工总承包资质延续申请（告知承诺制）", None),
    (9, CommitmentKind.BIDDING, 45, "2026年某高速公路路面工程施工招标投标信用承诺", None),
    (14, CommitmentKind.BIDDING, 200, "2025年某国省干线公路改建工程施工招标投标信用承诺",
     (80, "承诺所投标文件真实有效，经查投标文件中业绩证明材料系伪造，违反承诺。", "湘交基建信〔2026〕6号")),
]


def _firm(index: int) -> Subject | None:
    region, _name, _rep = DEMO_FIRMS[index]
    return db.session.scalar(sa.select(Subject).where(Subject.identifier == demo_uscc(region, 1001 + index)))


def _letter(subject: Subject, matter: str, signed_on) -> bytes:
    return demo_pdf("信用承诺书", [
        f"承诺主体：{subject.name}", f"统一社会信用代码：{subject.identifier}", f"承诺事项：{matter}",
        "本单位承诺所提交的材料真实、合法、有效，如有违反，自愿接受相关部门依法依规实施的失信惩戒。",
        f"签署日期：{signed_on.isoformat()}",
    ])


@demo_step(52)
def demo_commitments() -> None:
    today = clock.today()
    clerk = demo_user("clerk@demo.hn")
    if clerk is None:
        return
    for firm, kind, signed_days, matter, breach in DEMO_COMMITMENTS:
        subject = _firm(firm)
        if subject is None:
            continue
        if db.session.scalar(sa.select(CreditCommitment.id).where(CreditCommitment.matter == matter)) is not None:
            continue
        signed_on = today - timedelta(days=signed_days)
        with on_day(signed_on):
            commitment = ops.record_commitment(actor=clerk, subject=subject, kind=kind, signed_on=signed_on,
                                               matter=matter, file_data=_letter(subject, matter, signed_on),
                                               filename="信用承诺书.pdf")
        if breach is None:
            continue
        breach_days, note, entry_number = breach
        with on_day(today - timedelta(days=breach_days)):
            ops.mark_breached(commitment, actor=clerk, breached_on=today - timedelta(days=breach_days), note=note)
        entry = db.session.scalar(sa.select(ListEntry).where(
            ListEntry.decision_number == entry_number, ListEntry.subject_id == subject.id,
            ListEntry.status == EntryStatus.PUBLISHED))
        if entry is not None:
            ops.link_to_entry(commitment, entry, actor=clerk)
    db.session.flush()
