"""The supervision class on the officer subject page (never public) and the rules page."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from registry.listing.models import EntryStatus
from registry.supervision import operations as ops

DAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def test_the_officer_subject_page_shows_the_class_and_its_reasons(client, make, login, frozen):
    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED)
        ops.recompute_subjects([entry.subject_id])
        login("clerk")
        html = client.get(f"/officer/subjects/{entry.subject_id}?lang=en").get_data(as_text=True)
    assert "Supervision class" in html and 'data-class="D"' in html
    assert "Key supervision (HB-04)" in html
    assert f"/officer/entries/{entry.id}" in html


def test_the_public_subject_page_never_shows_the_class(client, make, frozen):
    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED)
        ops.recompute_subjects([entry.subject_id])
        html = client.get(f"/subjects/{entry.subject_id}?lang=en").get_data(as_text=True)
    assert "Supervision class" not in html and "data-class" not in html


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("auditor", 200), ("clerk", 403), ("reviewer", 403)])
def test_the_rules_page_is_for_administrators_and_auditors(client, login, role, status):
    login(role)
    assert client.get("/officer/supervision/rules").status_code == status


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("auditor", 403), ("clerk", 403)])
def test_only_administrators_write_new_rules(client, login, role, status):
    login(role)
    assert client.get("/officer/supervision/rules/new").status_code == status


def test_an_administrator_saves_a_new_version(client, make, login, frozen):
    with frozen(DAY):
        login("admin")
        data = {"effective_from": "2026-07-01", "default_class": "B", "comment": "红名单不再直接定为A类",
                "black_list": "D", "serious_penalty": "C", "grade_d": "D", "grade_c": "C", "grade_good": "A",
                "red_list": "", "breached_commitment": "C"}
        response = client.post("/officer/supervision/rules/new", data=data)
        assert response.status_code == 302
        html = client.get("/officer/supervision/rules?lang=en").get_data(as_text=True)
    assert "Version 2, in force from 2026-07-01" in html and "scheduled" in html


def test_a_rules_version_in_the_past_is_refused_on_its_field(client, make, login, frozen):
    with frozen(DAY):
        login("admin")
        data = {"effective_from": "2026-01-01", "default_class": "B", "comment": "回溯", "black_list": "D"}
        response = client.post("/officer/supervision/rules/new?lang=en", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "never in the past" in html


def test_the_chinese_page_names_the_class(client, make, login, frozen):
    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED)
        ops.recompute_subjects([entry.subject_id])
        login("clerk")
        html = client.get(f"/officer/subjects/{entry.subject_id}?lang=zh").get_data(as_text=True)
    assert "监管类别" in html and "D 严重失信" in html and "重点监管对象（HB-04）" in html


# ---------------------------------------------------------------------------------------------
# The API: the class only for keys holding supervision:read


def _key(make, scopes):
    from registry.accounts import apikeys

    _key_row, raw = apikeys.issue_key(name="监管系统", scopes=scopes, actor=make.user("admin"))
    return raw


def test_the_api_gives_the_class_to_a_key_with_the_scope(client, make, frozen):
    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED)
        ops.recompute_subjects([entry.subject_id])
        raw = _key(make, ["supervision:read"])
        response = client.get(f"/api/v1/supervision/{entry.subject.identifier}", headers={"X-API-Key": raw})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["found"], body["class"], body["class_name"], body["key_supervision"]) == (True, "D", "严重失信", True)
    assert {"rule": "black_list", "class": "D", "record_type": "list_entry"} in body["reasons"]


def test_the_api_refuses_a_key_without_the_scope_and_the_credit_check_has_no_class(client, make, frozen):
    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED)
        ops.recompute_subjects([entry.subject_id])
        raw = _key(make, ["credit:read"])
        refused = client.get(f"/api/v1/supervision/{entry.subject.identifier}", headers={"X-API-Key": raw})
        credit = client.get(f"/api/v1/credit/{entry.subject.identifier}", headers={"X-API-Key": raw})
    assert refused.status_code == 403 and refused.get_json()["code"] == "insufficient_scope"
    assert credit.status_code == 200 and "supervision" not in credit.get_data(as_text=True)


def test_the_api_answers_an_unknown_identifier_with_the_default_class_and_a_bad_one_with_400(client, make):
    from tests.factories import valid_uscc

    raw = _key(make, ["supervision:read"])
    unknown = client.get(f"/api/v1/supervision/{valid_uscc()}", headers={"X-API-Key": raw}).get_json()
    assert (unknown["found"], unknown["class"]) == (False, "B")
    bad = client.get("/api/v1/supervision/91430000ABCDEFGHIJ", headers={"X-API-Key": raw})
    assert bad.status_code == 400 and bad.get_json()["code"] == "invalid_identifier"
