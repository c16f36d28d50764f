"""Monthly and quarterly compliance reports as XLSX and PDF (PRODUCT §9, seed task 2).

The PDF is issued through ``registry.documents`` (numbered, with a verification code that
``/verify`` knows).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from registry.core.cjk_text import escape
from registry.core.pdf import table_and_tail
from registry.documents.kinds import NoticeKind, RecordRef, register_notice_kind
from registry.documents.operations import document_pdf
from registry.documents.printing import closing, issuer, issuing_name
from registry.oversight.compliance import MonthTable, month_table

_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


@dataclass(frozen=True)
class ReportPeriod:
    key: str  # 2026-10 or 2026-Q3
    year: int
    months: tuple[int, ...]

    @property
    def quarterly(self) -> bool:
        return len(self.months) > 1

    @classmethod
    def parse(cls, text: str | None) -> ReportPeriod | None:
        match = _PERIOD.match((text or "").strip())
        if not match or int(match.group(1)) < 2000:
            return None
        year = int(match.group(1))
        if match.group(2):
            return cls(match.group(0), year, (int(match.group(2)),))
        quarter = int(match.group(3))
        return cls(match.group(0), year, tuple(range(quarter * 3 - 2, quarter * 3 + 1)))

    def tables(self) -> list[MonthTable]:
        return [month_table(self.year, month) for month in self.months]


def table_rows(tables: list[MonthTable]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a report: one row per month and unit."""
    figures = tables[0].figures if tables else []
    header = [_("Month"), _("Unit"), *[str(figure.label) for figure in figures]]
    rows = []
    for table in tables:
        for row in table.rows:
            rows.append([table.label, row.unit.name,
                         *[row.values[f.key].text if f.key in row.values else "—" for f in figures]])
    return header, rows


def report_xlsx(period: ReportPeriod) -> bytes:
    header, rows = table_rows(period.tables())
    book = Workbook()
    sheet = book.active
    sheet.title = period.key
    sheet.append([_("Compliance report %(period)s", period=period.key)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, width in enumerate([10, 28] + [18] * (len(header) - 2), start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_content(period: ReportPeriod) -> dict:
    """What the PDF states, as JSON values (the documents package hashes it); always in Chinese."""
    with force_locale("zh_CN"):
        header, rows = table_rows(period.tables())
    return {"period": period.key, "quarterly": period.quarterly, "header": header, "rows": rows,
            "issuer": issuer()}


def _render(content: dict, meta, style) -> list:
    intro = (f"本报告统计 {content['period']} 各责任单位双公示按时公示、联合奖惩案例配额、信用信息公示等情况。")
    data = [[Paragraph(escape(cell), style["cell"]) for cell in content["header"]]]
    data += [[Paragraph(escape(cell), style["cell"]) for cell in row] for row in content["rows"]]
    width = meta.frame_width  # landscape: eleven columns of figures
    columns = len(content["header"])
    fixed = [20 * mm, 36 * mm][:columns]
    rest = (width - sum(fixed)) / (columns - len(fixed)) if columns > len(fixed) else 0
    grid = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    table, tail = table_and_tail(data, fixed + [rest] * (columns - len(fixed)), grid,
                                 [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2"))], splitByRow=1)
    return [Paragraph(escape(intro), style["body"]), Spacer(1, 8), *([table] if table else []),
            closing(content, meta, style, keep=[tail] if tail else ())]


register_notice_kind(NoticeKind(
    name="compliance_report", title="信用信息工作合规情况报告", label=_l("Compliance report"),
    number_code="信合规", record_type="compliance_period",
    load=lambda document: ReportPeriod.parse(document.record_key),
    record_ref=lambda period: RecordRef(record_key=period.key),
    content=report_content, render=_render, issuing_unit=issuing_name,
    key_facts=lambda content: [(_l("Period"), content["period"]), (_l("Units"), str(len(content["rows"])))],
    officer_download=False, daily=True, landscape=True,
))


def report_pdf(period: ReportPeriod, actor) -> bytes:
    """The report as an issued, verifiable PDF document."""
    pdf, _document = document_pdf("compliance_report", period, actor=actor)
    return pdf
