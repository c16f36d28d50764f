"""Demo credit evaluation results in every state (draft, returned, pending, published, a D grade,
withdrawn by two officers), made through the operations.  Idempotent: one result per subject, field and year."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from registry.accounts.seed import demo_user
from registry.core import clock
from registry.core.removals import confirm_removal, prepare_removal
from registry.core.seeding import demo_step
from registry.evaluations import operations as ops
from registry.evaluations.models import CreditEvaluation, EvaluationField
from registry.extensions import db
from registry.subjects.models import Subject
from registry.subjects.seed import DEMO_FIRMS, demo_uscc

F = EvaluationField
# (firm index, field, grade, score, unit suffix of the demo users, final state)
DEMO_EVALUATIONS = [
    (0, F.HIGHWAY, "AA", "96.50", "", "published"),
    (12, F.HIGHWAY, "A", "88.00", "", "published"),
    (13, F.HIGHWAY, "D", "42.00", "", "published"),  # offers a black list draft to a reviewer
    (6, F.WATERWAY, "B", "76.00", "", "pending"),
    (3, F.WATERWAY, "A", "85.50", "", "draft"),
    (10, F.HIGHWAY, "C", "65.00", "", "returned"),
    (7, F.ROAD_TRANSPORT, "AAA", "98.00", ".ysc", "published"),  # on the red list (道路运输守信)
    (17, F.ROAD_TRANSPORT, "B", "55.00", ".ysc", "pending"),
    (2, F.HIGHWAY, "B", "78.00", "", "withdrawn"),  # published, then withdrawn on a confirmed removal
    (9, F.HIGHWAY, "D", "91.00", "", "published"),  # directly determined (DIRECT below)
]
# Grades set by a rule regardless of the score (直接认定), with their reason, by firm index.
DIRECT = {9: "存在违法分包行为，依据《公路施工企业信用评价规则》直接认定为D级。"}
UNIT_NAMES = {"": "湖南省交通运输厅基建处", ".ysc": "湖南省交通运输厅运输处"}


def _firm(index: int) -> Subject | None:
    region, _name, _rep = DEMO_FIRMS[index]
    return db.session.scalar(sa.select(Subject).where(Subject.identifier == demo_uscc(region, 1001 + index)))


@demo_step(50)
def demo_evaluations() -> None:
    published_on = clock.today() - timedelta(days=30)
    year = published_on.year - 1
    for serial, (firm, field, grade, score, suffix, state) in enumerate(DEMO_EVALUATIONS, start=1):
        subject = _firm(firm)
        clerk, reviewer = demo_user(f"clerk{suffix}@demo.hn"), demo_user(f"reviewer{suffix}@demo.hn")
        if subject is None or clerk is None or reviewer is None:
            continue
        exists = sa.select(CreditEvaluation.id).where(CreditEvaluation.subject_id == subject.id,
                                                      CreditEvaluation.field == field, CreditEvaluation.year == year)
        if db.session.scalar(exists) is not None:
            continue
        evaluation = ops.create_evaluation(
            actor=clerk, subject=subject, field=field, year=year, grade=grade, score=Decimal(score),
            evaluating_unit=UNIT_NAMES[suffix], published_on=published_on,
            document_number=f"湘交信评〔{published_on.year}〕{serial}号",
            directly_determined=firm in DIRECT, direct_reason=DIRECT.get(firm),
        )
        if state == "draft":
            continue
        ops.submit_evaluation(evaluation, clerk, evaluation.version)
        if state == "returned":
            ops.return_evaluation(evaluation, reviewer, evaluation.version,
                                  "得分与评价等级不符，请核对评分表后重新提交。")
        elif state in ("published", "withdrawn"):
            ops.approve_evaluation(evaluation, reviewer, evaluation.version)
        if state == "withdrawn":
            request = prepare_removal(evaluation, actor=clerk, expected_version=evaluation.version,
                                      reason="评价机关已撤销该评价结果，待重新评定。")
            confirm_removal(request, actor=demo_user("reviewer2@demo.hn"), expected_version=request.version)
    db.session.flush()
