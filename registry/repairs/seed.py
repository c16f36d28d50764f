"""Demo credit repair applications in every handling state, made through the operations.

Repair needs a black entry published at least its category's minimum period (one year) before
the application, so each application gets an entry of its own published about eighteen months
ago (the approved one ends ``removed (repaired)``).  The clock is frozen at each step's day.
Idempotent: a row whose entry exists is skipped.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from registry.accounts.seed import demo_user
from registry.applications.targets import target_key
from registry.core import clock
from registry.core.seeding import demo_pdf, demo_step, on_day
from registry.core.uploads import Upload
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry
from registry.objections.seed import applicant_for, demo_act, demo_entry, demo_firm
from registry.repairs import operations as ops
from registry.repairs.models import DOCUMENTS, RepresentativeRole

PUBLISHED_DAYS_AGO = 560
STATEMENT = ("已按要求完成整改：补缴全部罚款，撤回违规投标文件，建立投标文件内部审核制度，"
             "主要负责人参加信用修复培训，并作出信用承诺。")

# (entry number, firm, final state, steps: [(days ago, step, text)]); filed the day before the first step
DEMO_REPAIRS = [
    ("湘交基建信〔2025〕21号", 1, "submitted", []),
    ("湘交基建信〔2025〕22号", 2, "material_requested", [(4, "request", "请补充罚款缴纳凭证（履行证明）原件扫描件。")]),
    ("湘交基建信〔2025〕23号", 25, "accepted", [(5, "accept", None)]),
    ("湘交基建信〔2025〕24号", 28, "pending_review",
     [(10, "accept", None), (2, "prepare:approved", "已满最短公示期，整改到位，材料齐全，拟准予信用修复。")]),
    ("湘交基建信〔2025〕25号", 26, "rejection_prepared",
     [(1, "reject", "申请人并非该记录的信用主体，亦未提交授权委托书。")]),
    ("湘交基建信〔2025〕26号", 9, "approved",
     [(43, "accept", None), (35, "prepare:approved", "已满最短公示期，整改到位，准予信用修复，移出黑名单。"),
      (34, "confirm", None)]),
    ("湘交基建信〔2025〕27号", 10, "rejected",
     [(68, "accept", None), (60, "prepare:rejected", "罚款尚未全部缴纳，不符合信用修复条件。"), (59, "confirm", None)]),
    ("湘交基建信〔2025〕28号", 12, "inadmissible",
     [(24, "reject", "同一事项的修复申请已于近期作出决定，申请材料无新的事实和理由。"), (23, "confirm", None)]),
]


def _uploads(subject_name: str) -> list[Upload]:
    return [Upload(name, demo_pdf(str(label), [subject_name]), f"{name}.pdf", name)
            for name, label, required in DOCUMENTS if required]


@demo_step(62)
def demo_repairs() -> None:
    today = clock.today()
    clerk, reviewer = demo_user("clerk@demo.hn"), demo_user("reviewer@demo.hn")
    if clerk is None or reviewer is None:
        return
    for serial, (number, firm, _state, steps) in enumerate(DEMO_REPAIRS, start=1):
        if db.session.scalar(sa.select(ListEntry.id).where(ListEntry.decision_number == number)) is not None:
            continue
        entry = demo_entry(number, demo_firm(firm), clerk, reviewer, today - timedelta(days=PUBLISHED_DAYS_AGO),
                           publish=True)
        if entry is None or entry.status is not EntryStatus.PUBLISHED:
            continue
        subject = entry.subject
        filed = today - timedelta(days=max((days for days, _s, _t in steps), default=0) + 1)
        with on_day(filed):
            application, _code = ops.file_repair(
                target=target_key(entry), applicant=applicant_for(subject, f"0731-8457{serial:04d}"),
                representative_name=subject.legal_representative or subject.name,
                representative_role=RepresentativeRole.LEGAL_REPRESENTATIVE.value, statement=STATEMENT,
                uploads=_uploads(subject.name),
            )
        for days, step, text in steps:
            with on_day(today - timedelta(days=days)):
                demo_act(ops, application, step, text, clerk, reviewer)
    db.session.flush()
