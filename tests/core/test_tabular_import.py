"""The generic spreadsheet reader: encodings, XLSX, headers, refusals, typed cells, the error report."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from registry.core.tabular import (
    Column,
    FileRefused,
    choice_parser,
    error_report_csv,
    parse_date,
    parse_decimal,
    parse_rows,
    read_table,
    template_csv,
    template_xlsx,
)

COLUMNS = (
    Column("名称", "name", required=True, example="某公司"),
    Column("日期", "day", parse_date, True, "2026-09-30"),
    Column("金额（万元）", "amount", parse_decimal),
    Column("类别", "kind", choice_parser({"甲": "a", "乙": "b"})),
)
@pytest.fixture(autouse=True)
def _request(app):
    """Messages are read in the request's language (Chinese by default)."""
    with app.test_request_context():
        yield


ROWS = [
    ["名称", "日期", "金额（万元）", "类别"],
    ["长沙公司", "2026-09-30", "1.5", "甲"],
    ["株洲公司", "2026/1/2", "", "乙"],
]


def csv_bytes(rows, encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data", [
    csv_bytes(ROWS, "utf-8"), csv_bytes(ROWS, "utf-8-sig"), csv_bytes(ROWS, "gbk"), xlsx_bytes(ROWS),
], ids=["utf8", "utf8-bom", "gbk", "xlsx"])
def test_every_accepted_format_reads_the_same(app, data):
    with app.test_request_context():
        table = read_table(data, "file.csv", COLUMNS)
        parsed = parse_rows(table, COLUMNS)
    assert parsed.errors == []
    assert parsed.rows == [
        (2, {"name": "长沙公司", "day": date(2026, 9, 30), "amount": Decimal("1.5"), "kind": "a"}),
        (3, {"name": "株洲公司", "day": date(2026, 1, 2), "amount": None, "kind": "b"}),
    ]


def test_xlsx_date_and_number_cells_read_as_typed(app):
    from datetime import datetime

    with app.test_request_context():
        table = read_table(xlsx_bytes([ROWS[0], ["甲公司", datetime(2026, 9, 30), 2.0, "甲"]]), "a.xlsx", COLUMNS)
        parsed = parse_rows(table, COLUMNS)
    assert parsed.rows[0][1]["day"] == date(2026, 9, 30) and parsed.rows[0][1]["amount"] == Decimal("2")


def test_columns_in_any_order_blank_rows_skipped_row_numbers_as_in_file(app):
    rows = [["类别", "金额（万元）", "日期", "名称"], ["甲", "", "2026-09-30", "甲公司"], [], ["", "", "", ""],
            ["乙", "x", "2026-13-01", ""]]
    with app.test_request_context():
        parsed = parse_rows(read_table(csv_bytes(rows), "a.csv", COLUMNS), COLUMNS)
    assert [number for number, _values in parsed.rows] == [2, 5]
    assert [(e.row, e.column) for e in parsed.errors] == [(5, "名称"), (5, "日期"), (5, "金额（万元）")]


def test_all_errors_collected_not_only_the_first(app):
    rows = [ROWS[0]] + [["", "bad", "-", "丙"]] * 3
    with app.test_request_context():
        parsed = parse_rows(read_table(csv_bytes(rows), "a.csv", COLUMNS), COLUMNS)
    assert len(parsed.errors) == 12
    assert {e.row for e in parsed.errors} == {2, 3, 4}
    assert "甲、乙" in next(e.message for e in parsed.errors if e.column == "类别")


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "a.csv", "文件为空"),
    (b"   \r\n\r\n", "a.csv", "文件为空"),
    (csv_bytes([ROWS[0]]), "a.csv", "没有数据行"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a.csv", "不是 CSV 文本文件"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "不是 CSV 文本文件"),
    (bytes(range(256)) * 4, "random.csv", "不是 CSV 文本文件"),
    (b"PK\x03\x04not really a zip", "a.xlsx", "不是有效的 XLSX"),
    (b"name,day\n", "a.xlsx", "不是有效的 XLSX"),
    ("名称,日期\n".encode("utf-16"), "a.csv", "不是 CSV 文本文件"),
])
def test_unreadable_files_are_refused_with_a_message(app, data, name, message):
    with app.test_request_context(), pytest.raises(FileRefused) as refused:
        read_table(data, name, COLUMNS)
    assert message in str(refused.value.message) and refused.value.field == "file"


def test_wrong_header_names_missing_and_unexpected_columns(app):
    data = csv_bytes([["名称", "日 期", "备注", "类别"], ["a", "2026-01-01", "", "甲"]])
    with app.test_request_context(), pytest.raises(FileRefused) as refused:
        read_table(data, "a.csv", COLUMNS)
    text = str(refused.value.message)
    assert "日期" in text and "金额（万元）" in text and "日 期" in text and "备注" in text


def test_oversized_file_refused_before_reading(app):
    with app.test_request_context(), pytest.raises(FileRefused) as refused:
        read_table(b"x" * (50 * 1024 * 1024), "big.csv", COLUMNS)
    assert "MB" in str(refused.value.message)


def test_too_many_rows_refused(app):
    with app.test_request_context(), pytest.raises(FileRefused):
        read_table(csv_bytes([ROWS[0]] + [ROWS[1]] * 11), "a.csv", COLUMNS, max_rows=10)


@pytest.mark.parametrize("text", ["2026-09-30", "2026/9/30", "2026.9.30", "2026年9月30日", "20260930"])
def test_date_formats(text):
    assert parse_date(text) == date(2026, 9, 30)


@pytest.mark.parametrize("text", ["1,000.5", " 0.25 ", "-3"])
def test_decimal_parsing(text):
    assert parse_decimal(text) == Decimal(text.replace(",", "").strip())


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "1.2.3"])
def test_decimal_refusals(app, text):
    with app.test_request_context(), pytest.raises(ValueError):
        parse_decimal(text)


def test_error_report_is_csv_excel_can_open_and_defuses_formulas(app):
    from registry.core.tabular import RowError

    with app.test_request_context():
        body = error_report_csv([RowError(2, "名称", "必填"), RowError(3, "金额", "=HYPERLINK(1)")])
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1] == ["2", "名称", "必填"] and rows[2][2] == "'=HYPERLINK(1)"


def test_templates_carry_the_chinese_header(app):
    with app.test_request_context():
        assert template_csv(COLUMNS).decode("utf-8-sig").splitlines()[0] == "名称,日期,金额（万元）,类别"
        sheet = load_workbook(io.BytesIO(template_xlsx(COLUMNS))).active
    assert [cell.value for cell in sheet[1]] == ["名称", "日期", "金额（万元）", "类别"]
