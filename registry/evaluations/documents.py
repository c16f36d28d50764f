"""The evaluations' section of the subject credit report: every published credit evaluation, with
its grade (PRODUCT §10)."""

from __future__ import annotations

from registry.documents.printing import chinese_iso, iso
from registry.documents.report import ReportSection, register_report_section
from registry.evaluations.models import FIELD_NAMES_ZH


def _score(score) -> str | None:
    return None if score is None else format(score.normalize(), "f")


def evaluation_rows(records) -> list[dict]:
    """The subject's published evaluations (latest year first), the latest of each field marked."""
    latest = {evaluation.id for evaluation in records.evaluations}
    return [{
        "id": evaluation.id,
        "field": FIELD_NAMES_ZH[evaluation.field],
        "year": f"{evaluation.year}年度",
        "grade": evaluation.grade,
        "score": _score(evaluation.score),
        "evaluating_unit": evaluation.evaluating_unit,
        "document_number": evaluation.document_number,
        "published_on": chinese_iso(iso(evaluation.published_on)),
        "latest": "是" if evaluation.id in latest else "否",
    } for evaluation in records.evaluation_history]


register_report_section(ReportSection(
    name="evaluations", order=30, title="信用评价信息", rows=evaluation_rows,
    fields=[("year", "评价年度"), ("grade", "信用等级"), ("score", "评价得分"), ("evaluating_unit", "评价单位"),
            ("document_number", "公布文号"), ("published_on", "公布日期"), ("latest", "该领域最新评价")],
    heading=lambda row: f"{row['field']}领域 {row['grade']}级",
))
