"""The disclosure workflow: every transition, every refusal, four-eyes, the queue, the change feed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from registry.core.audit import history
from registry.core.changes import ChangeEvent, ChangeKind
from registry.core.errors import InvalidTransition, NotFound, PermissionDenied, StaleRecord, ValidationFailed
from registry.core.workflow import QUEUE_SOURCES
from registry.disclosures import operations as ops
from registry.disclosures.checks import disclosure_visibility
from registry.disclosures.models import Disclosure, DisclosureStatus, RemovalReason, Severity
from registry.subjects.models import Subject
from tests.conftest import count
from tests.factories.core import valid_resident_id
from tests.factories.disclosures import licence_data, penalty_data

S = DisclosureStatus
TODAY = date(2026, 10, 9)


@pytest.fixture
def officers(make):
    return {"clerk": make.user("clerk"), "reviewer": make.user("reviewer"), "other": make.user("reviewer"),
            "foreign": make.user("reviewer", unit="YSC"), "admin": make.user("admin", unit="FGC"),
            "auditor": make.user("auditor", unit="XXZX")}



def feed(db, record_id):
    return list(db.session.scalars(sa.select(ChangeEvent).where(
        ChangeEvent.record_type == "disclosure", ChangeEvent.record_id == record_id).order_by(ChangeEvent.id)))


def create(officers, frozen, **fields):
    with frozen(TODAY):
        return ops.create_disclosure(penalty_data(decision_date=date(2026, 9, 30), **fields),
                                     unit_id=officers["clerk"].unit_id, actor=officers["clerk"])


def test_create_links_subject_stores_deadline_and_audits(db, officers, frozen):
    d = create(officers, frozen)
    assert d.status is S.DRAFT and d.publication_deadline == date(2026, 10, 15)
    assert d.subject.identifier == d.party_identifier
    assert [e.action for e in history("disclosure", d.id)] == ["disclosure.create"]


def test_create_uses_existing_subject_and_normalises_identifier(db, make, officers, frozen):
    person = make.subject("person", identifier=valid_resident_id(), name="王五")
    spaced = f"{person.identifier[:6]} {person.identifier[6:14]} {person.identifier[14:].lower()}"
    d = create(officers, frozen, party_category="person", party_identifier=spaced, party_name="王五",
               legal_representative=None)
    assert d.subject_id == person.id and d.party_identifier == person.identifier


def test_full_path_to_publication_on_time(db, officers, frozen):
    d = create(officers, frozen)
    with frozen(TODAY):
        ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
        assert d.status is S.PENDING_REVIEW and d.submitted_by_id == officers["clerk"].id
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    assert d.status is S.PUBLISHED and d.published_on == TODAY and d.published_on_time is True
    events = feed(db, d.id)
    assert [e.change for e in events] == [ChangeKind.PUBLISHED]
    assert events[0].payload_dict["decision_number"] == d.decision_number
    assert [e.action for e in history("disclosure", d.id)] == [
        "disclosure.create", "disclosure.submit", "disclosure.approve"]


def test_published_late_is_marked(db, officers, frozen):
    d = create(officers, frozen)
    with frozen(date(2026, 10, 16)):
        ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    assert d.published_on_time is False


def test_minor_penalty_is_verified_but_never_published(db, officers, frozen):
    d = create(officers, frozen, severity=Severity.MINOR, penalty_type="warning", fine_amount=None)
    assert d.publication_deadline is None
    with frozen(TODAY):
        ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    assert d.status is S.NOT_PUBLIC and d.published_on is None
    assert feed(db, d.id) == []


def test_person_id_is_masked_in_the_feed(db, officers, frozen):
    number = valid_resident_id()
    d = create(officers, frozen, party_category="person", party_identifier=number, party_name="王五",
               legal_representative=None)
    with frozen(TODAY):
        ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    payload = feed(db, d.id)[0].payload
    assert number not in payload and f"{number[:6]}********{number[-4:]}" in payload


def test_return_needs_a_comment_and_goes_back_to_draft(db, officers, frozen):
    d = create(officers, frozen)
    ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
    with pytest.raises(ValidationFailed) as refused:
        ops.return_disclosure(d, actor=officers["reviewer"], expected_version=d.version, comment="  ")
    assert refused.value.field == "comment"
    ops.return_disclosure(d, actor=officers["reviewer"], expected_version=d.version, comment="文号有误")
    assert d.status is S.DRAFT and d.review_comment == "文号有误"
    assert history("disclosure", d.id)[-1].comment == "文号有误"


def test_reviewer_who_returned_may_edit_and_resubmit_then_another_decides(db, officers, frozen):
    d = create(officers, frozen)
    ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
    ops.return_disclosure(d, actor=officers["reviewer"], expected_version=d.version, comment="补充")
    ops.submit_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    with pytest.raises(PermissionDenied):
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    with frozen(TODAY):
        ops.approve_disclosure(d, actor=officers["other"], expected_version=d.version)
    assert d.status is S.PUBLISHED


@pytest.mark.parametrize("who", ["clerk", "foreign", "admin", "auditor"])
def test_only_a_reviewer_of_the_unit_decides(db, officers, frozen, who):
    d = create(officers, frozen)
    ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
    with pytest.raises(PermissionDenied):
        ops.approve_disclosure(d, actor=officers[who], expected_version=d.version)
    with pytest.raises(PermissionDenied):
        ops.return_disclosure(d, actor=officers[who], expected_version=d.version, comment="x")
    assert d.status is S.PENDING_REVIEW


def test_creator_cannot_approve_even_as_reviewer(db, officers, frozen):
    with frozen(TODAY):
        d = ops.create_disclosure(penalty_data(), unit_id=officers["reviewer"].unit_id, actor=officers["reviewer"])
    ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
    with pytest.raises(PermissionDenied):
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)


@pytest.mark.parametrize("who", ["foreign", "admin", "auditor"])
def test_only_the_units_officers_create_edit_submit(db, officers, frozen, who):
    with pytest.raises(PermissionDenied):
        ops.create_disclosure(penalty_data(), unit_id=officers["clerk"].unit_id, actor=officers[who])
    d = create(officers, frozen)
    with pytest.raises(PermissionDenied):
        ops.update_disclosure(d, penalty_data(), actor=officers[who], expected_version=d.version)
    with pytest.raises(PermissionDenied):
        ops.submit_disclosure(d, actor=officers[who], expected_version=d.version)


@pytest.mark.parametrize("status", [S.PENDING_REVIEW, S.PUBLISHED, S.NOT_PUBLIC, S.EXPIRED])
def test_only_drafts_are_edited_or_submitted(db, make, officers, status):
    extra = {"severity": Severity.MINOR, "publication_deadline": None, "penalty_type": "warning",
             "fine_amount": None} if status is S.NOT_PUBLIC else {}
    d = make.disclosure(status, created_by=officers["clerk"], **extra)
    with pytest.raises(InvalidTransition):
        ops.update_disclosure(d, penalty_data(decision_number=d.decision_number), actor=officers["clerk"],
                              expected_version=d.version)
    with pytest.raises(InvalidTransition):
        ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)


@pytest.mark.parametrize("status", [S.DRAFT, S.PUBLISHED, S.EXPIRED])
def test_only_pending_items_are_approved_or_returned(db, make, officers, status):
    d = make.disclosure(status, created_by=officers["clerk"])
    with pytest.raises(InvalidTransition):
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    with pytest.raises(InvalidTransition):
        ops.return_disclosure(d, actor=officers["reviewer"], expected_version=d.version, comment="x")


def test_stale_version_is_refused(db, officers, frozen):
    d = create(officers, frozen)
    ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
    with pytest.raises(StaleRecord):
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version - 1)


def test_update_recomputes_the_deadline_and_keeps_number_unique(db, officers, frozen):
    d = create(officers, frozen)
    other = create(officers, frozen)
    with frozen(TODAY):
        ops.update_disclosure(d, penalty_data(decision_number=d.decision_number, decision_date=date(2026, 9, 25),
                                              party_identifier=d.party_identifier),
                              actor=officers["clerk"], expected_version=d.version)
        assert d.publication_deadline == date(2026, 10, 12)
        with pytest.raises(ValidationFailed) as refused:
            ops.update_disclosure(d, penalty_data(decision_number=other.decision_number), actor=officers["clerk"],
                                  expected_version=d.version)
    assert refused.value.field == "decision_number"
    assert history("disclosure", d.id)[-1].details_dict["changed"] == ["decision_date", "publication_deadline"]


BAD_INPUT = [
    ({"decision_date": date(2026, 10, 10)}, "decision_date"),  # the future
    ({"decision_date": date(1999, 12, 31)}, "decision_date"),
    ({"fine_amount": Decimal("-0.1")}, "fine_amount"),
    ({"penalty_type": "fine", "fine_amount": None}, "fine_amount"),
    ({"party_identifier": "91430100MA0000001A"}, "party_identifier"),
    ({"authority_uscc": "123"}, "authority_uscc"),
    ({"penalty_type": "flogging"}, "penalty_type"),
    ({"severity": "unknown"}, "severity"),
    ({"licence_valid_from": date(2026, 1, 1)}, "licence_valid_from"),
    ({"violation_facts": None}, "violation_facts"),
    ({"legal_representative": None}, "legal_representative"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_INPUT)
def test_bad_penalty_input_is_refused_naming_the_field(db, officers, frozen, fields, field):
    before = count(Disclosure)
    with pytest.raises(ValidationFailed) as refused, frozen(TODAY):
        ops.create_disclosure(penalty_data(**fields), unit_id=officers["clerk"].unit_id, actor=officers["clerk"])
    assert refused.value.field == field
    assert count(Disclosure) == before


@pytest.mark.parametrize(("fields", "field"), [
    ({"fine_amount": Decimal("1")}, "fine_amount"),
    ({"licence_valid_to": date(2025, 1, 1)}, "licence_valid_to"),
    ({"severity": Severity.GENERAL}, "severity"),
    ({"licence_content": None}, "licence_content"),
])
def test_bad_licence_input_is_refused_naming_the_field(db, officers, frozen, fields, field):
    with pytest.raises(ValidationFailed) as refused, frozen(TODAY):
        ops.create_disclosure(licence_data(**fields), unit_id=officers["clerk"].unit_id, actor=officers["clerk"])
    assert refused.value.field == field


def test_duplicate_decision_number_in_unit_refused_other_unit_allowed(db, make, officers, frozen):
    first = create(officers, frozen)
    with pytest.raises(ValidationFailed) as refused:
        create(officers, frozen, decision_number=first.decision_number)
    assert refused.value.field == "decision_number"
    ysc_clerk = make.user("clerk", unit="YSC")
    with frozen(TODAY):
        ops.create_disclosure(penalty_data(decision_number=first.decision_number), unit_id=ysc_clerk.unit_id,
                              actor=ysc_clerk)


def _published(officers, frozen, **fields):
    d = create(officers, frozen, **fields)
    with frozen(TODAY):
        ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
        ops.approve_disclosure(d, actor=officers["reviewer"], expected_version=d.version)
    return d


def test_correction_replaces_the_published_version_on_approval(db, officers, frozen):
    original = _published(officers, frozen)
    with frozen(TODAY):
        fix = ops.start_correction(original, penalty_data(decision_number=original.decision_number,
                                                          decision_date=date(2026, 9, 30),
                                                          fine_amount=Decimal("0.3")), actor=officers["clerk"])
        with pytest.raises(ValidationFailed):
            ops.start_correction(original, penalty_data(decision_number=original.decision_number),
                                 actor=officers["clerk"])
        assert original.status is S.PUBLISHED  # still public until the correction is approved
        ops.submit_disclosure(fix, actor=officers["clerk"], expected_version=fix.version)
        ops.approve_disclosure(fix, actor=officers["reviewer"], expected_version=fix.version)
    db.session.refresh(original)
    assert original.status is S.CORRECTED and original.superseded_by_id == fix.id
    assert fix.status is S.PUBLISHED and fix.corrects_id == original.id
    corrected = feed(db, original.id)[-1]
    assert corrected.change is ChangeKind.CORRECTED and corrected.payload_dict["superseded_by_id"] == fix.id
    assert feed(db, fix.id)[-1].payload_dict["fine_amount"] == "0.3"


@pytest.mark.parametrize("status", [S.DRAFT, S.PENDING_REVIEW, S.EXPIRED])
def test_only_published_disclosures_are_corrected(db, make, officers, status):
    d = make.disclosure(status, created_by=officers["clerk"])
    with pytest.raises(ValidationFailed):
        ops.start_correction(d, penalty_data(decision_number=d.decision_number), actor=officers["clerk"])


@pytest.mark.parametrize("reason", list(RemovalReason))
def test_end_public_view(db, officers, frozen, reason):
    d = _published(officers, frozen)
    ops.end_public_view(d, reason, officers["reviewer"], comment="修复决定书 2026-1")
    assert d.status is S.REMOVED and d.removal_reason is reason and d.ended_at is not None
    last = feed(db, d.id)[-1]
    assert last.change is ChangeKind.REMOVED and last.reason == reason.value
    assert history("disclosure", d.id)[-1].action == "disclosure.remove"
    with pytest.raises(InvalidTransition):
        ops.end_public_view(d, reason, officers["reviewer"])


def test_visibility_check_expires_once_with_feed_rows(db, make):
    general = make.disclosure(S.PUBLISHED, decision_date=date(2025, 1, 10))  # last day 2026-01-10
    serious = make.disclosure(S.PUBLISHED, decision_date=date(2025, 1, 10), severity=Severity.SERIOUS)
    licence = make.disclosure(S.PUBLISHED, kind="licence", decision_date=date(2025, 1, 10),
                              licence_valid_from=date(2025, 1, 10), licence_valid_to=date(2026, 1, 10))
    assert disclosure_visibility(date(2026, 1, 10)) == {"expired": 0}
    assert disclosure_visibility(date(2026, 1, 11)) == {"expired": 2}
    assert disclosure_visibility(date(2026, 1, 11)) == {"expired": 0}
    for row in (general, licence):
        db.session.refresh(row)
        assert row.status is S.EXPIRED
        assert [e.change for e in feed(db, row.id)] == [ChangeKind.EXPIRED]
        assert history("disclosure", row.id)[-1].action == "disclosure.expire"
    db.session.refresh(serious)
    assert serious.status is S.PUBLISHED


def test_review_queue_lists_pending_with_deadline_and_acts(db, officers, frozen):
    source = QUEUE_SOURCES["disclosure"]
    d = create(officers, frozen)
    assert source.pending(officers["clerk"].unit_id) == []
    ops.submit_disclosure(d, actor=officers["clerk"], expected_version=d.version)
    items = source.pending(officers["clerk"].unit_id)
    assert [(i.id, i.deadline) for i in items] == [(d.id, date(2026, 10, 15))]
    assert source.pending(officers["foreign"].unit_id) == []
    with pytest.raises(NotFound):
        source.approve(d.id, officers["foreign"], d.version)
    with frozen(TODAY):
        source.approve(d.id, officers["reviewer"], d.version)
    assert d.status is S.PUBLISHED


def test_same_party_shares_one_subject(db, officers, frozen):
    d1 = create(officers, frozen)
    create(officers, frozen, party_identifier=d1.party_identifier)
    assert count(Subject, Subject.identifier == d1.party_identifier) == 1
