"""Objection pages: the public form, the confirmation, the status page and its privacy, officer pages."""

from __future__ import annotations

import io
import re

import pytest

from registry.applications.models import ApplicationFile, files_of
from registry.applications.targets import target_key
from registry.listing.models import EntryStatus
from registry.objections import operations as ops
from registry.objections.models import Objection
from tests.conftest import count
from tests.factories.core import valid_uscc
from tests.factories.objections import PDF


def _form(record, **fields):
    data = {"record": target_key(record), "applicant_kind": "organisation", "applicant_name": "湖南某运输公司",
            "applicant_identifier": valid_uscc(), "phone": "0731-88880000", "email": "",
            "grounds": "该记录认定有误。", "files": [(io.BytesIO(PDF), "证据.pdf")]}
    data.update(fields)
    return data


def _file_through_the_form(client, record, **fields):
    return client.post("/objections/new?lang=en", data=_form(record, **fields), content_type="multipart/form-data",
                       follow_redirects=True)


def _lookup(client, receipt, code, follow=False):
    return client.post("/objections/status?lang=en", data={"receipt_number": receipt, "access_code": code},
                       follow_redirects=follow)


def test_the_form_files_an_objection_and_shows_the_receipt_and_code_once(client, make, db):
    entry = make.entry("published")
    page = client.get(f"/objections/new?record={target_key(entry)}&lang=en")
    assert page.status_code == 200 and entry.decision_number in page.get_data(as_text=True)
    response = _file_through_the_form(client, entry)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    receipt = re.search(r"YY\d{8}-\d{4}", body).group(0)
    code = re.search(r'class="access-code">([0-9A-Z-]{14})<', body).group(1)
    objection = db.session.query(Objection).one()
    assert objection.receipt_number == receipt and code not in objection.access_code_hash
    assert _lookup(client, receipt, code).status_code == 302
    status = client.get(f"/objections/status/{receipt}?lang=en").get_data(as_text=True)
    assert "Received, awaiting acceptance" in status and "证据.pdf" in status and code not in status


@pytest.mark.parametrize(("fields", "message"), [
    ({"grounds": ""}, "Enter the grounds of the objection"),
    ({"phone": "abc-defg"}, "only digits"),
    ({"files": [(io.BytesIO(b"<html><body>x</body></html>"), "decision.pdf")]}, "only PDF, JPEG or PNG"),
    ({"files": [(io.BytesIO(PDF), f"f{i}.pdf") for i in range(6)]}, "At most 5 files"),
    ({"applicant_identifier": "91430100MA0000000X"}, "check"),
])
def test_bad_input_on_the_form_is_explained_and_nothing_is_stored(client, make, db, fields, message):
    entry = make.entry("published")
    response = _file_through_the_form(client, entry, **fields)
    assert response.status_code == 200
    assert message.lower() in response.get_data(as_text=True).lower()
    assert count(Objection) == 0 and count(ApplicationFile) == 0


def test_the_form_is_not_offered_for_a_draft(client, make, db):
    entry = make.entry("draft")
    assert client.get(f"/objections/new?record={target_key(entry)}").status_code == 404
    assert _file_through_the_form(client, entry).status_code == 404
    assert count(Objection) == 0


def test_choosing_the_record_by_identifier(client, make, db):
    entry = make.entry("published")
    make.entry("draft", subject=entry.subject)
    body = client.get(f"/objections/new?identifier={entry.subject.identifier}&lang=en").get_data(as_text=True)
    assert target_key(entry) in body
    assert body.count("Object to this record") == 1
    bad = client.get("/objections/new?identifier=91430100MA0000000X&lang=en")
    assert bad.status_code == 200 and "field-error" in bad.get_data(as_text=True)


def test_a_wrong_code_is_answered_exactly_like_an_unknown_receipt(client, make, db):
    objection, _code = make.objection()
    wrong = _lookup(client, objection.receipt_number, "AAAA-BBBB-CCCC")
    unknown = _lookup(client, "YY20000101-0001", "AAAA-BBBB-CCCC")
    assert wrong.status_code == unknown.status_code == 200

    def scrub(response, receipt):
        return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True).replace(receipt, "R"))

    assert scrub(wrong, objection.receipt_number) == scrub(unknown, "YY20000101-0001")
    assert objection.applicant_name not in wrong.get_data(as_text=True)
    assert client.get(f"/objections/status/{objection.receipt_number}").status_code == 302  # no grant


def test_wrong_codes_slow_down_the_guesser_and_never_lock_out_the_applicant(app, client, make, db):
    """wrong codes are counted per client address, never per receipt."""
    objection, code = make.objection()
    stranger = {"REMOTE_ADDR": "198.51.100.20"}
    for _ in range(20):
        wrong = client.post("/objections/status?lang=en", environ_base=stranger,
                            data={"receipt_number": objection.receipt_number, "access_code": "WRONG-CODE"})
        assert wrong.status_code == 200
    refused = client.post("/objections/status?lang=en", environ_base=stranger,
                          data={"receipt_number": objection.receipt_number, "access_code": code})
    assert refused.status_code == 429  # even the right code, from the guesser's address, for a while
    assert "wait 1 minutes" in refused.get_data(as_text=True)
    with app.test_client() as applicant:  # the applicant, elsewhere: the receipt is not locked
        response = applicant.post("/objections/status", environ_base={"REMOTE_ADDR": "203.0.113.77"},
                                  data={"receipt_number": objection.receipt_number, "access_code": code})
    assert response.status_code == 302


def test_files_and_notice_only_with_the_code(client, make, db, login):
    objection, code = make.objection()
    (row,) = files_of("objection", objection.id)
    url = f"/objections/status/{objection.receipt_number}/files/{row.id}"
    assert client.get(url).status_code == 404
    _lookup(client, objection.receipt_number, code)
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/objections/status/{objection.receipt_number}/notice.pdf").status_code == 404  # not decided


def test_the_whole_path_from_filing_to_the_applicant_reading_the_decision(client, make, db, login):
    entry = make.entry("in_publicity")
    objection, code = make.objection(entry)
    clerk = login("clerk")
    page = client.get(f"/objections/officer/{objection.id}?lang=en").get_data(as_text=True)
    assert objection.receipt_number in page and "Due by" in page
    (row,) = files_of("objection", objection.id)
    assert client.get(f"/objections/officer/{objection.id}/files/{row.id}").status_code == 200
    act = f"/objections/officer/{objection.id}"
    assert client.post(f"{act}/accept", data={"version": objection.version}).status_code == 302
    db.session.refresh(objection)
    bad = client.post(f"{act}/prepare?lang=en", data={"version": objection.version, "outcome": "upheld", "reasons": ""})
    assert bad.status_code == 400 and "Enter the reasons" in bad.get_data(as_text=True)
    client.post(f"{act}/prepare", data={"version": objection.version, "outcome": "upheld", "reasons": "认定错误。"})
    db.session.refresh(objection)
    assert objection.prepared_by_id == clerk.id
    # The preparer's own unit reviewer confirms from the review queue
    reviewer = login("reviewer")
    queue = client.get("/review/?lang=en").get_data(as_text=True)
    assert objection.receipt_number in queue
    client.post(f"/review/objection/{objection.id}/approve", data={"version": objection.version})
    db.session.refresh(objection)
    db.session.refresh(entry)
    assert objection.reviewed_by_id == reviewer.id and entry.status is EntryStatus.WITHDRAWN
    client.post("/logout")
    _lookup(client, objection.receipt_number, code)
    status = client.get(f"/objections/status/{objection.receipt_number}?lang=en").get_data(as_text=True)
    assert "Upheld" in status and "认定错误。" in status
    notice = client.get(f"/objections/status/{objection.receipt_number}/notice.pdf")
    assert notice.status_code == 200 and notice.data.startswith(b"%PDF")


def test_officers_of_another_unit_see_nothing(client, make, db, login):
    objection, _ = make.objection()
    (row,) = files_of("objection", objection.id)
    login("reviewer", unit="CS")
    assert client.get(f"/objections/officer/{objection.id}").status_code == 404
    assert client.get(f"/objections/officer/{objection.id}/files/{row.id}").status_code == 404
    assert client.post(f"/objections/officer/{objection.id}/accept", data={"version": 1}).status_code == 404
    assert objection.receipt_number not in client.get("/objections/officer/").get_data(as_text=True)


def test_the_subject_page_shows_the_marker_and_the_links(client, make, db):
    entry = make.entry("in_publicity")
    body = client.get(f"/subjects/{entry.subject_id}?lang=en").get_data(as_text=True)
    assert "Object to this record" in body and "Objection pending" not in body
    ops.file_objection(target=target_key(entry), applicant=__import__(
        "tests.factories.objections", fromlist=["applicant"]).applicant(), grounds="有误", uploads=[])
    body = client.get(f"/subjects/{entry.subject_id}?lang=en").get_data(as_text=True)
    assert "Objection pending" in body


def test_a_rejection_as_inadmissible_is_prepared_on_the_page_and_confirmed_from_the_review_queue(
        client, make, db, login):
    entry = make.entry("published")
    objection, code = make.objection(entry)
    clerk = login("clerk")
    act = f"/objections/officer/{objection.id}"
    client.post(f"{act}/reject", data={"version": objection.version, "reason": "申请事项不属于本单位受理范围。"})
    db.session.refresh(objection)
    assert objection.status.value == "submitted" and objection.prepared_by_id == clerk.id
    page = client.get(f"{act}?lang=en").get_data(as_text=True)
    assert "waits for a reviewer" in page and f"{act}/accept" not in page and f"{act}/reject" not in page
    reviewer = login("reviewer")
    queue = client.get("/review/?lang=en").get_data(as_text=True)
    assert objection.receipt_number in queue and "Rejected as inadmissible" in queue
    client.post(f"/review/objection/{objection.id}/approve", data={"version": objection.version})
    db.session.refresh(objection)
    assert objection.status.value == "inadmissible" and objection.reviewed_by_id == reviewer.id
    client.post("/logout")
    _lookup(client, objection.receipt_number, code)
    status = client.get(f"/objections/status/{objection.receipt_number}?lang=en").get_data(as_text=True)
    assert "Rejected as inadmissible" in status and "申请事项不属于本单位受理范围。" in status


@pytest.mark.parametrize("target", ["list_entry:2147483648", "list_entry:99999999999999999999", "disclosure:0",
                                    "list_entry:١٢", "nothing:1", "list_entry:"])
def test_a_record_no_row_can_have_is_not_found_never_a_500(client, target):
    # An id past PostgreSQL's integer range used to reach the query (the form's path).
    assert client.get("/objections/new", query_string={"record": target}).status_code == 404
    assert client.get("/repairs/new", query_string={"record": target}).status_code == 404
