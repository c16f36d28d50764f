"""Case pages through the client: forms, refusals on their fields, access, public pages, downloads."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from registry.cases.models import Case, CaseStatus
from registry.listing.models import Measure
from tests.conftest import count

TODAY = date(2026, 5, 20)


@pytest.fixture(autouse=True)
def frozen_day(db, frozen):
    with frozen(TODAY):
        yield


def _form(entry, make, **overrides):
    data = {
        "entry_ref": entry.decision_number,
        "measure_ids": [str(make.measure("HB-01").id)],
        "applying_party": "基建处",
        "case_date": "2026-05-18",
        "matter": "某高速公路施工招标资格审查",
        "effect": "否决其投标资格。",
    }
    data.update(overrides)
    return data


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_a_clerk_records_a_case_and_a_reviewer_publishes_it(client, login, make):
    entry = make.published_entry(valid_from=date(2026, 3, 1))
    clerk = login("clerk")
    assert client.get("/officer/cases/new?entry_id=99999999999999999999").status_code == 200
    response = client.get(f"/officer/cases/new?entry_id={entry.id}&lang=en")
    assert response.status_code == 200 and entry.decision_number in _page(response)
    response = client.post("/officer/cases/new", data=_form(entry, make))
    assert response.status_code == 302
    case = Case.query.one()
    assert case.status is CaseStatus.DRAFT and case.created_by_id == clerk.id
    client.post(f"/officer/cases/{case.id}/submit", data={"version": case.version})
    login("reviewer")
    response = client.post(f"/officer/cases/{case.id}/approve", data={"version": 2}, follow_redirects=True)
    assert response.status_code == 200
    assert Case.query.one().status is CaseStatus.PUBLISHED


@pytest.mark.parametrize(
    "overrides,words",
    [
        ({"effect": ""}, "This field is required"),
        ({"effect": "   "}, "This field is required"),
        ({"case_date": "2026-05-21"}, "cannot be in the future"),
        ({"case_date": "2026-02-28"}, "before the entry was published"),
        ({"case_date": "not a date"}, "Not a valid date"),
        ({"measure_ids": ["HH"]}, "Unknown measure"),
        ({"entry_ref": "无此文号"}, "No list entry has the decision document number"),
        ({"entry_ref": "#99999999999999999999"}, "No list entry has the number"),
        ({"measure_ids": ["99999999999999999999"]}, "Unknown measure"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_stored(client, login, make, overrides, words):
    entry = make.published_entry(valid_from=date(2026, 3, 1))
    login("clerk")
    response = client.post("/officer/cases/new?lang=en", data=_form(entry, make, **overrides))
    assert response.status_code == 200
    assert words in _page(response) and "field-error" in _page(response)
    assert count(Case) == 0


def test_a_measure_of_the_other_list_is_refused_in_the_form(client, login, make):
    entry = make.published_entry(valid_from=date(2026, 3, 1))
    login("clerk")
    hh = str(make.measure("HH-01").id)
    response = client.post("/officer/cases/new?lang=en", data=_form(entry, make, measure_ids=[hh]))
    assert "HH-01 belongs to the other list" in _page(response)
    assert count(Case) == 0


def test_a_case_on_a_draft_entry_is_refused_in_the_form(client, login, make):
    entry = make.entry("draft")
    login("clerk")
    response = client.post("/officer/cases/new?lang=en", data=_form(entry, make))
    assert "is not published" in _page(response) and count(Case) == 0


def test_another_units_draft_is_not_found(client, login, make):
    case = make.case("draft")
    login("clerk", unit="CS")
    assert client.get(f"/officer/cases/{case.id}").status_code == 404
    assert client.post(f"/officer/cases/{case.id}/submit", data={"version": 1}).status_code == 404


def test_the_review_queue_lists_pending_cases(client, login, make):
    case = make.case("pending_review")
    login("reviewer")
    response = client.get("/review/?lang=en")
    assert response.status_code == 200 and f"/officer/cases/{case.id}" in _page(response)


def test_only_an_admin_marks_typical_through_the_page(client, login, make):
    case = make.case("published")
    login("reviewer")
    client.post(f"/officer/cases/{case.id}/typical", data={"version": case.version})
    assert not Case.query.one().is_typical
    login("admin", unit="FGC")
    client.post(f"/officer/cases/{case.id}/typical", data={"version": case.version})
    assert Case.query.one().is_typical


def test_the_public_typical_page_shows_typical_published_cases_masked(client, make):
    person = make.subject("person", name="王五")
    entry = make.published_entry(valid_from=date(2026, 3, 1), subject=person)
    make.case("published", entry=entry, typical=True, effect="典型成效甲")
    make.case("published", entry=entry, effect="普通成效乙")
    make.case("draft", entry=entry, effect="草稿成效丙")
    page = _page(client.get("/cases/typical"))
    assert "典型成效甲" in page and "普通成效乙" not in page and "草稿成效丙" not in page
    assert person.identifier not in page and person.public_identifier in page


def test_the_public_subject_page_shows_published_cases_only(client, make):
    entry = make.published_entry(valid_from=date(2026, 3, 1))
    make.case("published", entry=entry, effect="已发布成效")
    make.case("pending_review", entry=entry, effect="待审成效")
    page = _page(client.get(f"/subjects/{entry.subject_id}"))
    assert "已发布成效" in page and "待审成效" not in page


def test_the_typical_page_is_in_the_public_navigation(client):
    assert 'href="/cases/typical"' in _page(client.get("/"))


def test_effectiveness_page_and_downloads(client, login, make):
    entry = make.published_entry(valid_from=date(2026, 3, 1))
    make.case("published", entry=entry, case_date=date(2026, 4, 30), effect="四月成效")
    make.case("published", entry=entry, case_date=date(2026, 5, 1), effect="五月成效")
    login("clerk", unit="CS")
    page = _page(client.get("/officer/cases/effectiveness?month=2026-04"))
    assert "四月成效" in page and "五月成效" not in page
    response = client.get("/officer/cases/effectiveness/2026-04.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data))["奖惩成效清单"].iter_rows(min_row=2, values_only=True))
    assert [r[11] for r in rows] == ["四月成效"]
    response = client.get("/officer/cases/effectiveness/2026-04.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_a_bad_month_is_a_message_not_an_error(client, login):
    login("clerk")
    response = client.get("/officer/cases/effectiveness?month=2026-13&lang=en")
    assert response.status_code == 200 and "YYYY-MM" in _page(response)
    response = client.get("/officer/cases/effectiveness/2026-13.xlsx", follow_redirects=True)
    assert response.status_code == 200 and "YYYY-MM" in _page(response)


def test_the_effectiveness_list_needs_a_sign_in(client):
    assert client.get("/officer/cases/effectiveness/2026-04.xlsx").status_code == 302


# ---------------------------------------------------------------------------------------------
# Admin: measures


def _measure_form(make, **overrides):
    data = {
        "code": "HB-09", "list_kind": "black", "description": "限制参与政府采购",
        "legal_basis": "《中华人民共和国政府采购法》", "implementing_department": "财务处", "is_active": "y",
        "category_ids": [str(make.category().id)],
    }
    data.update(overrides)
    return data


def test_an_admin_adds_a_measure_through_the_page(client, login, make):
    login("admin", unit="FGC")
    response = client.post("/admin/measures/new", data=_measure_form(make))
    assert response.status_code == 302
    measure = Measure.query.filter_by(code="HB-09").one()
    assert [c.name for c in measure.categories] == ["公路建设市场严重失信"]
    assert "HB-09" in _page(client.get("/admin/measures"))


def test_a_duplicate_code_or_a_category_of_the_other_list_is_refused_on_its_field(client, login, make):
    login("admin", unit="FGC")
    response = client.post("/admin/measures/new?lang=en", data=_measure_form(make, code="HB-01"))
    assert response.status_code == 200 and "already has the code HB-01" in _page(response)
    red = str(make.category("道路运输守信").id)
    response = client.post("/admin/measures/new?lang=en", data=_measure_form(make, category_ids=[red]))
    assert response.status_code == 200 and "its own list" in _page(response)
    assert count(Measure, Measure.code == "HB-09") == 0


@pytest.mark.parametrize("role,status", [("clerk", 403), ("reviewer", 403), ("auditor", 403)])
def test_only_an_admin_posts_to_the_measures_pages(client, login, make, role, status):
    login(role, unit="XXZX" if role == "auditor" else "JJC")
    assert client.post("/admin/measures/new", data=_measure_form(make)).status_code == status
    assert count(Measure, Measure.code == "HB-09") == 0


def test_the_auditor_reads_the_measures_list_and_a_clerk_does_not(client, login):
    login("auditor", unit="XXZX")
    assert client.get("/admin/measures").status_code == 200
    login("clerk")
    assert client.get("/admin/measures").status_code == 403
