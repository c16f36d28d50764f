"""The monthly effectiveness list (奖惩成效清单, PRODUCT §5): every published case of a month with its
measures and effect, per unit, as XLSX and as a PDF notice.

The month of a case is the month of its case date.  The PDF is issued through the documents
package (``case_effectiveness`` notice kind, keyed by the month ``YYYY-MM``), so it carries a
document number, a verification code and a QR code like every notice, and ``/verify`` tells
whether the month's list has changed since (a case published later for that month).

The column headings and the notice text are Chinese literals on purpose: the department issues
its reports in Chinese whatever language the reader's browser uses.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy.orm import selectinload

from registry.accounts.models import Unit
from registry.cases.models import Case, counted
from registry.cases.public import public_subject_name
from registry.cases.quota import QuotaRow, month_bounds, monthly_quota
from registry.core.cjk_text import ChineseParagraph, escape
from registry.core.pdf import DEPARTMENT, heading_group, para, table_and_tail
from registry.core.spreadsheets import human_row
from registry.documents.kinds import NoticeKind, RecordRef, register_notice_kind
from registry.documents.operations import document_pdf
from registry.documents.printing import closing, issuer, issuing_name
from registry.extensions import db
from registry.listing.models import ListEntry, ListKind

LIST_NAMES = {ListKind.RED: "红名单", ListKind.BLACK: "黑名单"}
COLUMNS = [
    ("序号", 6),
    ("责任单位", 18),
    ("主体名称", 26),
    ("主体标识", 22),
    ("名单", 8),
    ("认定类别", 22),
    ("认定文书号", 24),
    ("实施措施", 40),
    ("实施单位或部门", 22),
    ("实施日期", 12),
    ("事项", 30),
    ("成效", 40),
    ("典型案例", 8),
]
NOTICE_KIND = "case_effectiveness"


@dataclass(frozen=True)
class Month:
    """The record an effectiveness list is about: a calendar month."""

    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def from_key(cls, key: str) -> Month:
        year, month = key.split("-")
        return cls(int(year), int(month))


@dataclass
class UnitGroup:
    unit: Unit
    cases: list[Case]


def month_cases(year: int, month: int) -> list[Case]:
    """The published cases with a case date in the month, by unit order, date and id."""
    start, end = month_bounds(year, month)
    return list(
        db.session.scalars(
            sa.select(Case)
            .join(Unit, Unit.id == Case.unit_id)
            .where(counted(), Case.case_date >= start, Case.case_date < end)
            .options(selectinload(Case.measures), selectinload(Case.entry).selectinload(ListEntry.subject))
            .order_by(Unit.sort_order, Unit.id, Case.case_date, Case.id)
        )
    )


def effectiveness_list(year: int, month: int) -> list[UnitGroup]:
    """The month's published cases grouped by the unit that recorded them (units without cases left out)."""
    groups: list[UnitGroup] = []
    for case in month_cases(year, month):
        if not groups or groups[-1].unit.id != case.unit_id:
            groups.append(UnitGroup(case.unit, []))
        groups[-1].cases.append(case)
    return groups


def case_row(case: Case) -> dict:
    """One case as the list prints it (person ID numbers masked: the list leaves the registry)."""
    entry = case.entry
    return {
        "unit": case.unit.name,
        "subject": public_subject_name(entry.subject, entry),
        "identifier": entry.subject.public_identifier,
        "list": LIST_NAMES[entry.list_kind],
        "category": entry.category.name,
        "decision_number": entry.decision_number,
        "measures": "；".join(f"{m.code} {m.description}" for m in case.measures),
        "applying_party": case.applying_party,
        "case_date": case.case_date.isoformat(),
        "matter": case.matter,
        "effect": case.effect,
        "typical": case.is_typical,
    }


# ---------------------------------------------------------------------------------------------
# XLSX


def effectiveness_xlsx(year: int, month: int) -> bytes:
    """The list as a workbook: sheet 奖惩成效清单 (one row per case) and sheet 案例数量 (the quota)."""
    groups = effectiveness_list(year, month)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "奖惩成效清单"
    sheet.append([header for header, _width in COLUMNS])
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    number = 0
    for group in groups:
        for case in group.cases:
            number += 1
            row = case_row(case)
            sheet.append(human_row([
                number, row["unit"], row["subject"], row["identifier"], row["list"], row["category"],
                row["decision_number"], row["measures"], row["applying_party"], row["case_date"],
                row["matter"], row["effect"], "是" if row["typical"] else "否",
            ]))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    _quota_sheet(workbook, monthly_quota(year, month))
    # Fixed document dates: the same month's list gives the same workbook content.
    start, _end = month_bounds(year, month)
    workbook.properties.created = datetime(start.year, start.month, 1)
    workbook.properties.creator = DEPARTMENT
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _quota_sheet(workbook: Workbook, rows: list[QuotaRow]) -> None:
    sheet = workbook.create_sheet("案例数量")
    sheet.append(["责任单位", "已发布案例数", "是否达标"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 10
    for row in rows:
        met = "不适用" if row.met is None else ("是" if row.met else "否")
        sheet.append(human_row([row.unit.name, row.published_count, met]))


def xlsx_filename(year: int, month: int) -> str:
    return f"case-effectiveness-{year:04d}-{month:02d}.xlsx"


# ---------------------------------------------------------------------------------------------
# PDF: a notice kind of the documents package


def notice_content(record: Month) -> dict:
    """The facts the PDF states: only these are printed, so the same month gives the same bytes."""
    groups = effectiveness_list(record.year, record.month)
    return {
        "month": record.key,
        "issuer": issuer(),
        "total": sum(len(g.cases) for g in groups),
        "groups": [{"unit": g.unit.name, "cases": [case_row(c) for c in g.cases]} for g in groups],
    }


# Landscape A4: 序号 one line wide, a USCC (18 characters) or a decision number on one or two lines.
_PDF_WIDTHS = [12 * mm, 52 * mm, 56 * mm, 40 * mm, 40 * mm, 47 * mm]


def render_notice(content: dict, meta, style) -> list:
    year, month = content["month"].split("-")
    body = [
        para(
            f"{int(year)}年{int(month)}月，全省交通运输系统共发布联合奖惩案例{content['total']}件，"
            "各责任单位实施奖惩措施及成效如下。",
            style["body"],
        )
    ]
    if not content["groups"]:
        body.append(para("本月无已发布的联合奖惩案例。", style["body"]))
    cell = style["cell"]
    keep = []
    for index, group in enumerate(content["groups"], start=1):
        heading = para(f"{_chinese_ordinal(index)}、{group['unit']}（{len(group['cases'])}件）", style["heading"])
        heading.keepWithNext = 0  # a long table: heading_group keeps it with the first rows instead
        data = [[para(text, style["label"]) for text in ("序号", "主体", "实施措施", "实施单位及日期", "事项", "成效")]]
        data += [_case_cells(number, row, cell) for number, row in enumerate(group["cases"], start=1)]
        last = index == len(content["groups"])
        table, tail = table_and_tail(data, _scaled_widths(meta.frame_width), _GRID, _HEADER,
                                     tail=2 if last else 0, splitByRow=1, splitInRow=1)
        if table is None:  # a short last table goes whole with the seal, its heading too
            keep = [heading, tail]
        else:
            body += [*heading_group(heading, table)] + ([] if last else [Spacer(1, 4 * mm)])
            keep = [tail] if tail else []
    body.append(closing(content, meta, style, keep=keep))  # the last rows stay with the seal
    return body


_GRID = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
_HEADER = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2"))]


def _case_cells(number: int, row: dict, cell) -> list:
    subject = _lines(cell, f"{row['subject']}（{row['identifier']}）", f"{row['list']}·{row['category']}",
                     row["decision_number"])
    party = _lines(cell, row["applying_party"], row["case_date"], *(["典型案例"] if row["typical"] else []))
    measures = _lines(cell, *row["measures"].split("；"))
    return [para(number, cell), subject, measures, party, para(row["matter"], cell), para(row["effect"], cell)]


def _lines(style, *parts) -> ChineseParagraph:
    return ChineseParagraph("<br/>".join(escape(part) for part in parts), style)


def _scaled_widths(available: float) -> list[float]:
    total = sum(_PDF_WIDTHS)
    return [w * available / total for w in _PDF_WIDTHS]


_DIGITS = "零一二三四五六七八九"


def _chinese_ordinal(number: int) -> str:
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        return _DIGITS[number // 10] + "十" + (_DIGITS[number % 10] if number % 10 else "")
    return str(number)


def _key_facts(content: dict) -> list:
    return [
        (_l("Month"), content["month"]),
        (_l("Published cases"), str(content["total"])),
        (_l("Units"), "、".join(g["unit"] for g in content["groups"]) or "—"),
    ]


register_notice_kind(
    NoticeKind(
        name=NOTICE_KIND,
        title="交通运输联合奖惩成效清单",
        label=_l("Monthly effectiveness list"),
        number_code="信奖惩清单",
        record_type="case_month",
        load=lambda document: Month.from_key(document.record_key),
        record_ref=lambda record: RecordRef(record_key=record.key),
        content=notice_content,
        render=render_notice,
        issuing_unit=issuing_name,
        key_facts=_key_facts,
        officer_download=False,
        landscape=True,
    )
)



def effectiveness_pdf(year: int, month: int, *, actor=None) -> tuple[bytes, object]:
    """Issue (or find) the month's list notice and render it: ``(pdf bytes, IssuedDocument)``."""
    month_bounds(year, month)
    return document_pdf(NOTICE_KIND, Month(int(year), int(month)), actor=actor)
