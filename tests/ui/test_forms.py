"""Issue 19 #1 and #2: a form shows every problem at once, each at its field, the input kept; the
files of a refused application form are held for the next submission, never dropped silently."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import date

import pytest

from registry.applications.models import ApplicationFile
from registry.applications.targets import target_key
from registry.cases.models import Case
from registry.core import held, uploads
from registry.core.errors import Problems, ValidationErrors, ValidationFailed, clean_text
from registry.core.forms import apply_error, unplaced
from registry.disclosures.models import Disclosure
from registry.objections.models import Objection
from registry.repairs.models import RepairApplication
from tests.conftest import count
from tests.factories.core import valid_uscc
from tests.factories.disclosures import AUTHORITY_USCC
from tests.factories.objections import PDF

ERROR_ID = re.compile(r'id="([a-z_]+)-error"')


def _errors(response) -> set[str]:
    return set(ERROR_ID.findall(response.get_data(as_text=True)))


# --- the mechanism ------------------------------------------------------------------------------

def test_problems_collect_every_refusal_and_raise_them_together():
    problems = Problems()
    assert problems.check(clean_text, " kept ", "a", "A", limit=10) == "kept"
    assert problems.check(clean_text, "", "b", "B", limit=10) is None
    assert problems.check(clean_text, "x" * 11, "c", "C", limit=10) is None
    with pytest.raises(ValidationErrors) as raised:
        problems.raise_any()
    assert [error.field for error in raised.value.errors] == ["b", "c"]
    assert raised.value.field == "b"  # the first, for a caller that knows only one


def test_one_problem_is_raised_as_itself_and_none_raises_nothing():
    problems = Problems()
    problems.raise_any()
    problems.add(ValidationFailed("only", field="x"))
    with pytest.raises(ValidationFailed) as raised:
        problems.raise_any()
    assert not isinstance(raised.value, ValidationErrors) and raised.value.field == "x"


def test_apply_error_puts_each_refusal_on_its_field_and_returns_the_rest(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class Form(FlaskForm):
        class Meta:
            csrf = False

        name = StringField()
        phone = StringField()

    with app.test_request_context():
        form = Form()
        error = ValidationErrors([ValidationFailed("no name", field="name"),
                                  ValidationFailed("no phone", field="phone"),
                                  ValidationFailed("elsewhere", field="nowhere")])
        assert unplaced(form, error) == ["elsewhere"]
        assert (form.name.errors, form.phone.errors) == (["no name"], ["no phone"])
        assert apply_error(Form(), ValidationFailed("no name", field="name")) is True


# --- public application forms ----------------------------------------------------------------------

def test_an_empty_objection_shows_every_problem_at_once_and_keeps_the_input(client, make, db):
    entry = make.entry("published")
    response = client.post("/objections/new?lang=en", data={
        "record": target_key(entry), "applicant_kind": "organisation", "applicant_name": "",
        "applicant_identifier": "91430100", "phone": "", "email": "not-an-address", "grounds": "",
    }, content_type="multipart/form-data")
    assert response.status_code == 200
    assert {"applicant_name", "applicant_identifier", "phone", "email", "grounds"} <= _errors(response)
    assert 'value="not-an-address"' in response.get_data(as_text=True)
    assert count(Objection) == 0


def _repair_form(entry, **fields):
    data = {"record": target_key(entry), "applicant_kind": "organisation", "applicant_name": "湖南某运输公司",
            "applicant_identifier": valid_uscc(), "phone": "0731-88880000", "representative_name": "张三",
            "representative_role": "legal_representative", "statement": "已整改。",
            "application_form": (io.BytesIO(PDF), "申请书.pdf"), "commitment_letter": (io.BytesIO(PDF), "承诺书.pdf"),
            "fulfilment_proof": (io.BytesIO(PDF), "履行证明.pdf")}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def _post_repair(client, entry, **fields):
    return client.post("/repairs/new?lang=en", data=_repair_form(entry, **fields), content_type="multipart/form-data")


def test_a_repair_form_without_text_and_files_names_every_missing_part(client, make, db):
    entry = make.repairable_entry()
    response = _post_repair(client, entry, representative_name="", statement="", phone="12",
                            application_form=None, commitment_letter=None, fulfilment_proof=None)
    assert {"representative_name", "statement", "phone", "application_form", "commitment_letter",
            "fulfilment_proof"} <= _errors(response)
    assert count(RepairApplication) == 0


def _token(response) -> str:
    page = response.get_data(as_text=True)
    return re.search(r'name="upload_token" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def test_files_of_a_refused_repair_form_are_held_and_used_by_the_next_submission(app, client, make, db):
    entry = make.repairable_entry()
    refused = _post_repair(client, entry, statement="")
    page = refused.get_data(as_text=True)
    assert "statement" in _errors(refused)
    for name in ("申请书.pdf", "承诺书.pdf", "履行证明.pdf"):
        assert f"Uploaded: {name}" in page
    token = _token(refused)
    held_folder = os.path.join(app.config["UPLOAD_FOLDER"], held.HELD, token)
    assert len(held.held_files(token)) == 3 and os.path.isdir(held_folder)
    assert count(RepairApplication) == 0 and count(ApplicationFile) == 0

    # Sent again with the statement and no file chosen: the held files go with it.
    accepted = _post_repair(client, entry, upload_token=token, application_form=None, commitment_letter=None,
                            fulfilment_proof=None)
    assert re.search(r"XF\d{8}-\d{4}", accepted.get_data(as_text=True))
    names = sorted(row.original_name for row in db.session.query(ApplicationFile))
    assert names == sorted(["申请书.pdf", "承诺书.pdf", "履行证明.pdf"])
    assert not os.path.exists(held_folder)


def test_a_file_chosen_again_replaces_the_held_one_of_its_field(client, make, db):
    entry = make.repairable_entry()
    token = _token(_post_repair(client, entry, statement=""))
    page = _post_repair(client, entry, statement="", upload_token=token,
                        commitment_letter=(io.BytesIO(PDF), "新承诺书.pdf"),
                        application_form=None, fulfilment_proof=None).get_data(as_text=True)
    assert "Uploaded: 新承诺书.pdf" in page and "Uploaded: 承诺书.pdf" not in page
    assert {item.original_name for item in held.held_files(token)} == {"新承诺书.pdf", "履行证明.pdf", "申请书.pdf"}


def test_a_refused_file_is_named_at_its_field_and_not_held(client, make, db):
    entry = make.repairable_entry()
    response = _post_repair(client, entry, statement="", fulfilment_proof=(io.BytesIO(b"<html></html>"), "proof.pdf"))
    page = response.get_data(as_text=True)
    assert "fulfilment_proof" in _errors(response) and "only PDF, JPEG or PNG" in page
    assert "Uploaded: proof.pdf" not in page and "Uploaded: 申请书.pdf" in page
    assert [item.field for item in held.held_files(_token(response))] == ["application_form", "commitment_letter"]


def test_a_token_from_another_browser_is_not_honoured(app, client, make, db):
    entry = make.repairable_entry()
    token = _token(_post_repair(client, entry, statement=""))
    stranger = app.test_client()
    response = _post_repair(stranger, entry, upload_token=token, application_form=None, commitment_letter=None,
                            fulfilment_proof=None)
    assert {"application_form", "commitment_letter", "fulfilment_proof"} <= _errors(response)
    assert count(RepairApplication) == 0


def test_objection_files_are_held_too(client, make, db):
    entry = make.entry("published")
    response = client.post("/objections/new?lang=en", data={
        "record": target_key(entry), "applicant_kind": "organisation", "applicant_name": "", "applicant_identifier":
        valid_uscc(), "phone": "0731-88880000", "grounds": "有误", "files": [(io.BytesIO(PDF), "证据.pdf")]},
        content_type="multipart/form-data")
    assert "Uploaded: 证据.pdf" in response.get_data(as_text=True)


def test_stale_held_files_are_cleaned_and_fresh_ones_kept(app):
    with app.test_request_context():
        old, fresh = held.new_hold_token(), held.new_hold_token()
        for token in (old, fresh):
            held.hold_uploads(token, [uploads.Upload("files", PDF, "a.pdf", "evidence")])
        past = time.time() - (held.HOLD_HOURS * 3600 + 60)
        os.utime(os.path.join(app.config["UPLOAD_FOLDER"], held.HELD, old), (past, past))
        assert held.clean_held() == 1
        assert held.held_files(old) == [] and len(held.held_files(fresh)) == 1
        from registry.applications.checks import held_uploads_cleanup

        assert held_uploads_cleanup(date(2026, 12, 1)) == {"removed": 0}
        held.discard_held(fresh)


def test_a_malformed_token_holds_nothing(app):
    with app.test_request_context():
        assert held.held_files("../../etc") == [] and held.held_uploads("zz") == []
        with pytest.raises(ValueError):
            held.hold_uploads("../x", [])


# --- officer forms: the content rules run with the form's own checks -------------------------------

DISCLOSURE = {
    "kind": "penalty", "party_name": "湖南表单运输有限公司", "party_category": "organisation",
    "legal_representative": "周九", "decision_number": "湘交罚〔2026〕全1号", "decision_date": "2026-09-30",
    "authority_name": "湖南省交通运输厅", "authority_uscc": AUTHORITY_USCC, "source_unit_name": "基建处",
    "violation_type": "超限", "violation_facts": "超限运输", "legal_basis": "条例", "penalty_type": "fine",
    "penalty_content": "罚款", "fine_amount": "0.5", "severity": "general",
}


def _bad_check_digit(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def test_a_disclosure_shows_the_authoritys_check_digit_with_the_missing_fields(client, login, frozen):
    login("clerk")
    with frozen(date(2026, 10, 9)):
        response = client.post("/officer/disclosures/new?lang=en", data={
            **DISCLOSURE, "party_identifier": valid_uscc(), "party_name": "", "decision_number": "",
            "authority_uscc": _bad_check_digit(AUTHORITY_USCC), "fine_amount": "",
        })
    assert {"party_name", "decision_number", "authority_uscc", "fine_amount"} <= _errors(response)
    assert count(Disclosure, Disclosure.decision_number == "湘交罚〔2026〕全1号") == 0


def test_a_disclosure_with_only_content_problems_shows_all_of_them(client, login, frozen):
    login("clerk")
    with frozen(date(2026, 10, 9)):
        response = client.post("/officer/disclosures/new?lang=en", data={
            **DISCLOSURE, "party_identifier": valid_uscc(), "authority_uscc": _bad_check_digit(AUTHORITY_USCC),
            "licence_number": "X1", "fine_amount": "-1",
        })
    assert {"authority_uscc", "licence_number", "fine_amount"} <= _errors(response)


def test_a_case_shows_an_unknown_entry_with_the_missing_text(client, login, make, frozen):
    login("clerk")
    with frozen(date(2026, 5, 20)):
        response = client.post("/officer/cases/new?lang=en", data={
            "entry_ref": "无此文号", "measure_ids": [], "applying_party": "基建处", "case_date": "2026-05-18",
            "matter": "", "effect": "",
        })
    page = response.get_data(as_text=True)
    assert {"entry_ref", "matter", "effect"} <= _errors(response)
    assert "No list entry has the decision document number" in page
    assert count(Case) == 0
