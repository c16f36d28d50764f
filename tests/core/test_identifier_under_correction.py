"""A number stored before the checks were right stays findable by exactly that number (issue 36
§4): a person whose stored ID number fails GB 11643's check digit, with a published black list
entry, is found by the public lookup, the credit report and the API under the number as stored,
which say that it is under correction; a wrong number nobody is stored under is refused as before."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry.subjects.models import Subject
from tests.standards import ric_check

BODY = "43010219850612123"
WRONG = BODY + next(c for c in "0123456789X" if c != ric_check(BODY))  # as the old rule let it in
NOBODY = "43010219850612124" + next(c for c in "0123456789X" if c != ric_check("43010219850612124"))
UNDER_CORRECTION = "正由录入单位更正"  # the subject page's notice, as the public reads it


@pytest.fixture
def listed(db, make):
    """The person, stored as a database of before the check digit was right holds them."""
    person = make.subject("person", name="王测试")
    db.session.execute(sa.update(Subject).where(Subject.id == person.id).values(identifier=WRONG))
    entry = make.entry("published", subject=person, category="道路运输严重失信")
    db.session.commit()
    return person, entry


@pytest.fixture
def key(make):
    return make.api_key()[1]


@pytest.mark.parametrize("typed", [WRONG, WRONG.lower(), f" {WRONG[:6]} {WRONG[6:]} "])
def test_the_public_lookup_finds_the_stored_number_and_says_it_is_under_correction(client, listed, typed):
    person, _entry = listed
    answer = client.get("/", query_string={"q": typed})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/subjects/{person.id}")
    page = client.get(f"/subjects/{person.id}").get_data(as_text=True)
    assert UNDER_CORRECTION in page and "identifier-correction" in page
    assert WRONG not in page and f"{WRONG[:6]}********{WRONG[-4:]}" in page  # masked as every person's number


def test_a_valid_subject_s_page_says_nothing_of_a_correction(client, make):
    person = make.subject("person")
    make.entry("published", subject=person, category="道路运输严重失信")
    assert UNDER_CORRECTION not in client.get(f"/subjects/{person.id}").get_data(as_text=True)


def test_a_wrong_number_nobody_is_stored_under_is_still_refused(client, listed, key):
    page = client.get("/", query_string={"q": NOBODY})
    assert page.status_code == 200 and "校验" in page.get_data(as_text=True)
    answer = client.get(f"/api/v1/credit/{NOBODY}", headers={"X-API-Key": key})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_identifier"
    assert client.get(f"/report/{NOBODY}.pdf").status_code == 404


def test_the_api_answers_the_stored_number_with_its_records(client, listed, key):
    _person, entry = listed
    answer = client.get(f"/api/v1/credit/{WRONG}", headers={"X-API-Key": key})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["found"] is True and body["black_list"] is True
    assert body["identifier_under_correction"] is True and body["identifier_kind"] == "person"
    assert [item["decision_number"] for item in body["list_entries"]] == [entry.decision_number]


def test_a_valid_number_is_not_under_correction(client, make, key):
    firm = make.subject("organisation")
    body = client.get(f"/api/v1/credit/{firm.identifier}", headers={"X-API-Key": key}).get_json()
    assert body["identifier_under_correction"] is False


def test_the_batch_answers_the_stored_number_and_refuses_the_unknown_wrong_one(client, listed, key):
    answer = client.post("/api/v1/credit/batch", json={"identifiers": [NOBODY, WRONG]}, headers={"X-API-Key": key})
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert results[0]["error"]["code"] == "invalid_identifier"
    assert results[1]["result"]["found"] is True and results[1]["result"]["identifier_under_correction"] is True


def test_the_credit_report_is_issued_for_the_stored_number(client, listed, key):
    public = client.get(f"/report/{WRONG}.pdf")
    assert public.status_code == 200 and public.mimetype == "application/pdf"
    api = client.get(f"/api/v1/credit/{WRONG}/report.pdf", headers={"X-API-Key": key})
    assert api.status_code == 200 and api.mimetype == "application/pdf"
