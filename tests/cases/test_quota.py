"""The monthly quota over month boundaries, the effectiveness list (XLSX read back) and its command."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from registry.cases.cli import cases_cli
from registry.cases.effectiveness import effectiveness_list, effectiveness_xlsx
from registry.cases.quota import monthly_quota, parse_month
from registry.core.errors import ValidationFailed
from registry.core.settings import set_setting

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def english_and_frozen(db, frozen):
    with force_locale("en"), frozen(TODAY):
        yield


@pytest.fixture
def boundary_cases(make):
    """Published JJC cases on 31 Jan, 1 Feb, 28 Feb and 1 Mar; a CS case on 28 Feb; drafts and
    pending cases in February (which do not count)."""
    entry = make.published_entry(valid_from=date(2026, 1, 5))
    reviewer = make.user("reviewer")
    for day in (date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 1)):
        make.case("published", entry=entry, case_date=day, reviewer=reviewer)
    make.case("published", unit="CS", entry=entry, case_date=date(2026, 2, 28))
    make.case("draft", entry=entry, case_date=date(2026, 2, 10))
    make.case("pending_review", unit="CS", entry=entry, case_date=date(2026, 2, 11))
    return entry


def _quota(year, month) -> dict[str, tuple[int, bool]]:
    return {row.unit.code: (row.published_count, row.met) for row in monthly_quota(year, month)}


def test_quota_counts_published_cases_by_case_date_month(boundary_cases):
    assert _quota(2026, 1)["JJC"] == (1, True)
    feb = _quota(2026, 2)
    assert feb["JJC"] == (2, True) and feb["CS"] == (1, True)
    assert feb["ZZ"] == (0, False) and feb["JHC"] == (0, False)
    assert feb["FGC"] == (0, None)  # seed task 18 does not name 法规处
    assert _quota(2026, 3)["JJC"] == (1, True) and _quota(2026, 3)["CS"] == (0, False)
    assert _quota(2025, 12)["JJC"] == (0, False)


def test_quota_lists_every_active_unit_in_order(boundary_cases):
    rows = monthly_quota(2026, 2)
    assert len(rows) == 26
    assert all(isinstance(row, tuple) and len(row) == 3 for row in rows)
    assert rows[0].unit.code == "FGC"


def test_quota_follows_the_setting(db, make, boundary_cases):
    set_setting("case_quota_per_month", 2, make.user("admin", unit="FGC"))
    feb = _quota(2026, 2)
    assert feb["JJC"] == (2, True) and feb["CS"] == (1, False)


def test_quota_over_the_year_boundary(make):
    entry = make.published_entry(valid_from=date(2025, 12, 1))
    make.case("published", entry=entry, case_date=date(2025, 12, 31))
    make.case("published", entry=entry, case_date=date(2026, 1, 1))
    assert _quota(2025, 12)["JJC"] == (1, True)
    assert _quota(2026, 1)["JJC"] == (1, True)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-01", "May", "", "2026/05", "1999-01"])
def test_a_bad_month_is_refused(text):
    with pytest.raises(ValidationFailed) as error:
        parse_month(text)
    assert error.value.field == "month" and "YYYY-MM" in str(error.value.message)


def test_quota_refuses_a_month_13():
    with pytest.raises(ValidationFailed):
        monthly_quota(2026, 13)


# ---------------------------------------------------------------------------------------------
# The effectiveness list


def test_effectiveness_list_groups_the_months_published_cases_by_unit(boundary_cases):
    groups = effectiveness_list(2026, 2)
    assert [g.unit.code for g in groups] == ["JJC", "CS"]
    assert [c.case_date for c in groups[0].cases] == [date(2026, 2, 1), date(2026, 2, 28)]
    assert effectiveness_list(2025, 11) == []


def test_effectiveness_xlsx_holds_each_case_with_measures_and_effect(make, boundary_cases):
    person = make.subject("person", name="李四")
    entry = make.published_entry(valid_from=date(2026, 2, 1), subject=person)
    make.case("published", entry=entry, case_date=date(2026, 2, 15), measures=("HB-01", "HB-05"),
              effect="暂停其专项资金申报。", matter="专项资金申报审核", typical=True)
    workbook = load_workbook(io.BytesIO(effectiveness_xlsx(2026, 2)))
    sheet = workbook["奖惩成效清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "责任单位", "主体名称") and rows[0][-2:] == ("成效", "典型案例")
    assert [r[0] for r in rows[1:]] == [1, 2, 3, 4]
    assert [r[1] for r in rows[1:]] == ["基建处", "基建处", "基建处", "长沙市交通运输局"]
    person_row = next(r for r in rows[1:] if r[10] == "专项资金申报审核")
    assert person_row[2] == "李四" and person_row[3] == person.public_identifier
    assert person.identifier not in str(rows)
    assert person_row[4] == "黑名单" and person_row[5] == "公路建设市场严重失信"
    assert person_row[7] == "HB-01 限制参与公路建设项目招投标；HB-05 限制申请交通运输财政性资金支持项目"
    assert person_row[9] == "2026-02-15" and person_row[11] == "暂停其专项资金申报。" and person_row[12] == "是"
    assert {r[9] for r in rows[1:]} <= {"2026-02-01", "2026-02-15", "2026-02-28"}
    quota = {r[0]: r[1:] for r in workbook["案例数量"].iter_rows(min_row=2, values_only=True)}
    assert quota["基建处"] == (3, "是") and quota["长沙市交通运输局"] == (1, "是") and quota["计划处"] == (0, "否")
    assert quota["法规处"] == (0, "不适用")  # seed task 18 does not name 法规处


def test_effectiveness_xlsx_of_an_empty_month_has_only_the_header():
    workbook = load_workbook(io.BytesIO(effectiveness_xlsx(2024, 7)))
    assert workbook["奖惩成效清单"].max_row == 1


def test_effectiveness_pdf_is_issued_and_verifiable(make, boundary_cases):
    from registry.cases.effectiveness import effectiveness_pdf
    from registry.documents.operations import verify

    pdf, document = effectiveness_pdf(2026, 2, actor=make.user("clerk"))
    assert pdf.startswith(b"%PDF") and document.record_key == "2026-02"
    assert document.content["total"] == 3
    again, same = effectiveness_pdf(2026, 2)
    assert same.id == document.id and again == pdf
    assert verify(document.verification_code).changed is False
    make.case("published", entry=boundary_cases, case_date=date(2026, 2, 20))
    assert verify(document.verification_code).changed is True


# ---------------------------------------------------------------------------------------------
# The command


def test_the_command_writes_the_months_xlsx(app, boundary_cases, tmp_path):
    out = tmp_path / "list.xlsx"
    result = app.test_cli_runner().invoke(cases_cli, ["effectiveness", "--month", "2026-02", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 published cases" in result.output
    rows = list(load_workbook(out)["奖惩成效清单"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3


@pytest.mark.parametrize("month", ["2026-13", "2026-2", "февраль"])
def test_the_command_refuses_a_bad_month_with_a_usage_error(app, tmp_path, month):
    out = tmp_path / "list.xlsx"
    result = app.test_cli_runner().invoke(cases_cli, ["effectiveness", "--month", month, "--out", str(out)])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output
    assert not out.exists()
