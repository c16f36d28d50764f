"""Credit commitments: the file checks, officers only, breach, and citing a breach on a black list entry."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from flask import current_app
from flask_babel import force_locale

from registry.commitments import operations as ops
from registry.commitments.models import CommitmentBreach, CommitmentStatus, CreditCommitment
from registry.core.audit import history
from registry.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from registry.core.uploads import upload_path
from tests.conftest import count
from tests.factories import valid_uscc
from tests.files import PDF, PNG


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _record(make, actor=None, subject=None, **overrides):
    values = {"kind": "bidding", "signed_on": date(2026, 4, 1), "matter": "某高速公路施工招标",
              "file_data": PDF, "filename": "承诺书.pdf"}
    values.update(overrides)
    return ops.record_commitment(actor=actor or make.user("clerk"), subject=subject or make.subject(), **values)


def test_a_commitment_is_stored_outside_the_web_root_under_a_random_name(make, frozen):
    with frozen(date(2026, 5, 1)):
        commitment = _record(make)
    assert commitment.file_type == "application/pdf" and commitment.file_original_name == "承诺书.pdf"
    path = upload_path(commitment.file_stored_name)
    assert path.startswith(current_app.config["UPLOAD_FOLDER"]) and "承诺书" not in path
    with open(path, "rb") as handle:
        assert handle.read() == PDF
    assert [e.action for e in history("credit_commitment", commitment.id)] == ["credit_commitment.create"]


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"file_data": b"MZ\x90\x00 not really a pdf", "filename": "letter.pdf"}, "file", "content is checked"),
    ({"file_data": b"GIF89a......", "filename": "x.gif"}, "file", "PDF, JPEG or PNG"),
    ({"file_data": b""}, "file", "empty"),
    ({"file_data": PDF + b"0" * (10 * 1024 * 1024)}, "file", "larger than"),
    ({"signed_on": date(2026, 5, 2)}, "signed_on", "future"),
    ({"kind": "friendship"}, "kind", "kind"),
])
def test_bad_input_is_refused_and_nothing_stored(make, frozen, overrides, field, words):
    clerk = make.user("clerk")
    before = len(os.listdir(os.path.join(current_app.config["UPLOAD_FOLDER"], "commitments"))) if os.path.isdir(
        os.path.join(current_app.config["UPLOAD_FOLDER"], "commitments")) else 0
    with frozen(date(2026, 5, 1)), pytest.raises(ValidationFailed) as refused:
        _record(make, actor=clerk, **overrides)
    assert refused.value.field == field and words in str(refused.value.message)
    assert count(CreditCommitment, CreditCommitment.created_by_id == clerk.id) == 0
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "commitments")
    assert (len(os.listdir(folder)) if os.path.isdir(folder) else 0) == before


def test_png_is_accepted_by_content(make, frozen):
    with frozen(date(2026, 5, 1)):
        assert _record(make, file_data=PNG, filename="scan.pdf").file_type == "image/png"


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_only_unit_officers_record(make, role, frozen):
    with frozen(date(2026, 5, 1)), pytest.raises(PermissionDenied):
        _record(make, actor=make.user(role))


def test_breach_then_cite_on_a_black_list_entry(make, frozen):
    clerk = make.user("clerk")
    subject = make.subject()
    with frozen(date(2026, 5, 1)):
        commitment = _record(make, actor=clerk, subject=subject)
        entry = make.entry("draft", subject=subject)
        with pytest.raises(ValidationFailed) as refused:
            ops.link_to_entry(commitment, entry, actor=clerk)
        assert refused.value.field == "commitment_id"
        with pytest.raises(ValidationFailed):
            ops.mark_breached(commitment, actor=clerk, breached_on=date(2026, 3, 1), note="违约")
        ops.mark_breached(commitment, actor=clerk, breached_on=date(2026, 4, 20), note="中标后转包")
        with pytest.raises(InvalidTransition):
            ops.mark_breached(commitment, actor=clerk, breached_on=date(2026, 4, 20), note="again")
        ops.link_to_entry(commitment, entry, actor=clerk)
        with pytest.raises(ValidationFailed):
            ops.link_to_entry(commitment, entry, actor=clerk)
    assert commitment.status is CommitmentStatus.BREACHED
    assert ops.commitments_for_entry(entry.id) == [commitment]
    assert count(CommitmentBreach, CommitmentBreach.list_entry_id == entry.id) == 1


def test_cannot_cite_on_another_subjects_entry_or_a_red_list_entry(make, frozen):
    clerk = make.user("clerk")
    subject = make.subject()
    with frozen(date(2026, 5, 1)):
        commitment = _record(make, actor=clerk, subject=subject)
        ops.mark_breached(commitment, actor=clerk, breached_on=date(2026, 4, 20), note="违约")
        for entry in (make.entry("draft"), make.entry("draft", subject=subject, category="道路运输守信")):
            with pytest.raises(ValidationFailed) as refused:
                ops.link_to_entry(commitment, entry, actor=clerk)
            assert refused.value.field == "entry_id"


def test_pages_are_for_officers_only(client, make, login, frozen):
    with frozen(date(2026, 5, 1)):
        commitment = _record(make)
    assert client.get(f"/officer/commitments/{commitment.id}").status_code == 302  # to sign-in
    assert client.get(f"/officer/commitments/{commitment.id}/file").status_code == 302
    from registry.commitments.views import subject_section

    assert subject_section(commitment.subject, public=True) == {}
    assert subject_section(commitment.subject, public=False)["commitments"] == [commitment]
    login("clerk", unit="GHC")
    assert client.get(f"/officer/commitments/{commitment.id}").status_code == 200
    # The letter itself is not for another unit.
    assert client.get(f"/officer/commitments/{commitment.id}/file").status_code == 404


@pytest.mark.parametrize(("role", "unit", "allowed"), [
    ("clerk", "JJC", True), ("reviewer", "JJC", True),
    ("clerk", "GHC", False), ("reviewer", "GHC", False),
    ("admin", "GHC", True), ("auditor", "GHC", True),
])
def test_the_letter_goes_to_its_units_officers_and_those_who_read_every_unit(client, make, login, frozen,
                                                                             role, unit, allowed):
    with frozen(date(2026, 5, 1)):
        commitment = _record(make, actor=make.user("clerk", unit="JJC"))
    login(role, unit=unit)
    download = client.get(f"/officer/commitments/{commitment.id}/file")
    if allowed:
        assert download.status_code == 200 and download.data == PDF
    else:
        assert download.status_code == 404 and PDF not in download.data


def test_form_refuses_a_disguised_file(client, login, frozen):
    clerk = login("clerk")
    with frozen(date(2026, 5, 1)):
        response = client.post("/officer/commitments/new?lang=en", data={
            "subject_identifier": valid_uscc(), "subject_name": "某公司", "kind": "licensing",
            "signed_on": "2026-04-01", "file": (io.BytesIO(b"<html>hello</html>"), "letter.pdf")},
            content_type="multipart/form-data")
    assert response.status_code == 200 and "content is checked" in response.get_data(as_text=True)
    assert count(CreditCommitment, CreditCommitment.created_by_id == clerk.id) == 0


def test_form_records_and_page_shows_breach_form(client, login, frozen):
    clerk = login("clerk")
    with frozen(date(2026, 5, 1)):
        response = client.post("/officer/commitments/new", data={
            "subject_identifier": valid_uscc(), "subject_name": "某公司", "kind": "repair",
            "signed_on": "2026-04-01", "file": (io.BytesIO(PDF), "c.pdf")}, content_type="multipart/form-data")
        assert response.status_code == 302
        page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Record a breach" in page
    assert count(CreditCommitment, CreditCommitment.created_by_id == clerk.id) == 1


def test_officer_subject_page_lists_commitments(client, make, login, frozen):
    with frozen(date(2026, 5, 1)):
        commitment = _record(make, matter="某事项")
    login("clerk")
    page = client.get(f"/officer/subjects/{commitment.subject_id}?lang=en").get_data(as_text=True)
    assert f"/officer/commitments/{commitment.id}" in page


def test_recording_a_breach_through_the_page_confirms_and_redirects(client, make, login, frozen):
    clerk = login("clerk")
    with frozen(date(2026, 5, 1)):
        commitment = _record(make, actor=clerk)
        response = client.post(f"/officer/commitments/{commitment.id}?lang=en", data={
            "action": "breach", "breach-breached_on": "2026-04-20", "breach-note": "未按承诺履行整改义务"})
        assert response.status_code == 302
        page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "The breach was recorded." in page
    assert commitment.status is CommitmentStatus.BREACHED
