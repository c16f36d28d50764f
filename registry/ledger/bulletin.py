"""The quarterly bulletin (每季一通报): each unit's monthly reports on its tasks in a quarter,
as an XLSX workbook and as a verifiable PDF notice (through ``registry.documents``).

Codes per month: ``acknowledged`` (reported and acknowledged by 法规处), ``submitted`` (reported
on time, not yet acknowledged), ``late`` (first reported after its due date), ``missing`` (due
date passed, nothing reported), ``open`` (not due yet), ``none`` (the task asks for no report that
month).  The printed texts are Chinese: the department issues its bulletins in Chinese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.platypus import Spacer, Table, TableStyle

from registry.accounts.issuers import department_issuer
from registry.core import clock
from registry.core.pdf import para
from registry.documents import operations as documents
from registry.documents.kinds import NoticeKind, RecordRef, register_notice_kind
from registry.documents.printing import closing, issuing_name
from registry.extensions import db
from registry.ledger.models import LedgerAssignment, LedgerReport, LedgerTask, ReportStatus
from registry.ledger.operations import report_due

CODES_CN = {"acknowledged": "已确认", "submitted": "已报送", "late": "逾期报送", "missing": "未报送",
            "open": "未到期", "none": "—"}
KIND_NAME = "ledger_bulletin"


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int
    id = None

    @property
    def months(self) -> list[int]:
        return [3 * (self.quarter - 1) + i for i in (1, 2, 3)]

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"


def _code(task: LedgerTask, report: LedgerReport | None, year: int, month: int, today) -> str:
    if not task.first_month <= month <= task.last_month:
        return "none"
    due = report_due(year, month)
    if report is None:
        return "missing" if due < today else "open"
    if clock.local(report.first_submitted_at).date() > due:
        return "late"
    return "acknowledged" if report.status is ReportStatus.ACKNOWLEDGED else "submitted"


def bulletin_content(period: Quarter, today=None) -> dict:
    """The facts of the bulletin as JSON values (what the PDF and the workbook print)."""
    today = today or clock.today()
    assignments = db.session.scalars(
        sa.select(LedgerAssignment).join(LedgerTask)
        .where(LedgerTask.year == period.year, LedgerTask.is_active.is_(True))
        .order_by(LedgerAssignment.unit_id, LedgerTask.number)
    ).all()
    reports = {(r.assignment_id, r.month): r for r in db.session.scalars(
        sa.select(LedgerReport).where(LedgerReport.assignment_id.in_([a.id for a in assignments] or [0]),
                                      LedgerReport.month.in_(period.months)))}
    units: dict[int, dict] = {}
    for assignment in sorted(assignments, key=lambda a: (a.unit.sort_order, a.task.number)):
        codes = [_code(assignment.task, reports.get((assignment.id, m)), period.year, m, today) for m in period.months]
        unit = units.setdefault(assignment.unit_id, {"unit": assignment.unit.name, "tasks": [],
                                                     "counts": dict.fromkeys(CODES_CN, 0)})
        unit["tasks"].append({"number": assignment.task.number, "title": assignment.task.title[:60], "months": codes})
        for code in codes:
            unit["counts"][code] += 1
    return {"year": period.year, "quarter": period.quarter, "months": period.months, "as_of": today.isoformat(),
            "units": list(units.values()), "issuer": department_issuer(with_division=True)}


def bulletin_xlsx(content: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{content['year']}Q{content['quarter']}"
    sheet.append([f"{content['year']}年第{content['quarter']}季度信用体系建设工作台账通报（截至{content['as_of']}）"])
    sheet.append(["责任单位", "任务序号", "工作任务"] + [f"{m}月" for m in content["months"]])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for unit in content["units"]:
        for task in unit["tasks"]:
            sheet.append([unit["unit"], task["number"], task["title"]] + [CODES_CN[c] for c in task["months"]])
    summary = workbook.create_sheet("汇总")
    summary.append(["责任单位"] + [CODES_CN[c] for c in CODES_CN if c != "none"])
    for unit in content["units"]:
        summary.append([unit["unit"]] + [unit["counts"][c] for c in CODES_CN if c != "none"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _render(content: dict, meta, style) -> list:
    story = [para(f"根据《信用体系建设任务分解清单》“建立年度工作台账，每月一报送，每季一通报”的要求，现将"
                  f"{content['year']}年第{content['quarter']}季度各责任单位工作台账月度报送情况（截至"
                  f"{content['as_of']}）通报如下。", style["body"]), Spacer(1, 6)]
    header = ["责任单位", "已确认", "已报送", "逾期报送", "未报送", "未到期"]
    rows = [[para(h, style["cell"]) for h in header]]
    for unit in content["units"]:
        counts = unit["counts"]
        rows.append([para(unit["unit"], style["cell"])] + [para(str(counts[c]), style["cell"]) for c in
                                                           ("acknowledged", "submitted", "late", "missing", "open")])
    if len(rows) == 1:
        story.append(para("本季度无在册任务。", style["body"]))
    else:
        table = Table(rows, repeatRows=1, colWidths=[150] + [55] * 5)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2"))]))
        story.append(table)
    missing = [(u["unit"], t["number"], m) for u in content["units"] for t in u["tasks"]
               for m, c in zip(content["months"], t["months"], strict=True) if c == "missing"]
    if missing:
        story += [Spacer(1, 8), para("未按时报送的月度进展：", style["heading"])]
        story += [para(f"{unit}：任务{number}，{month}月", style["cell"]) for unit, number, month in missing[:200]]
    story.append(closing(content, meta, style, on=_as_date(content)))
    return story


def _as_date(content: dict):
    return date.fromisoformat(content["as_of"])


register_notice_kind(NoticeKind(
    name=KIND_NAME, title="信用体系建设工作台账季度通报", label=_l("Quarterly ledger bulletin"),
    number_code="信台通", record_type="ledger_quarter",
    load=lambda document: _quarter_of(document.record_key),
    record_ref=lambda period: RecordRef(record_key=period.key),
    content=bulletin_content, render=_render, issuing_unit=issuing_name,
    key_facts=lambda content: [(_l("Period"), f"{content['year']}年第{content['quarter']}季度"),
                               (_l("As of"), content["as_of"])],
    officer_download=False, daily=True,
    ))


def _quarter_of(key: str | None) -> Quarter | None:
    try:
        year, quarter = (key or "").split("-Q")
        return Quarter(int(year), int(quarter))
    except ValueError:
        return None



def bulletin_pdf(period: Quarter, *, actor) -> tuple[bytes, str]:
    """The bulletin as a verifiable PDF: (bytes, file name).  Needs the documents package."""
    data, document = documents.document_pdf(KIND_NAME, period, actor=actor)
    return data, documents.pdf_filename(document)
