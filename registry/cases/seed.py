"""Demo cases in every state on the demo published list entries (idempotent; after listing's demo)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from registry.accounts.issuers import handling_name
from registry.accounts.seed import demo_user
from registry.cases import operations as ops
from registry.cases.models import Case
from registry.core import clock
from registry.core.seeding import demo_step, on_day
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry

# (entry decision number, unit suffix of the demo users, final state, days ago, measure codes,
#  applying party (None: the unit), matter, effect)
DEMO_CASES = [
    ("湘交基建信〔2026〕6号", "", "typical", 20, ["HB-01"], None,
     "某高速公路路面工程施工招标资格审查",
     "资格审查阶段依据黑名单记录否决其投标资格，避免失信企业中标，维护了招投标秩序。"),
    ("湘交基建信〔2026〕6号", "", "published", 3, ["HB-05"], "省交通运输厅财务处",
     "2026年度交通运输专项资金项目申报审核",
     "暂停其专项资金申报资格，督促企业限期整改。"),
    ("湘交基建信〔2026〕6号", "", "pending", 1, ["HB-04"], None,
     "公路建设项目施工现场专项检查",
     "将其列为重点监管对象，检查频次由每季度一次提高到每月一次。"),
    ("湘交基建信〔2026〕6号", "", "returned", 2, ["HB-06"], None,
     "年度行业评优评先推荐",
     "取消其评优资格。"),
    ("湘交运输信〔2026〕1号", ".ysc", "published", 5, ["HB-03"], None,
     "道路货物运输经营许可延续申请",
     "依据失信记录不予延续经营许可，企业已提交整改报告。"),
    ("长交信〔2026〕1号", ".cs", "draft", 0, ["HB-07"], "省高速公路管理机构",
     "车辆通行费减免优惠申请",
     "该车辆不予享受鲜活农产品运输通行费减免政策。"),
]


@demo_step(40)
def demo_cases() -> None:
    today = clock.today()
    for number, suffix, state, days_ago, codes, party, matter, effect in DEMO_CASES:
        if db.session.scalar(sa.select(Case.id).where(Case.matter == matter)) is not None:
            continue
        entry = db.session.scalar(
            sa.select(ListEntry).where(
                ListEntry.decision_number == number, ListEntry.status == EntryStatus.PUBLISHED
            )
        )
        clerk, reviewer = demo_user(f"clerk{suffix}@demo.hn"), demo_user(f"reviewer{suffix}@demo.hn")
        if entry is None or clerk is None or reviewer is None:
            continue
        day = max(today - timedelta(days=days_ago), entry.valid_from)
        measure_ids = [m.id for m in entry.category.measures if m.code in codes]
        with on_day(day):
            _demo_case(entry, clerk, reviewer, state, day, measure_ids, party or handling_name(clerk.unit), matter,
                       effect)
    db.session.flush()


def _demo_case(entry, clerk, reviewer, state, day, measure_ids, party, matter, effect) -> None:
    case = ops.create_case(
        actor=clerk, entry_ref=entry, measure_ids=measure_ids, applying_party=party, case_date=day,
        matter=matter, effect=effect,
    )
    if state == "draft":
        return
    ops.submit_case(case, clerk, case.version)
    if state == "pending":
        return
    if state == "returned":
        ops.return_case(case, reviewer, case.version, "请补充措施实施后的具体成效（如整改情况、涉及金额）。")
        return
    ops.approve_case(case, reviewer, case.version)
    if state == "typical":
        admin = demo_user("admin@demo.hn")
        if admin is not None:
            ops.set_typical(case, admin, case.version, True)
