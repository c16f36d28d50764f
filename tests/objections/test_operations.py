"""Objections: filing (and every refusal, with nothing stored), handling, four-eyes decisions, effects."""

from __future__ import annotations

import os
from datetime import date

import pytest
import sqlalchemy as sa

from registry.applications.models import ApplicationFile, ApplicationStatus, code_matches, files_of
from registry.applications.targets import target_key
from registry.core.audit import history
from registry.core.changes import ChangeEvent
from registry.core.errors import InvalidTransition, PermissionDenied, StaleRecord, ValidationFailed
from registry.core.holds import HoldKind, RecordHold, open_holds
from registry.core.uploads import Upload
from registry.disclosures.models import DisclosureStatus
from registry.disclosures.models import RemovalReason as DisclosureRemoval
from registry.disclosures.operations import start_correction, submit_disclosure
from registry.listing.models import EntryStatus, RemovalReason
from registry.listing.operations import publish_due_entries
from registry.objections import operations as ops
from registry.objections.models import Objection
from tests.conftest import count
from tests.factories.disclosures import penalty_data
from tests.factories.objections import PDF, applicant, pdf_upload

S = ApplicationStatus
MONDAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def english(db):
    """Messages in English, as the assertions are (outside a request the default is Chinese)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _uploaded_files(app) -> list[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return sorted(os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names)


def _file(record, **kwargs):
    values = {"target": target_key(record), "applicant": applicant(), "grounds": "认定有误。",
              "uploads": [pdf_upload()]}
    values.update(kwargs)
    return ops.file_objection(**values)


def _officers(make, unit="JJC"):
    return make.user("clerk", unit=unit), make.user("reviewer", unit=unit), make.user("reviewer", unit=unit)


def _decide(make, objection, outcome, **extra):
    clerk, reviewer, _other = _officers(make, unit=objection.unit.code)
    ops.accept(objection, clerk, objection.version)
    ops.prepare_decision(objection, clerk, objection.version, outcome, "经复核，理由如下。", **extra)
    ops.confirm(objection, reviewer, objection.version)
    return reviewer


# ---------------------------------------------------------------------------------------------
# Filing


@pytest.mark.parametrize("status", [EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED])
def test_filing_against_a_public_entry_opens_an_objection_hold(make, db, frozen, status):
    with frozen(MONDAY):
        entry = make.entry(status)
        objection, code = _file(entry)
    assert objection.receipt_number == "YY20260601-0001"
    assert objection.status is S.SUBMITTED and objection.unit_id == entry.unit_id
    assert objection.accept_due == date(2026, 6, 4)  # 3 working days after Monday 1 June
    assert code not in objection.access_code_hash and code_matches(objection, code)
    assert not code_matches(objection, "AAAA-BBBB-CCCC")
    assert open_holds("list_entry", [entry.id])[entry.id] == {HoldKind.OBJECTION}
    assert [f.original_name for f in files_of("objection", objection.id)] == ["evidence.pdf"]
    assert history("objection", objection.id)[0].action == "objection.file"


def test_receipt_numbers_count_per_day(make, db, frozen):
    with frozen(MONDAY):
        first, _ = _file(make.entry("published"))
        second, _ = _file(make.entry("published"))
    with frozen(date(2026, 6, 2)):
        third, _ = _file(make.entry("published"))
    assert [first.receipt_number, second.receipt_number, third.receipt_number] == [
        "YY20260601-0001", "YY20260601-0002", "YY20260602-0001"]


def test_an_objection_to_a_published_disclosure(make, db, frozen):
    with frozen(MONDAY):
        disclosure = make.disclosure("published")
        objection, _ = _file(disclosure)
    assert objection.record_type == "disclosure"
    assert open_holds("disclosure", [disclosure.id])[disclosure.id] == {HoldKind.OBJECTION}


@pytest.mark.parametrize("status", [EntryStatus.DRAFT, EntryStatus.PENDING_REVIEW, EntryStatus.EXPIRED,
                                    EntryStatus.WITHDRAWN, EntryStatus.REMOVED])
def test_no_objection_to_an_entry_the_public_does_not_see(make, db, app, status):
    entry = make.entry(status)
    before = _uploaded_files(app)
    with pytest.raises(ValidationFailed) as refused:
        _file(entry)
    assert refused.value.field == "record"
    assert count(Objection) == 0 and count(ApplicationFile) == 0 and count(RecordHold) == 0
    assert _uploaded_files(app) == before


@pytest.mark.parametrize("status", [DisclosureStatus.DRAFT, DisclosureStatus.EXPIRED, DisclosureStatus.REMOVED])
def test_no_objection_to_a_disclosure_the_public_does_not_see(make, db, status):
    fields = {"removal_reason": DisclosureRemoval.REVOKED} if status is DisclosureStatus.REMOVED else {}
    disclosure = make.disclosure(status, **fields)
    with pytest.raises(ValidationFailed):
        _file(disclosure)
    assert count(Objection) == 0


HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"grounds": "   "}, "grounds", "grounds"),
    ({"applicant": applicant(phone="call me maybe")}, "phone", "digits"),
    ({"applicant": applicant(phone="")}, "phone", "phone"),
    ({"applicant": applicant(identifier="91430100MA00000000")}, "applicant_identifier", ""),
    ({"applicant": applicant(kind="vehicle")}, "applicant_kind", "organisation"),
    ({"applicant": applicant(name="")}, "applicant_name", "name"),
    ({"applicant": applicant(email="not-an-email")}, "email", "email"),
    ({"uploads": [Upload("files", HTML, "decision.pdf")]}, "files", "PDF, JPEG or PNG"),
    ({"uploads": [Upload("files", b"PK\x03\x04zipzip", "evidence.pdf")]}, "files", "PDF, JPEG or PNG"),
    ({"uploads": [Upload("files", PDF + b"PK\x03\x04 data PK\x05\x06" + b"\x00" * 18, "poly.pdf")]}, "files",
     "PDF, JPEG or PNG"),
    ({"uploads": [pdf_upload(name=f"f{i}.pdf") for i in range(6)]}, "files", "At most 5"),
    ({"uploads": [Upload("files", PDF + b"\x00" * (11 * 1024 * 1024), "big.pdf")]}, "files", "10 MB"),
    ({"uploads": [Upload("files", b"", "empty.pdf")]}, "files", "empty"),
    ({"target": "list_entry:999999"}, "record", "record"),
    ({"target": "nonsense"}, "record", "record"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(make, db, app, kwargs, field, words):
    entry = make.entry("published")
    before = _uploaded_files(app)
    with pytest.raises(ValidationFailed) as refused:
        _file(entry, **kwargs)
    assert refused.value.field == field
    assert words.lower() in str(refused.value.message).lower()
    assert count(Objection) == 0 and count(ApplicationFile) == 0 and count(RecordHold) == 0
    assert _uploaded_files(app) == before


def test_a_good_file_is_not_written_when_a_later_one_is_bad(make, db, app):
    before = _uploaded_files(app)
    with pytest.raises(ValidationFailed):
        _file(make.entry("published"), uploads=[pdf_upload(), Upload("files", HTML, "x.pdf")])
    assert _uploaded_files(app) == before


def test_the_stored_file_has_a_random_name_and_the_original_only_as_metadata(make, db, app):
    objection, _ = _file(make.entry("published"), uploads=[pdf_upload(name="../../etc/证据.pdf")])
    (row,) = files_of("objection", objection.id)
    assert row.original_name == "证据.pdf"
    assert row.stored_name.startswith("objections/") and "证据" not in row.stored_name
    assert not row.stored_name.startswith(app.static_folder or "/nonexistent")
    with open(os.path.join(app.config["UPLOAD_FOLDER"], row.stored_name), "rb") as handle:
        assert handle.read() == PDF


# ---------------------------------------------------------------------------------------------
# Handling and decisions


def test_upheld_objection_withdraws_an_entry_in_publicity(make, db):
    entry = make.entry("in_publicity")
    objection, _ = _file(entry)
    reviewer = _decide(make, objection, "upheld")
    assert objection.status is S.DECIDED and objection.reviewed_by_id == reviewer.id
    assert entry.status is EntryStatus.WITHDRAWN
    assert open_holds("list_entry", [entry.id])[entry.id] == set()
    change = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == entry.id)
                                .order_by(ChangeEvent.id.desc())).first()
    assert change.change.value == "withdrawn"


def test_upheld_objection_removes_a_published_entry_as_revoked(make, db):
    entry = make.entry("published")
    objection, _ = _file(entry)
    _decide(make, objection, "upheld")
    assert entry.status is EntryStatus.REMOVED and entry.removal_reason is RemovalReason.REVOKED
    assert objection.receipt_number in history("list_entry", entry.id)[-1].comment


def test_dismissed_objection_releases_the_hold_and_the_entry_is_published_next(make, db, frozen):
    with frozen(MONDAY):
        entry = make.entry("in_publicity")
        objection, _ = _file(entry)
    with frozen(date(2026, 6, 15)):  # publicity ended meanwhile: held
        assert publish_due_entries(date(2026, 6, 15)) == 0
        assert entry.status is EntryStatus.IN_PUBLICITY
        _decide(make, objection, "dismissed")
        assert entry.status is EntryStatus.IN_PUBLICITY
        assert publish_due_entries(date(2026, 6, 15)) == 1
    db.session.refresh(entry)
    assert entry.status is EntryStatus.PUBLISHED


def test_upheld_objection_to_a_disclosure_publishes_the_prepared_correction(make, db):
    disclosure = make.disclosure("published")
    objection, _ = _file(disclosure)
    clerk, reviewer, _other = _officers(make)
    correction = start_correction(disclosure, penalty_data(party_identifier=disclosure.party_identifier,
                                                           decision_number=disclosure.decision_number,
                                                           penalty_content="罚款人民币三千元"), actor=clerk)
    submit_disclosure(correction, actor=clerk, expected_version=correction.version)
    ops.accept(objection, clerk, objection.version)
    assert [d.id for d in ops.pending_corrections(objection)] == [correction.id]
    with pytest.raises(ValidationFailed) as refused:
        ops.prepare_decision(objection, clerk, objection.version, "upheld", "更正。", disclosure_effect="correct")
    assert refused.value.field == "correction_id"
    ops.prepare_decision(objection, clerk, objection.version, "upheld", "更正。", disclosure_effect="correct",
                         correction_id=correction.id)
    ops.confirm(objection, reviewer, objection.version)
    assert correction.status is DisclosureStatus.PUBLISHED
    assert disclosure.status is DisclosureStatus.CORRECTED and disclosure.superseded_by_id == correction.id


def test_upheld_objection_can_take_a_disclosure_out_of_public_view(make, db):
    disclosure = make.disclosure("published")
    objection, _ = _file(disclosure)
    with pytest.raises(ValidationFailed) as refused:
        _decide(make, objection, "upheld")
    assert refused.value.field == "disclosure_effect"
    db.session.refresh(objection)
    reviewer = make.user("reviewer")
    ops.prepare_decision(objection, make.user("clerk"), objection.version, "upheld", "撤销。",
                         disclosure_effect="remove")
    ops.confirm(objection, reviewer, objection.version)
    assert disclosure.status is DisclosureStatus.REMOVED and disclosure.removal_reason is DisclosureRemoval.REVOKED


def test_dismissed_objection_leaves_the_disclosure_public(make, db):
    disclosure = make.disclosure("published")
    objection, _ = _file(disclosure)
    _decide(make, objection, "dismissed")
    assert disclosure.status is DisclosureStatus.PUBLISHED
    assert open_holds("disclosure", [disclosure.id])[disclosure.id] == set()


def _queue():
    from registry.core.workflow import QUEUE_SOURCES

    return QUEUE_SOURCES["objection"]


def test_reject_as_inadmissible_needs_reasons_and_a_reviewer_then_closes_the_hold(make, db, app):
    entry = make.entry("published")
    objection, _ = _file(entry)
    clerk, reviewer, _other = _officers(make)
    with pytest.raises(ValidationFailed) as refused:
        ops.reject(objection, clerk, objection.version, " ")
    assert refused.value.field == "reason"
    ops.reject(objection, clerk, objection.version, "申请人与该记录无关。")
    # Prepared only (PRODUCT §6 four-eyes): still open, the hold stays, the reviewer's queue has it
    assert objection.status is S.SUBMITTED and objection.rejection_prepared and objection.decided_on is None
    assert objection.prepared_by_id == clerk.id
    assert open_holds("list_entry", [entry.id])[entry.id] == {HoldKind.OBJECTION}
    with app.test_request_context():
        (item,) = _queue().pending(entry.unit_id)
    assert item.id == objection.id and item.outcome == "Rejected as inadmissible"
    assert item.submitted_by_id == clerk.id and item.deadline == objection.accept_due
    _queue().approve(objection.id, reviewer, objection.version)
    assert objection.status is S.INADMISSIBLE and objection.decided_on is not None
    assert objection.reviewed_by_id == reviewer.id and not objection.rejection_prepared
    assert open_holds("list_entry", [entry.id])[entry.id] == set()
    assert entry.status is EntryStatus.PUBLISHED
    assert [e.action for e in history("objection", objection.id)][-2:] == ["objection.prepare_reject",
                                                                          "objection.reject"]


@pytest.mark.parametrize("from_state", [S.SUBMITTED, S.MATERIAL_REQUESTED])
def test_the_preparer_cannot_confirm_their_own_rejection(make, db, from_state):
    objection, _ = _file(make.entry("published"))
    reviewer = make.user("reviewer")
    if from_state is S.MATERIAL_REQUESTED:
        ops.request_material(objection, reviewer, objection.version, "请补充证明材料。")
    ops.reject(objection, reviewer, objection.version, "不属于本单位受理范围。")
    with pytest.raises(PermissionDenied) as refused:
        ops.confirm_rejection(objection, reviewer, objection.version)
    assert "four-eyes" in str(refused.value.message)
    with pytest.raises(PermissionDenied):  # a clerk never confirms
        ops.confirm_rejection(objection, make.user("clerk"), objection.version)
    assert objection.status is from_state and objection.rejection_prepared


def test_the_database_refuses_a_rejection_confirmed_by_its_preparer(make, db):
    import sqlalchemy.exc

    objection, _ = _file(make.entry("published"))
    clerk = make.user("clerk")
    ops.reject(objection, clerk, objection.version, "不属于本单位受理范围。")
    with pytest.raises(sqlalchemy.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(Objection).where(Objection.id == objection.id).values(
            status=S.INADMISSIBLE, reviewed_by_id=clerk.id, decided_on=objection.filed_on))


def test_a_returned_rejection_is_cleared_and_the_objection_can_be_accepted(make, db, app):
    entry = make.entry("published")
    objection, _ = _file(entry)
    clerk, reviewer, _other = _officers(make)
    ops.reject(objection, clerk, objection.version, "不属于本单位受理范围。")
    for refused_step in (lambda: ops.accept(objection, clerk, objection.version),
                         lambda: ops.request_material(objection, clerk, objection.version, "补充材料"),
                         lambda: ops.reject(objection, clerk, objection.version, "再次驳回")):
        with pytest.raises(InvalidTransition):
            refused_step()
    with pytest.raises(ValidationFailed):
        _queue().return_(objection.id, reviewer, objection.version, " ")
    _queue().return_(objection.id, reviewer, objection.version, "该记录由本单位认定，应予受理。")
    assert objection.status is S.SUBMITTED and not objection.rejection_prepared
    assert objection.prepared_by_id is None and objection.review_comment == "该记录由本单位认定，应予受理。"
    with app.test_request_context():
        assert _queue().pending(entry.unit_id) == []
    with pytest.raises(InvalidTransition):
        ops.confirm_rejection(objection, reviewer, objection.version)
    ops.accept(objection, clerk, objection.version)
    assert objection.status is S.ACCEPTED


def test_material_sent_after_a_rejection_was_prepared_withdraws_it(make, db):
    objection, _ = _file(make.entry("published"))
    clerk = make.user("clerk")
    ops.request_material(objection, clerk, objection.version, "请补充证明材料。")
    ops.reject(objection, clerk, objection.version, "逾期未补充材料。")
    ops.add_material(objection, [pdf_upload(name="补充.pdf")])
    assert objection.status is S.SUBMITTED and not objection.rejection_prepared
    assert objection.inadmissible_reason is None and objection.prepared_by_id is None
    assert history("objection", objection.id)[-1].details_dict["prepared_rejection_withdrawn"] is True


def test_material_request_then_the_applicant_adds_files_and_acceptance_is_due_again(make, db, frozen):
    with frozen(MONDAY):
        objection, _ = _file(make.entry("published"))
        ops.request_material(objection, make.user("clerk"), objection.version, "请补充处罚撤销决定书。")
    assert objection.status is S.MATERIAL_REQUESTED and objection.due is None
    with pytest.raises(ValidationFailed):
        ops.add_material(objection, [])
    with frozen(date(2026, 6, 8)):
        ops.add_material(objection, [pdf_upload(name="撤销决定.pdf")], "已补充")
    assert objection.status is S.SUBMITTED and objection.accept_due == date(2026, 6, 11)
    assert len(files_of("objection", objection.id)) == 2
    assert history("objection", objection.id)[-1].actor_label == "applicant"


def test_material_can_only_be_added_when_asked_for(make, db):
    objection, _ = _file(make.entry("published"))
    with pytest.raises(ValidationFailed):
        ops.add_material(objection, [pdf_upload()])


# ---------------------------------------------------------------------------------------------
# Who may act: the unit's officers; four-eyes on decisions


def test_preparer_cannot_confirm_their_own_decision(make, db):
    objection, _ = _file(make.entry("published"))
    reviewer = make.user("reviewer")
    ops.accept(objection, reviewer, objection.version)
    ops.prepare_decision(objection, reviewer, objection.version, "dismissed", "理由。")
    with pytest.raises(PermissionDenied) as refused:
        ops.confirm(objection, reviewer, objection.version)
    assert "four-eyes" in str(refused.value.message)
    assert objection.status is S.PENDING_REVIEW


def test_a_clerk_cannot_confirm(make, db):
    objection, _ = _file(make.entry("published"))
    ops.accept(objection, make.user("clerk"), objection.version)
    ops.prepare_decision(objection, make.user("clerk"), objection.version, "dismissed", "理由。")
    with pytest.raises(PermissionDenied):
        ops.confirm(objection, make.user("clerk"), objection.version)


def test_officers_of_another_unit_cannot_handle_or_confirm(make, db):
    objection, _ = _file(make.entry("published"))
    foreign = make.user("reviewer", unit="CS")
    with pytest.raises(PermissionDenied):
        ops.accept(objection, foreign, objection.version)
    ops.accept(objection, make.user("clerk"), objection.version)
    ops.prepare_decision(objection, make.user("clerk"), objection.version, "dismissed", "理由。")
    with pytest.raises(PermissionDenied):
        ops.confirm(objection, foreign, objection.version)


def test_the_database_refuses_a_reviewer_who_prepared_the_decision(make, db):
    objection, _ = _file(make.entry("published"))
    reviewer = make.user("reviewer")
    objection.prepared_by_id = reviewer.id
    objection.reviewed_by_id = reviewer.id
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_returned_decision_goes_back_for_a_new_one(make, db):
    objection, _ = _file(make.entry("published"))
    clerk, reviewer, _other = _officers(make)
    ops.accept(objection, clerk, objection.version)
    ops.prepare_decision(objection, clerk, objection.version, "dismissed", "理由。")
    with pytest.raises(ValidationFailed):
        ops.return_decision(objection, reviewer, objection.version, "")
    ops.return_decision(objection, reviewer, objection.version, "理由不充分。")
    assert objection.status is S.ACCEPTED and objection.review_comment == "理由不充分。"
    ops.prepare_decision(objection, clerk, objection.version, "upheld", "成立。")
    ops.confirm(objection, reviewer, objection.version)
    assert objection.outcome.value == "upheld"


def test_steps_out_of_order_and_stale_versions_are_refused(make, db):
    objection, _ = _file(make.entry("published"))
    clerk = make.user("clerk")
    with pytest.raises(InvalidTransition):
        ops.prepare_decision(objection, clerk, objection.version, "upheld", "理由。")
    with pytest.raises(StaleRecord):
        ops.accept(objection, clerk, objection.version + 1)
    ops.accept(objection, clerk, objection.version)
    with pytest.raises(InvalidTransition):
        ops.accept(objection, clerk, objection.version)
    with pytest.raises(ValidationFailed) as refused:
        ops.prepare_decision(objection, clerk, objection.version, "maybe", "理由。")
    assert refused.value.field == "outcome"


# ---------------------------------------------------------------------------------------------
# Deadlines and figures


def test_deadlines_for_alerts_and_on_time_figures(make, db, frozen):
    with frozen(MONDAY):
        late, _ = _file(make.entry("published"))
        fresh, _ = _file(make.entry("published"))
        clerk, reviewer, _other = _officers(make)
    with frozen(date(2026, 6, 3)):
        assert {o.id for o in db.session.scalars(ops.due_soon(date(2026, 6, 3), 2))} == {late.id, fresh.id}
        ops.accept(fresh, clerk, fresh.version)  # decide by 17 June (10 working days; 19 June is a holiday)
    assert fresh.decide_due == date(2026, 6, 17)
    assert {o.id for o in db.session.scalars(ops.overdue(date(2026, 6, 5)))} == {late.id}
    with frozen(date(2026, 6, 8)):
        ops.accept(late, clerk, late.version)
        for objection in (late, fresh):
            ops.prepare_decision(objection, clerk, objection.version, "dismissed", "理由。")
            ops.confirm(objection, reviewer, objection.version)
    figures = ops.handled_on_time(clerk.unit_id, 2026, 6)
    assert (figures.handled, figures.on_time, figures.late) == (2, 1, 1)
    assert ops.handled_on_time(clerk.unit_id, 2026, 7).rate is None


def test_failed_lookups_slow_down_the_client_with_growing_waits_and_never_the_receipt(make, db):
    """20 wrong codes are free; then the client waits 1, 2, 4 ... minutes, at most an hour,
    counted from its latest failure.  Another client is not held up, whatever receipt it asks for."""
    from datetime import UTC, datetime, timedelta

    from registry.applications import models as common
    from registry.core import clock

    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with clock.frozen_at(start):
        for _ in range(20):
            assert common.lookup_wait("10.0.0.1") == timedelta(0)
            common.record_lookup_failure("10.0.0.1")
        waits = []
        for _ in range(8):
            waits.append(common.lookup_wait("10.0.0.1"))
            common.record_lookup_failure("10.0.0.1")
        assert common.lookup_wait("10.0.0.2") == timedelta(0)
    assert waits == [timedelta(minutes=n) for n in (1, 2, 4, 8, 16, 32, 60, 60)]
    with clock.frozen_at(start + timedelta(minutes=59)):
        assert common.lookup_wait("10.0.0.1") == timedelta(minutes=1)
    with clock.frozen_at(start + timedelta(hours=1)):
        assert common.lookup_wait("10.0.0.1") == timedelta(0)
    with clock.frozen_at(start + timedelta(hours=24, seconds=1)):  # forgotten after a day
        common.record_lookup_failure("10.0.0.1")
        assert common.lookup_wait("10.0.0.1") == timedelta(0)
