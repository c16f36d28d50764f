"""API v1: keys and scopes, the credit check, the batch, errors as JSON, the request log."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from registry.accounts.apikeys import ApiRequestLog, revoke_key
from registry.core.holds import HoldKind, open_hold
from registry.core.identifiers import SubjectKind, mask_resident_id
from registry.extensions import db as _db
from registry.listing.models import EntryStatus
from tests.factories import valid_uscc

HIDDEN = [EntryStatus.DRAFT, EntryStatus.PENDING_REVIEW, EntryStatus.WITHDRAWN, EntryStatus.EXPIRED,
          EntryStatus.REMOVED]


@pytest.fixture
def key(make):
    return make.api_key()[1]


@pytest.fixture
def api(client, key):
    def call(method: str, path: str, **kwargs):
        headers = {"X-API-Key": key, **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


def error_code(response) -> str:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response.get_json()["error"]["code"]


# --- keys and scopes ----------------------------------------------------------------------------

def test_missing_key(client):
    response = client.get(f"/api/v1/credit/{valid_uscc()}")
    assert response.status_code == 401 and error_code(response) == "missing_key"


@pytest.mark.parametrize("bad", ["nonsense", "hcr_", "hcr_AAAAAAAAxxxxxxxxxxxxxxxxxxxxxxx", "x" * 500])
def test_unknown_key(client, bad):
    response = client.get(f"/api/v1/credit/{valid_uscc()}", headers={"X-API-Key": bad})
    assert response.status_code == 401 and error_code(response) == "invalid_key"


def test_tampered_key_with_a_known_prefix_is_refused(client, make):
    _, raw = make.api_key()
    response = client.get(f"/api/v1/credit/{valid_uscc()}", headers={"X-API-Key": raw[:-2] + "zz"})
    assert response.status_code == 401 and error_code(response) == "invalid_key"


def test_revoked_key(client, make):
    row, raw = make.api_key()
    revoke_key(row)
    response = client.get(f"/api/v1/credit/{valid_uscc()}", headers={"X-API-Key": raw})
    assert response.status_code == 401 and error_code(response) == "revoked_key"


@pytest.mark.parametrize("path, scope", [
    ("/api/v1/credit/{uscc}", "credit:read"), ("/api/v1/changes", "changes:read"),
    ("/api/v1/credit/{uscc}/report.pdf", "report:read"),
])
def test_scopes(client, make, path, scope):
    others = [s for s in ("credit:read", "changes:read", "report:read") if s != scope]
    _, raw = make.api_key(scopes=others)
    response = client.get(path.format(uscc=valid_uscc()), headers={"X-API-Key": raw})
    assert response.status_code == 403 and error_code(response) == "insufficient_scope"


def test_the_key_is_stored_only_as_a_hash(make):
    row, raw = make.api_key()
    stored = _db.session.execute(sa.text("SELECT * FROM api_keys WHERE id = :id"), {"id": row.id}).one()
    assert raw not in [str(value) for value in stored]


# --- the credit check ---------------------------------------------------------------------------

def test_listed_organisation(api, make):
    subject = make.subject(name="湖南通达路桥建设有限公司")
    entry = make.entry(EntryStatus.PUBLISHED, subject=subject)
    response = api("GET", f"/api/v1/credit/{subject.identifier.lower()}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["found"] and body["black_list"] and not body["red_list"]
    assert body["subject"]["name"] == "湖南通达路桥建设有限公司"
    assert [e["decision_number"] for e in body["list_entries"]] == [entry.decision_number]
    assert body["list_entries"][0]["measures"]
    assert body["markers"] == {"in_publicity": False, "objection_pending": False, "under_repair": False}


def test_unknown_valid_identifier_is_a_clean_result(api):
    response = api("GET", f"/api/v1/credit/{valid_uscc()}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["found"] is False and body["subject"] is None
    assert body["list_entries"] == body["disclosures"] == body["evaluations"] == []


@pytest.mark.parametrize("status", HIDDEN)
def test_nothing_unpublished_leaks(api, make, status):
    subject = make.subject(name="未公开主体有限公司")
    entry = make.entry(status, subject=subject, review_comment="内部意见")
    text = api("GET", f"/api/v1/credit/{subject.identifier}").get_data(as_text=True)
    assert entry.decision_number not in text and "内部意见" not in text and "未公开主体" not in text


def test_bad_check_character_is_a_400_that_says_so(api):
    code = valid_uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = api("GET", f"/api/v1/credit/{wrong}?lang=en")
    assert response.status_code == 400 and error_code(response) == "invalid_identifier"
    assert "check character" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("bad", ["hello", "123", "x" * 100, "湘"])
def test_invalid_identifiers(api, bad):
    response = api("GET", f"/api/v1/credit/{bad}")
    assert response.status_code == 400 and error_code(response) == "invalid_identifier"


def test_person_id_is_masked_and_never_logged(api, make):
    person = make.subject(SubjectKind.PERSON, name="张三")
    make.entry(EntryStatus.PUBLISHED, subject=person, category="道路运输严重失信")
    response = api("GET", f"/api/v1/credit/{person.identifier}")
    text = response.get_data(as_text=True)
    assert person.identifier not in text
    body = response.get_json()
    assert body["identifier"] == body["subject"]["identifier"] == mask_resident_id(person.identifier)
    assert body["list_entries"][0]["subject"]["identifier"] == mask_resident_id(person.identifier)
    row = _db.session.scalars(sa.select(ApiRequestLog).order_by(ApiRequestLog.id.desc())).first()
    assert row.status == 200 and row.identifier_count == 1 and row.result_size > 0
    logged = [str(v) for v in _db.session.execute(sa.select(ApiRequestLog.__table__).where(
        ApiRequestLog.id == row.id)).one()]
    assert not any(person.identifier in value for value in logged)
    assert row.identifier_hash and len(row.identifier_hash) == 64


def test_markers_in_json(api, make):
    subject = make.subject()
    entry = make.entry(EntryStatus.IN_PUBLICITY, subject=subject)
    open_hold("list_entry", entry.id, HoldKind.OBJECTION, source_id=77)
    body = api("GET", f"/api/v1/credit/{subject.identifier}").get_json()
    assert body["markers"] == {"in_publicity": True, "objection_pending": True, "under_repair": False}
    assert body["list_entries"][0]["markers"]["objection_pending"] is True


def test_etag_and_304(api, make):
    subject = make.subject()
    make.entry(EntryStatus.PUBLISHED, subject=subject)
    first = api("GET", f"/api/v1/credit/{subject.identifier}")
    etag = first.headers["ETag"]
    again = api("GET", f"/api/v1/credit/{subject.identifier}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    make.entry(EntryStatus.IN_PUBLICITY, subject=subject)
    changed = api("GET", f"/api/v1/credit/{subject.identifier}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


# --- the batch ----------------------------------------------------------------------------------

def test_batch_answers_in_order_with_per_item_errors(api, make):
    listed = make.subject()
    make.entry(EntryStatus.PUBLISHED, subject=listed)
    clean = valid_uscc()
    wrong = clean[:17] + ("0" if clean[17] != "0" else "1")
    response = api("POST", "/api/v1/credit/batch", json={"identifiers": [listed.identifier, wrong, "x", clean]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert results[0]["result"]["black_list"] is True
    assert results[1]["error"]["code"] == results[2]["error"]["code"] == "invalid_identifier"
    assert results[3]["result"]["found"] is False


def test_batch_of_1000_is_accepted_and_1001_refused(api):
    codes = [valid_uscc() for _ in range(1000)]
    ok = api("POST", "/api/v1/credit/batch", json={"identifiers": codes})
    assert ok.status_code == 200 and ok.get_json()["count"] == 1000
    refused = api("POST", "/api/v1/credit/batch", json={"identifiers": [*codes, valid_uscc()]})
    assert refused.status_code == 400 and error_code(refused) == "too_many_identifiers"


@pytest.mark.parametrize("data, content_type, code", [
    ("not json", "application/json", "bad_json"),
    ('{"identifiers": [', "application/json", "bad_json"),
    ("[1, 2]", "application/json", "bad_request"),
    ('{"identifiers": "9143"}', "application/json", "bad_request"),
    ('{"ids": []}', "application/json", "bad_request"),
    ("identifiers=1", "application/x-www-form-urlencoded", "bad_json"),
])
def test_batch_bad_bodies(api, data, content_type, code):
    response = api("POST", "/api/v1/credit/batch", data=data, content_type=content_type)
    assert response.status_code == 400 and error_code(response) == code


def test_batch_too_large_body(api):
    response = api("POST", "/api/v1/credit/batch", data=json.dumps({"identifiers": ["x" * 300_000]}),
                   content_type="application/json")
    assert response.status_code == 413 and error_code(response) == "too_large"


# --- every failure is JSON ----------------------------------------------------------------------

def test_unknown_api_path_is_json_404(api):
    response = api("GET", "/api/v1/nothing-here")
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_wrong_method_is_json_405(api):
    response = api("DELETE", f"/api/v1/credit/{valid_uscc()}")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"
    response = api("GET", "/api/v1/credit/batch")  # the batch's 405, not "batch" read as an identifier
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_batch_is_not_blocked_by_csrf(app, make):
    from registry.extensions import csrf

    assert "api" in {bp.name for bp in csrf._exempt_blueprints}
    assert "api.apikeys" not in {bp.name for bp in csrf._exempt_blueprints}


def test_report_pdf(api, make):
    subject = make.subject()
    make.entry(EntryStatus.PUBLISHED, subject=subject)
    response = api("GET", f"/api/v1/credit/{subject.identifier}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF")
    bad = api("GET", "/api/v1/credit/nonsense/report.pdf")
    assert bad.status_code == 400 and error_code(bad) == "invalid_identifier"


# --- the request log comes first -------------------------------------------------

@pytest.fixture
def broken_log(monkeypatch):
    """The log INSERT aimed at a table that does not exist: the database refuses it."""
    from registry.api import keys

    missing = sa.Table("api_request_log_missing", sa.MetaData(),
                       *(sa.Column(column.name, column.type) for column in ApiRequestLog.__table__.c))
    monkeypatch.setattr(keys, "_LOG_INSERT", sa.insert(missing))


def test_an_answer_that_cannot_be_logged_is_withheld(api, make, broken_log, caplog):
    listed = make.subject()
    make.entry(EntryStatus.PUBLISHED, subject=listed)
    before = _db.session.scalar(sa.select(sa.func.count()).select_from(ApiRequestLog))
    for response in (api("GET", f"/api/v1/credit/{listed.identifier}"),
                     api("POST", "/api/v1/credit/batch", json={"identifiers": [listed.identifier]})):
        assert response.status_code == 503 and error_code(response) == "log_unavailable"
        assert response.headers["Retry-After"] == "30"
        assert listed.identifier not in response.get_data(as_text=True)
        assert "black_list" not in response.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(ApiRequestLog)) == before
    assert "could not log API request" in caplog.text


def test_a_logged_answer_goes_out(api, make):
    listed = make.subject()
    before = _db.session.scalar(sa.select(sa.func.count()).select_from(ApiRequestLog))
    assert api("GET", f"/api/v1/credit/{listed.identifier}").status_code == 200
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(ApiRequestLog)) == before + 1
