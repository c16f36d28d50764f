"""Demo objections in every handling state, made through the operations (after the listing demo).

Each objection gets a list entry of its own (an upheld objection withdraws its entry; an open one
holds publication), so the other packages' demo records keep their states.  The clock is frozen
at each step's day, so deadlines, the audit log and the change feed read as if it happened then.
Idempotent: a row whose entry exists is skipped.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from registry.accounts.seed import demo_user
from registry.applications.handling import Applicant
from registry.applications.targets import target_key
from registry.core import clock
from registry.core.seeding import demo_pdf, demo_step, on_day
from registry.core.uploads import Upload
from registry.extensions import db
from registry.listing import operations as listing_ops
from registry.listing.models import EntryStatus, ListCategory, ListEntry
from registry.objections import operations as ops
from registry.subjects.models import Subject
from registry.subjects.seed import DEMO_FIRMS, demo_uscc

CATEGORY = "公路建设市场严重失信"
REASON = "在公路建设项目招投标中弄虚作假、以他人名义投标，经查证属实，情节严重。"
BASIS = "《公路建设市场信用信息管理办法》；《湖南省交通运输信用管理办法》"


def demo_firm(index: int) -> str:
    """The identifier of the ``index``-th demo firm (``registry.subjects.seed``)."""
    region, _name, _rep = DEMO_FIRMS[index]
    return demo_uscc(region, 1001 + index)


def demo_entry(number: str, identifier: str, clerk, reviewer, start: date, *, publish: bool,
               category_name: str = CATEGORY) -> ListEntry | None:
    """A black list entry drafted, submitted and approved on ``start`` (then in publicity), and
    published the day after its publicity when ``publish``; None when the subject or category is
    missing."""
    subject = db.session.scalar(sa.select(Subject).where(Subject.identifier == identifier))
    category = db.session.scalar(sa.select(ListCategory).where(ListCategory.name == category_name))
    if subject is None or category is None:
        return None
    with on_day(start):
        entry = listing_ops.create_entry(
            actor=clerk, subject=subject, list_kind=category.list_kind, category_id=category.id, reason=REASON,
            legal_basis=BASIS, decision_number=number,
            decision_date=start - timedelta(days=7), measure_ids=[m.id for m in category.measures],
        )
        listing_ops.submit_entry(entry, clerk, entry.version)
        listing_ops.approve_entry(entry, reviewer, entry.version)
    if publish:
        publish_day = entry.publicity_end + timedelta(days=1)
        with on_day(publish_day):
            listing_ops.publish_due_entries(publish_day)
        db.session.refresh(entry)
    return entry


def applicant_for(subject: Subject, phone: str) -> Applicant:
    """The listed subject applying for itself."""
    return Applicant(kind=subject.kind.value, name=subject.name, identifier=subject.identifier, phone=phone)


# (entry number, firm, entry approved N days ago, published?, final state, grounds,
#  steps: [(days ago, step, text)])  — steps: accept, request, reject, return, prepare:<outcome>, confirm
DEMO_OBJECTIONS = [
    ("湘交基建信〔2026〕21号", 27, 3, False, "submitted",
     "该公司从未参与所涉项目投标，认定事实有误，请予核查。", []),
    ("湘交基建信〔2026〕22号", 20, 60, True, "material_requested",
     "所涉投标文件系他人冒用本公司名义制作，已向公安机关报案。",
     [(4, "request", "请补充公安机关出具的报案回执及相关调查材料。")]),
    ("湘交基建信〔2026〕23号", 21, 70, True, "accepted",
     "认定所依据的评标报告已被项目招标人撤销。", [(5, "accept", None)]),
    ("湘交基建信〔2026〕24号", 22, 80, True, "pending_review",
     "处罚决定已被行政复议机关撤销，认定依据不复存在。",
     [(8, "accept", None),
      (2, "prepare:upheld", "经核查，所依据的处罚决定已被撤销（湘交复决〔2026〕5号），异议成立。")]),
    ("湘交基建信〔2026〕25号", 15, 90, True, "rejection_prepared",
     "要求撤销另一家公司的失信认定。",
     [(1, "reject", "申请人与该记录无直接利害关系，不属于异议申请受理范围。")]),
    ("湘交基建信〔2026〕26号", 23, 30, False, "upheld",
     "认定文书所列统一社会信用代码与本公司不符，系认定对象错误。",
     [(28, "accept", None), (26, "prepare:upheld", "经核查，认定对象确有错误，异议成立，撤回公示。"),
      (25, "confirm", None)]),
    ("湘交基建信〔2026〕27号", 24, 100, True, "dismissed",
     "认为处罚过重，请求移出黑名单。",
     [(29, "accept", None), (25, "prepare:dismissed", "认定事实清楚、依据充分、程序合法，异议不成立。"),
      (24, "confirm", None)]),
    ("湘交基建信〔2026〕28号", 27, 110, True, "inadmissible",
     "对项目招标结果有异议。",
     [(14, "reject", "所提事项属于招投标投诉，不属于信用信息异议，请向项目监督部门投诉。"), (13, "confirm", None)]),
]


def demo_act(operations, application, step: str, text: str | None, clerk, reviewer) -> None:
    """Take one demo handling step on an objection or a repair, through its package's ``operations``."""
    if step == "accept":
        operations.accept(application, clerk, application.version)
    elif step == "request":
        operations.request_material(application, clerk, application.version, text)
    elif step == "reject":
        operations.reject(application, clerk, application.version, text)
    elif step.startswith("prepare:"):
        operations.prepare_decision(application, clerk, application.version, step.split(":", 1)[1], text)
    elif step == "confirm":
        if application.rejection_prepared:
            operations.confirm_rejection(application, reviewer, application.version)
        else:
            operations.confirm(application, reviewer, application.version)


@demo_step(60)
def demo_objections() -> None:
    today = clock.today()
    clerk, reviewer = demo_user("clerk@demo.hn"), demo_user("reviewer@demo.hn")
    if clerk is None or reviewer is None:
        return
    for serial, (number, firm, approved, published, _state, grounds, steps) in enumerate(DEMO_OBJECTIONS, start=1):
        if db.session.scalar(sa.select(ListEntry.id).where(ListEntry.decision_number == number)) is not None:
            continue
        entry = demo_entry(number, demo_firm(firm), clerk, reviewer, today - timedelta(days=approved),
                           publish=published)
        if entry is None or entry.status not in (EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED):
            continue
        filed = today - timedelta(days=max((days for days, _s, _t in steps), default=0) + 1)
        with on_day(filed):
            objection, _code = ops.file_objection(
                target=target_key(entry), applicant=applicant_for(entry.subject, f"0731-8456{serial:04d}"),
                grounds=grounds,
                uploads=[Upload("files", demo_pdf("异议证明材料", [entry.subject.name, grounds]), "证明材料.pdf",
                                "evidence")],
            )
        for days, step, text in steps:
            with on_day(today - timedelta(days=days)):
                demo_act(ops, objection, step, text, clerk, reviewer)
    db.session.flush()
