"""The default supervision rules (version 1, PRODUCT §16), seeded once; demo: classes for the demo
records, and 长沙市交通运输局's random-inspection plan in progress (drawn, one result published)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from registry.accounts.seed import demo_user
from registry.core import clock
from registry.core.seeding import demo_step, seed_step
from registry.extensions import db
from registry.supervision import inspectors as inspector_ops
from registry.supervision import items as item_ops
from registry.supervision import plans as plan_ops
from registry.supervision import results as result_ops
from registry.supervision.inspection_models import DrawMember, InspectionPlan
from registry.supervision.operations import ensure_default_rules, recompute_all

DEMO_PLAN = "长沙市2026年道路运输经营者双随机抽查"
DEMO_ITEMS = [
    ("道路运输经营者经营行为检查", "《中华人民共和国道路运输条例》第六十条", "道路运输经营者", "现场检查、书面检查"),
    ("道路运输车辆技术状况检查", "《道路运输车辆技术管理规定》第三十条", "道路运输经营者", "现场检查"),
]


@seed_step(88)
def seed_supervision_rules() -> None:
    ensure_default_rules()


@demo_step(95)
def demo_supervision_classes() -> None:
    """After the demo records: every demo subject's class for today."""
    recompute_all(clock.today())


@demo_step(96)
def demo_inspection_plan() -> None:
    clerk, reviewer = demo_user("clerk.cs@demo.hn"), demo_user("reviewer.cs@demo.hn")
    if clerk is None or reviewer is None or db.session.scalar(
            sa.select(InspectionPlan.id).where(InspectionPlan.name == DEMO_PLAN)) is not None:
        return
    today = clock.today()
    for number, officer in enumerate((clerk, reviewer), start=1):
        inspector_ops.register_officer(officer, actor=clerk, certificate_number=f"湘交执43010{number:04d}")
    items = [item_ops.save_item(None, actor=clerk, name=name, legal_basis=basis, party_kind=kind, method=method)
             for name, basis, kind, method in DEMO_ITEMS]
    plan = plan_ops.create_plan(
        actor=clerk, name=DEMO_PLAN, legal_basis="国办发〔2019〕35号；国办发〔2015〕58号；国发〔2019〕5号",
        period_start=today - timedelta(days=10), period_end=today + timedelta(days=80), population_kind="region",
        ratios={"A": 20, "B": 30, "C": 60, "D": 100}, minimums={"A": 0, "B": 1, "C": 0, "D": 0}, key_ratio=80,
        inspectors_per_inspection=2, exclude_months=12, item_ids=[item.id for item in items])
    plan_ops.submit_plan(plan, actor=clerk, expected_version=plan.version)
    plan_ops.approve_plan(plan, actor=reviewer, expected_version=plan.version, comment="同意")
    record = plan_ops.draw_plan(plan, actor=clerk, expected_version=plan.version)
    first = db.session.scalar(sa.select(DrawMember).where(DrawMember.draw_id == record.id,
                                                          DrawMember.selected.is_(True)).order_by(DrawMember.id))
    if first is not None:
        result_ops.record_result(first, actor=clerk, inspected_on=today, inspectors=f"{clerk.name}、{reviewer.name}",
                                 result="no_problem", remarks="经营资质、车辆技术档案齐全")
