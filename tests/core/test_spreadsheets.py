"""One rule for every spreadsheet people open (``core.spreadsheets``): a cell that starts like a
formula comes out with a leading apostrophe (OWASP, CSV injection); exchange files for machines
keep their values as they are."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from registry.catalogue.models import CatalogueItem
from registry.core.spreadsheets import csv_stream, exchange_csv_writer, human_cell, human_csv
from registry.listing.models import EntryStatus

FORMULA = "=1+1"
ESCAPED = "'=1+1"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert human_cell(text) == "'" + text


@pytest.mark.parametrize("value, expected", [
    ("信用中国", "信用中国"), ("a=1", "a=1"), ("", ""), (None, ""),
    (-5, -5), (Decimal("88.50"), Decimal("88.50")), (date(2026, 3, 1), date(2026, 3, 1)),
])
def test_other_values_are_kept(value, expected):
    assert human_cell(value) == expected


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_human_csv_and_the_streamed_csv_escape_every_cell():
    assert _csv_rows(human_csv(["列"], [[FORMULA, 1]])) == [["列"], [ESCAPED, "1"]]
    streamed = b"".join(csv_stream(["列"], [[FORMULA, None]]))
    assert _csv_rows(streamed) == [["列"], [ESCAPED, ""]]


def test_exchange_files_for_machines_keep_values_as_they_are():
    buffer = io.StringIO(newline="")
    exchange_csv_writer(buffer).writerow([FORMULA, "-3"])
    assert buffer.getvalue() == "=1+1,-3\r\n"


def test_the_public_list_csv_escapes(client, make):
    make.entry(EntryStatus.PUBLISHED, reason=FORMULA)
    rows = _csv_rows(client.get("/lists/black.csv").data)
    assert any(ESCAPED in row for row in rows[1:]) and not any(FORMULA in row for row in rows)


def test_the_public_evaluations_csv_escapes(client, make):
    make.evaluation(status="published", evaluating_unit=FORMULA)
    rows = _csv_rows(client.get("/evaluations.csv").data)
    assert any(ESCAPED in row for row in rows[1:]) and not any(FORMULA in row for row in rows)


def test_the_catalogue_csv_and_xlsx_escape(client, db):
    item = db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.is_active.is_(True))).first()
    item.description = FORMULA
    db.session.commit()
    rows = _csv_rows(client.get("/catalogue.csv").data)
    assert any(ESCAPED in row for row in rows) and not any(FORMULA in row for row in rows)
    sheet = load_workbook(io.BytesIO(client.get("/catalogue.xlsx").data)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert ESCAPED in values and FORMULA not in values


def test_the_effectiveness_xlsx_escapes(client, login, make):
    entry = make.published_entry(valid_from=date(2026, 3, 1))
    make.case("published", entry=entry, case_date=date(2026, 4, 30), effect=FORMULA)
    login("clerk", unit="CS")
    response = client.get("/officer/cases/effectiveness/2026-04.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data))["奖惩成效清单"].iter_rows(min_row=2, values_only=True))
    assert [row[11] for row in rows] == [ESCAPED]


def test_the_ledger_bulletin_xlsx_escapes():
    from registry.ledger.bulletin import CODES_CN, bulletin_xlsx

    content = {"year": 2026, "quarter": 1, "months": [1], "as_of": "2026-04-01",
               "units": [{"unit": "某单位", "tasks": [{"number": "1", "title": FORMULA, "months": ["none"]}],
                          "counts": dict.fromkeys(CODES_CN, 0)}]}
    sheet = load_workbook(io.BytesIO(bulletin_xlsx(content))).active
    assert sheet.cell(3, 3).value == ESCAPED


def test_the_oversight_report_xlsx_escapes(monkeypatch):
    from registry.oversight import reports

    monkeypatch.setattr(reports, "table_rows", lambda tables: (["月份", "单位"], [["2026-03", FORMULA]]))
    period = reports.ReportPeriod.parse("2026-03")
    monkeypatch.setattr(reports.ReportPeriod, "tables", lambda self: [])
    sheet = load_workbook(io.BytesIO(reports.report_xlsx(period))).active
    assert sheet.cell(3, 2).value == ESCAPED
