"""Reading officers' spreadsheets: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, checked row by row.

An import is all-or-nothing: the file is read whole, the header checked against the expected
Chinese column names, then every row is parsed into typed values and every problem collected as
(row number as the officer sees it in the file, column name, message).  Nothing stops at the
first bad row, so one report lists everything to fix.  The caller decides what a valid table
becomes; this module knows nothing about the domain.

Row numbers: the header is row 1 and the first data row is row 2, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from registry.core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
_XLSX_MAX_EXPANSION = 20  # unpacked XLSX may be at most this many times the size cap (zip bombs)
_BINARY_SIGNATURES = (
    b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"MZ", b"\x7fELF",
)


class FileRefused(ValidationFailed):
    """The file as a whole cannot be read as the expected table (nothing was checked row by row)."""


@dataclass(frozen=True)
class Column:
    """One expected column: its header as printed in the template, and how to read a cell.

    ``parse`` turns the cell's stripped text into a typed value or raises ``ValueError`` (or
    ``ValidationFailed``) whose message is shown to the officer.  An empty cell gives ``None``
    without calling ``parse``, or the "required" error when ``required``.
    """

    header: str
    key: str
    parse: Callable[[str], object] = str
    required: bool = False
    example: str = ""
    text_format: bool = False  # XLSX template: keep as text (long digit strings such as ID numbers)
    may_be_absent: bool = False  # a column added later: a file made from an older template may lack it


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Table:
    """The rows of a file whose header matched, each with its number in the file."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass
class ParsedTable:
    rows: list[tuple[int, dict[str, object]]]
    errors: list[RowError]

    def add_error(self, row: int, column: str, message) -> None:
        self.errors.append(RowError(row, column, str(message)))


# ---------------------------------------------------------------------------------------------
# Reading the file


def read_table(
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Table:
    """The non-empty rows of an uploaded CSV or XLSX file, keyed by column key.

    Raises ``FileRefused`` when the file is too large, empty, not a CSV/XLSX at all, in an
    encoding other than UTF-8 or GBK, or when its header does not match ``columns``.
    """
    if len(data) > max_bytes:
        raise FileRefused(
            _l("The file is larger than %(mb)d MB. Split it into smaller files.", mb=max_bytes // (1024 * 1024)),
            field="file",
        )
    if not data.strip():
        raise FileRefused(_l("The file is empty."), field="file")
    if data.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(data, max_bytes)
    elif (filename or "").lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused(_l("This file is not a valid XLSX workbook."), field="file")
    else:
        lines = _csv_lines(data)
    return _to_table(lines, columns, max_rows)


def _xlsx_lines(data: bytes, max_bytes: int) -> Iterable[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise FileRefused(_l("This file is not a valid XLSX workbook."), field="file") from None
    if "xl/workbook.xml" not in names:
        raise FileRefused(_l("This file is not a valid XLSX workbook."), field="file")
    if unpacked > max_bytes * _XLSX_MAX_EXPANSION:
        raise FileRefused(_l("The workbook is too large once unpacked. Split it into smaller files."), field="file")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception:  # openpyxl raises many kinds of error on a damaged workbook
        raise FileRefused(_l("This file is not a valid XLSX workbook."), field="file") from None
    return rows


def _cell_text(value) -> str:
    """A spreadsheet cell as the text the officer typed (dates as YYYY-MM-DD, 5.0 as 5)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _csv_lines(data: bytes) -> Iterable[list[str]]:
    """The file's records.  Strict quoting: a quoted cell with text after its closing quote
    (``"abc"def``) or a quote that never closes is refused naming the line where the record
    starts, never read as some other text; a quote inside an unquoted cell (``abc"def``) is kept
    as typed."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""), strict=True)
    lines: list[list[str]] = []
    while True:
        starts_at = reader.line_num + 1
        try:
            lines.append(next(reader))
        except StopIteration:
            return lines
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise FileRefused(
                    _l("Line %(line)d of the CSV file has a cell longer than %(n)d characters: no column of the "
                       "template holds that much. Check the cell, or a quote that is never closed before it.",
                       line=starts_at, n=csv.field_size_limit()),
                    field="file",
                ) from None
            raise FileRefused(
                _l("The CSV file is malformed at line %(line)d: a quoted cell must end with its quote right "
                   "before the next comma, and a quote inside a cell is written twice (\"\"). Save the sheet "
                   "again as CSV from the spreadsheet program, or upload XLSX.", line=starts_at),
                field="file",
            ) from None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (which reads every GBK file); refuse binary."""
    if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data[:65536]:
        raise FileRefused(
            _l("This is not a CSV text file. Upload the CSV or XLSX template filled in."), field="file"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(char) < 32 and char not in "\t\r\n" for char in text[:65536]):
            raise FileRefused(
                _l("This is not a CSV text file. Upload the CSV or XLSX template filled in."), field="file"
            )
        return text
    raise FileRefused(
        _l("The file's encoding is not recognised: save the CSV as UTF-8 or GBK, or upload XLSX."), field="file"
    )


def _to_table(lines: Iterable[list[str]], columns: Sequence[Column], max_rows: int) -> Table:
    iterator = iter(lines)
    header: list[str] | None = None
    for line in iterator:
        if any(cell.strip() for cell in line):
            header = [cell.strip() for cell in line]
            break
    if header is None:
        raise FileRefused(_l("The file is empty."), field="file")
    while header and not header[-1]:
        header.pop()
    check_header(header, columns)
    keys = {column.header: column.key for column in columns}
    positions = [(index, keys[name]) for index, name in enumerate(header)]
    table = Table()
    for number, line in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in line):
            continue
        if len(table.rows) >= max_rows:
            raise FileRefused(
                _l("The file has more than %(n)d rows. Split it into smaller files.", n=max_rows), field="file"
            )
        cells = {key: (line[index].strip() if index < len(line) else "") for index, key in positions}
        table.rows.append((number, cells))
    if not table.rows:
        raise FileRefused(_l("The file has a header but no rows."), field="file")
    return table


def check_header(header: Sequence[str], columns: Sequence[Column]) -> None:
    """Refuse a header that misses, repeats or adds columns, naming each one (order is free)."""
    expected = [column.header for column in columns]
    missing = [column.header for column in columns if column.header not in header and not column.may_be_absent]
    unexpected = [name for name in header if name not in expected]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    problems = []
    if missing:
        problems.append(str(_l("missing columns: %(names)s", names="、".join(missing))))
    if unexpected:
        problems.append(str(_l("unexpected columns: %(names)s", names="、".join(name or "—" for name in unexpected))))
    if repeated:
        problems.append(str(_l("repeated columns: %(names)s", names="、".join(repeated))))
    if problems:
        raise FileRefused(
            _l("The header row does not match the template (%(problems)s). Download the template and use its header.",
               problems="; ".join(problems)),
            field="file",
        )


# ---------------------------------------------------------------------------------------------
# Typed values


def parse_rows(table: Table, columns: Sequence[Column]) -> ParsedTable:
    """Every cell parsed by its column; every failure collected, none stopping the rest."""
    parsed = ParsedTable([], [])
    for number, cells in table.rows:
        values: dict[str, object] = {}
        for column in columns:
            text = cells.get(column.key, "")
            if not text:
                if column.required:
                    parsed.add_error(number, column.header, _l("This column must be filled in."))
                values[column.key] = None
                continue
            try:
                values[column.key] = column.parse(text)
            except ValidationFailed as error:
                parsed.add_error(number, column.header, error.message)
                values[column.key] = None
            except (ValueError, ArithmeticError) as error:
                parsed.add_error(number, column.header, error.args[0] if error.args else _l("Not a valid value."))
                values[column.key] = None
        parsed.rows.append((number, values))
    return parsed


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


def parse_date(text: str) -> date:
    """A date written 2026-09-30, 2026/9/30, 2026.9.30, 2026年9月30日 or 20260930."""
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(_l("Not a date: write it as YYYY-MM-DD, for example 2026-09-30."))


def parse_decimal(text: str) -> Decimal:
    """A number such as 1.5 or 1,000.25 (thousands separators allowed), refused when not finite."""
    try:
        value = Decimal(text.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise ValueError(_l("Not a number: write digits only, for example 1.5.")) from None
    if not value.is_finite():
        raise ValueError(_l("Not a number: write digits only, for example 1.5."))
    return value


def choice_parser(choices: dict[str, object]) -> Callable[[str], object]:
    """A parser accepting the keys of ``choices`` (the template's Chinese vocabulary)."""

    def parse(text: str):
        try:
            return choices[text.strip()]
        except KeyError:
            raise ValueError(_l("Unknown value “%(value)s”: use one of %(choices)s.",
                                value=text[:50], choices="、".join(choices))) from None

    return parse


# ---------------------------------------------------------------------------------------------
# Files the officer downloads


def error_report_csv(errors: Iterable[RowError]) -> bytes:
    """The errors as CSV (UTF-8 with BOM, so that Excel shows the Chinese correctly)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([str(_l("Row")), str(_l("Column")), str(_l("Problem"))])
    for error in errors:
        writer.writerow([error.row, error.column, formula_safe(error.message)])
    return buffer.getvalue().encode("utf-8-sig")


# What makes a spreadsheet read a cell as a formula (CSV injection, OWASP): a quote before it keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value) -> str:
    """The text of a cell (``None`` empty) that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[bytes]:
    """A CSV download written a row at a time (UTF-8 with BOM for Excel; cells safe from formula
    injection): for exports too long to build in memory (the audit log)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    writer.writerow([str(cell) for cell in header])
    yield "\ufeff".encode() + flush()
    for count, row in enumerate(rows, start=1):
        writer.writerow([formula_safe(cell) for cell in row])
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
