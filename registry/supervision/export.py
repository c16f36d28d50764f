"""A plan's public results list as XLSX (the same content as the public page: persons masked)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from registry.supervision import plans as ops
from registry.supervision.inspection_models import RESULT_CN, InspectionPlan
from registry.supervision.results import results_of

COLUMNS = [("序号", 6), ("检查对象", 36), ("统一社会信用代码/身份证号", 24), ("检查结果", 20), ("检查日期", 12),
           ("公示日期", 12)]


def public_party_name(subject) -> str:
    """A person's name shows only the surname (as the public pages of cases do, PRODUCT §10)."""
    if subject.kind.value == "person":
        return subject.name[:1] + "*" * max(len(subject.name) - 1, 1)
    return subject.name


def results_xlsx(plan: InspectionPlan) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "抽查结果"
    sheet.append([f"{plan.unit.name}：{plan.name}（{plan.period_start.isoformat()}至{plan.period_end.isoformat()}）"])
    sheet.append([header for header, _width in COLUMNS])
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.cell(row=2, column=index).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    draw = plan.current_draw
    if draw is not None:
        results = results_of(draw)
        for number, member in enumerate(ops.selected_members(draw), start=1):
            result = results.get(member.id)
            sheet.append([number, public_party_name(member.subject), member.identifier,
                          RESULT_CN[result.result] if result else "尚未检查",
                          result.inspected_on.isoformat() if result else "",
                          result.published_on.isoformat() if result else ""])
    workbook.properties.created = datetime(plan.period_start.year, plan.period_start.month, plan.period_start.day)
    workbook.properties.creator = plan.unit.name
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
