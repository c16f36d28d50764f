"""Repair pages: the form with its eligibility refusal, required uploads, the whole path, privacy."""

from __future__ import annotations

import io
import re
from datetime import date

from registry.applications.models import ApplicationFile
from registry.applications.targets import target_key
from registry.core import clock
from registry.listing.models import EntryStatus, RemovalReason
from registry.repairs.models import RepairApplication
from tests.conftest import count
from tests.factories.core import valid_uscc
from tests.factories.objections import PDF


def _form(record, **fields):
    data = {"record": target_key(record), "applicant_kind": "organisation", "applicant_name": "湖南某运输公司",
            "applicant_identifier": valid_uscc(), "phone": "0731-88880000", "representative_name": "张三",
            "representative_role": "legal_representative", "statement": "已整改。",
            "application_form": (io.BytesIO(PDF), "申请书.pdf"), "commitment_letter": (io.BytesIO(PDF), "承诺书.pdf"),
            "fulfilment_proof": (io.BytesIO(PDF), "履行证明.pdf")}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, record, **fields):
    return client.post("/repairs/new?lang=en", data=_form(record, **fields), content_type="multipart/form-data",
                       follow_redirects=True)


def test_an_ineligible_record_shows_why_and_from_when(client, make, db, frozen):
    with frozen(date(2026, 3, 12)):
        entry = make.entry("published")
        assert entry.valid_from == date(2026, 2, 28)  # the factory publishes 20 - 8 days before today
        eligible_from = "2027-03-01"  # 12 months: the period's last day is 28 February 2027
        page = client.get(f"/repairs/new?record={target_key(entry)}&lang=en").get_data(as_text=True)
        assert eligible_from in page and "<form method=\"post\"" not in page
        assert "minimum period of 12 months" in page
        response = _post(client, entry)
        assert eligible_from in response.get_data(as_text=True)
    assert count(RepairApplication) == 0 and count(ApplicationFile) == 0


def test_a_red_entry_is_refused(client, make, db):
    entry = make.entry("published", category="道路运输守信")
    assert "red list" in _post(client, entry).get_data(as_text=True)
    assert count(RepairApplication) == 0


def test_a_missing_commitment_letter_is_named(client, make, db):
    entry = make.repairable_entry()
    body = _post(client, entry, commitment_letter=None).get_data(as_text=True)
    assert "Upload the Signed commitment letter" in body
    assert count(RepairApplication) == 0


def test_an_html_file_renamed_pdf_is_refused(client, make, db):
    entry = make.repairable_entry()
    body = _post(client, entry, fulfilment_proof=(io.BytesIO(b"<html></html>"), "proof.pdf")).get_data(as_text=True)
    assert "only PDF, JPEG or PNG" in body
    assert count(RepairApplication) == 0 and count(ApplicationFile) == 0


def test_a_second_open_repair_is_refused(client, make, db):
    entry = make.repairable_entry()
    make.repair(entry)
    body = _post(client, entry).get_data(as_text=True)
    assert "already being handled" in body
    assert count(RepairApplication) == 1


def test_the_whole_repair_path(client, make, db, login):
    entry = make.repairable_entry()
    body = _post(client, entry).get_data(as_text=True)
    receipt = re.search(r"XF\d{8}-\d{4}", body).group(0)
    code = re.search(r'class="access-code">([0-9A-Z-]{14})<', body).group(1)
    application = db.session.query(RepairApplication).one()
    subject_page = client.get(f"/subjects/{entry.subject_id}?lang=en").get_data(as_text=True)
    assert "Under repair" in subject_page
    clerk = login("clerk")
    act = f"/repairs/officer/{application.id}"
    client.post(f"{act}/request", data={"version": application.version, "note": "请补充完税证明。"})
    client.post("/logout")
    client.post("/repairs/status", data={"receipt_number": receipt, "access_code": code})
    status = client.get(f"/repairs/status/{receipt}?lang=en").get_data(as_text=True)
    assert "请补充完税证明。" in status
    client.post(f"/repairs/status/{receipt}/material", data={"files": [(io.BytesIO(PDF), "完税证明.pdf")]},
                content_type="multipart/form-data")
    db.session.refresh(application)
    assert application.status.value == "submitted"
    login(clerk)
    client.post(f"{act}/accept", data={"version": application.version})
    db.session.refresh(application)
    client.post(f"{act}/prepare", data={"version": application.version, "outcome": "approved", "reasons": "符合条件。"})
    db.session.refresh(application)
    login("reviewer")
    client.post(f"/review/repair/{application.id}/approve", data={"version": application.version})
    db.session.refresh(entry)
    assert entry.status is EntryStatus.REMOVED and entry.removal_reason is RemovalReason.REPAIRED
    client.post("/logout")
    client.post("/repairs/status", data={"receipt_number": receipt, "access_code": code})
    status = client.get(f"/repairs/status/{receipt}?lang=en").get_data(as_text=True)
    assert "Repair approved" in status
    notice = client.get(f"/repairs/status/{receipt}/notice.pdf")
    assert notice.status_code == 200 and notice.data.startswith(b"%PDF")
    assert clock.today().isoformat() in status
