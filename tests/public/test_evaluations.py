"""The public 信用评价 page: published results by scheme and year, searchable by
name or code, paginated, downloadable as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from registry.evaluations.models import EvaluationField as F
from registry.public import evaluations as page_module
from tests.factories.core import valid_resident_id


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def results(make):
    firm = make.subject(name="湖南甲路桥建设有限公司")
    other = make.subject(name="湖南乙航道工程有限公司")
    person = make.subject("person", name="王小明", identifier=valid_resident_id())
    rows = {
        "aa": make.evaluation(subject=firm, status="published", grade="AA", score="96.50", year=2025,
                              evaluating_unit="湖南省交通运输厅基建处"),
        "old": make.evaluation(subject=firm, status="published", grade="A", score="88.00", year=2024),
        "water": make.evaluation(subject=other, status="published", field=F.WATERWAY, grade="B", score="80.00",
                                 year=2025),
        "direct": make.evaluation(subject=other, status="published", grade="D", score="91.00", year=2025,
                                  directly_determined=True, direct_reason="违法分包，直接认定D级"),
        "person": make.evaluation(subject=person, status="published", field=F.WORK_SAFETY, grade="A", score="95",
                                  year=2025),
        "draft": make.evaluation(subject=other, status="draft", grade="C", score="65.00", year=2023),
        "pending": make.evaluation(subject=firm, status="pending_review", field=F.ROAD_TRANSPORT, grade="AAA",
                                   score="90", year=2025),
    }
    return firm, other, person, rows


def test_the_page_lists_published_results_only_with_grade_score_and_unit(client, results):
    firm, other, person, _rows = results
    page = _text(client.get("/evaluations"))
    assert page.count(firm.name) == 2 and other.name in page
    assert "96.50" in page and "湖南省交通运输厅基建处" in page
    assert "65.00" not in page  # the draft
    assert "AAA" not in page  # the pending road transport result
    assert "直接认定" in page and "违法分包，直接认定D级" in page
    assert person.identifier not in page and person.public_identifier in page


def test_filter_by_scheme_and_year(client, results):
    firm, other, _person, _rows = results
    page = _text(client.get("/evaluations?field=waterway_construction&year=2025"))
    assert other.name in page and "80.00" in page and firm.name not in page
    page = _text(client.get("/evaluations?year=2024"))
    assert "88.00" in page and "96.50" not in page


def test_search_by_name_part_or_code(client, results):
    firm, other, person, _rows = results
    page = _text(client.get("/evaluations?q=甲路桥"))
    assert firm.name in page and other.name not in page
    page = _text(client.get(f"/evaluations?q={other.identifier}"))
    assert other.name in page and firm.name not in page
    assert person.public_identifier not in _text(client.get("/evaluations?q=王小明"))  # persons: by ID number
    assert person.public_identifier in _text(client.get(f"/evaluations?q={person.identifier}"))


@pytest.mark.parametrize("query", ["field=space", "year=abc", "year=1999", "q=" + "长" * 101])
def test_bad_filters_are_refused_at_their_field(client, results, query):
    response = client.get(f"/evaluations?{query}&lang=en")
    assert response.status_code == 400
    assert "Correct the marked filter" in _text(response) and 'class="field-error"' in _text(response)


def test_the_page_is_paginated(client, make, monkeypatch):
    monkeypatch.setattr(page_module, "PAGE_SIZE", 2)
    for score in ("99.00", "98.00", "97.00"):
        make.evaluation(status="published", grade="AA", score=score, year=2025)
    first = _text(client.get("/evaluations"))
    assert "99.00" in first and "98.00" in first and "97.00" not in first and "page=2" in first
    second = _text(client.get("/evaluations?page=2"))
    assert "97.00" in second and "99.00" not in second


def test_csv_download_has_the_filtered_results(client, results):
    firm, other, _person, _rows = results
    response = client.get("/evaluations.csv?year=2025&field=highway_construction")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "credit-evaluations-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == page_module.CSV_COLUMNS
    body = {(row[2], row[4], row[5], row[7]) for row in rows[1:]}
    assert body == {(firm.name, "AA", "否", "96.50"), (other.name, "D", "是", "91.00")}


def test_a_formula_in_a_cell_is_neutralised(client, make):
    make.evaluation(subject=make.subject(name="=HYPERLINK(1)公司"), status="published", grade="AA", score="96")
    rows = list(csv.reader(io.StringIO(client.get("/evaluations.csv").get_data().decode("utf-8-sig"))))
    assert rows[1][2].startswith("'=")


def test_the_page_is_in_the_public_navigation(client):
    assert 'href="/evaluations"' in _text(client.get("/"))
