"""Writing CSV and XLSX files: the one output path of every spreadsheet the registry hands out
(reading them is ``core.tabular``).

Files people open in a spreadsheet ("human" files: public lists, the catalogue, the audit log,
reports, import error reports) go through ``human_cell`` — one rule against CSV/formula
injection (OWASP): a text cell that starts like a formula (= + - @ tab CR) gets a leading
apostrophe, so Excel or WPS shows it as text instead of running it.  Exchange files that machines
read (``exchange.batches``) keep every value as it is, through ``exchange_csv_writer``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from registry.core.tabular import Column, RowError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def human_cell(value):
    """``value`` for a file people open in a spreadsheet: ``None`` as empty, text that starts
    like a formula with a leading apostrophe; numbers and dates as they are."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal, date)):  # bool and datetime too
        return value
    text = str(value)  # lazy strings and enums read as the text they show
    return "'" + text if text[:1] in FORMULA_STARTS else text


def human_row(row: Iterable[object]) -> list:
    """``human_cell`` of every cell: what a human export appends to a CSV writer or an XLSX sheet."""
    return [human_cell(value) for value in row]


def human_csv(header: Sequence[object], rows: Iterable[Iterable[object]]) -> bytes:
    """A CSV download for people: UTF-8 with BOM (Excel shows the Chinese), every cell ``human_cell``."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(human_row(str(cell) for cell in header))
    for row in rows:
        writer.writerow(human_row(row))
    return buffer.getvalue().encode("utf-8-sig")


def exchange_csv_writer(stream):
    """A CSV writer for an exchange file read by machines: values unescaped, CRLF line ends."""
    return csv.writer(stream, lineterminator="\r\n")


def xlsx_bytes(workbook) -> bytes:
    """The saved bytes of an openpyxl workbook (whose rows were appended through ``human_row``)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report_csv(errors: Iterable[RowError]) -> bytes:
    """The errors as CSV (UTF-8 with BOM, so that Excel shows the Chinese correctly)."""
    header = [_l("Row"), _l("Column"), _l("Problem")]
    return human_csv(header, ([error.row, error.column, error.message] for error in errors))


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[bytes]:
    """A CSV download for people written a row at a time (as ``human_csv``): for exports too long
    to build in memory (the audit log)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    writer.writerow(human_row(str(cell) for cell in header))
    yield "\ufeff".encode() + flush()
    for count, row in enumerate(rows, start=1):
        writer.writerow(human_row(row))
        if count % 500 == 0:
            yield flush()
    yield flush()


def template_csv(columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    writer.writerow([column.example for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(columns: Sequence[Column], sheet_title: str = "Sheet1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([column.header for column in columns])
    sheet.append([column.example for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) * 2 + 4))
        if column.text_format:
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    return xlsx_bytes(workbook)
