"""Cases at the operation level: the rules of a case's content, the review, the typical mark."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from registry.cases import operations as ops
from registry.cases.models import Case, CaseStatus
from registry.core.audit import history
from registry.core.changes import ChangeEvent, ChangeKind
from registry.core.errors import InvalidTransition, PermissionDenied, StaleRecord, ValidationFailed
from registry.listing.models import EntryStatus, RemovalReason
from tests.conftest import count

TODAY = date(2026, 5, 20)


@pytest.fixture(autouse=True)
def english_and_frozen(db, frozen):
    """Refusal messages in English (the tests match their words), on a fixed day."""
    with force_locale("en"), frozen(TODAY):
        yield


def _fields(entry, make, **overrides):
    values = {
        "entry_ref": entry.decision_number,
        "measure_ids": [make.measure("HB-01").id],
        "applying_party": "基建处",
        "case_date": TODAY - timedelta(days=2),
        "matter": "某高速公路施工招标资格审查",
        "effect": "否决其投标资格。",
    }
    values.update(overrides)
    return values


@pytest.fixture
def entry(make):
    return make.published_entry(valid_from=date(2026, 3, 1))


def _refused(make, entry, field, words, **overrides):
    clerk = make.user("clerk")
    with pytest.raises(ValidationFailed) as error:
        ops.create_case(actor=clerk, **_fields(entry, make, **overrides))
    assert error.value.field == field
    assert words in str(error.value.message)
    assert count(Case) == 0


# ---------------------------------------------------------------------------------------------
# Drafts and the rules


def test_create_case_stores_a_draft_with_an_audit_event(make, entry):
    clerk = make.user("clerk")
    case = ops.create_case(actor=clerk, **_fields(entry, make))
    assert case.status is CaseStatus.DRAFT and case.version == 1
    assert case.entry_id == entry.id and case.unit_id == clerk.unit_id
    assert [m.code for m in case.measures] == ["HB-01"]
    assert [e.action for e in history("case", case.id)] == ["case.create"]


def test_the_entry_may_be_named_by_its_number(make, entry):
    case = ops.create_case(actor=make.user("clerk"), **_fields(entry, make, entry_ref=f"#{entry.id}"))
    assert case.entry_id == entry.id


@pytest.mark.parametrize(
    "status", [EntryStatus.DRAFT, EntryStatus.PENDING_REVIEW, EntryStatus.IN_PUBLICITY, EntryStatus.WITHDRAWN]
)
def test_a_case_on_an_entry_never_published_is_refused(make, status):
    entry = make.entry(status)
    _refused(make, entry, "entry_ref", "is not published")


def test_a_case_after_the_entry_expired_is_refused(make):
    entry = make.entry(EntryStatus.EXPIRED, valid_until=TODAY - timedelta(days=10))
    _refused(make, entry, "case_date", "expired on", case_date=TODAY - timedelta(days=9))


def test_a_case_while_the_entry_was_still_valid_is_accepted_after_it_expired(make):
    entry = make.entry(EntryStatus.EXPIRED, valid_until=TODAY - timedelta(days=10))
    case = ops.create_case(actor=make.user("clerk"), **_fields(entry, make, case_date=TODAY - timedelta(days=10)))
    assert case.case_date == entry.valid_until


def test_a_case_on_or_after_the_removal_date_is_refused(make):
    entry = make.entry(
        EntryStatus.REMOVED, removal_reason=RemovalReason.REPAIRED, removal_date=TODAY - timedelta(days=3)
    )
    _refused(make, entry, "case_date", "was removed from the list", case_date=TODAY - timedelta(days=3))


def test_a_case_date_before_the_entry_was_published_is_refused(make, entry):
    _refused(make, entry, "case_date", "before the entry was published (2026-03-01)", case_date=date(2026, 2, 28))


def test_a_case_date_in_the_future_is_refused(make, entry):
    _refused(make, entry, "case_date", "cannot be in the future", case_date=TODAY + timedelta(days=1))


def test_a_case_on_the_publication_day_and_today_is_accepted(make, entry):
    clerk = make.user("clerk")
    for day in (date(2026, 3, 1), TODAY):
        assert ops.create_case(actor=clerk, **_fields(entry, make, case_date=day)).case_date == day


def test_a_measure_of_the_other_list_is_refused(make, entry):
    _refused(make, entry, "measure_ids", "HH-01 belongs to the other list", measure_ids=[make.measure("HH-01").id])


def test_a_measure_the_object_list_does_not_apply_to_the_category_is_refused(make, entry):
    # HB-02 (water transport bidding) is a black-list measure, but not for 公路建设市场严重失信.
    _refused(make, entry, "measure_ids", "HB-02 does not apply to the category", measure_ids=[make.measure("HB-02").id])


def test_an_inactive_or_unknown_measure_is_refused(make, entry):
    make.measure("HB-04").is_active = False
    _refused(make, entry, "measure_ids", "Unknown measure", measure_ids=[make.measure("HB-04").id])
    _refused(make, entry, "measure_ids", "Unknown measure", measure_ids=[999999])
    _refused(make, entry, "measure_ids", "Unknown measure", measure_ids=["abc"])


def test_no_measure_is_refused(make, entry):
    _refused(make, entry, "measure_ids", "at least one measure", measure_ids=[])


@pytest.mark.parametrize("effect", ["", "   ", None])
def test_an_empty_effect_is_refused(make, entry, effect):
    _refused(make, entry, "effect", "Enter the effect", effect=effect)


def test_an_overlong_matter_is_refused(make, entry):
    _refused(make, entry, "matter", "at most 1000 characters", matter="事" * 1001)


def test_an_unknown_entry_is_refused(make, entry):
    _refused(make, entry, "entry_ref", "No list entry has the decision document number", entry_ref="无此文号")


def test_only_unit_officers_record_cases(make, entry):
    for role in ("admin", "auditor"):
        with pytest.raises(PermissionDenied):
            ops.create_case(actor=make.user(role, unit="FGC"), **_fields(entry, make))
    assert count(Case) == 0


def test_update_draft_checks_the_rules_and_records_what_changed(make, entry):
    clerk = make.user("clerk")
    case = ops.create_case(actor=clerk, **_fields(entry, make))
    with pytest.raises(ValidationFailed):
        ops.update_draft(case, actor=clerk, expected_version=case.version, **_fields(entry, make, effect=" "))
    ops.update_draft(case, actor=clerk, expected_version=1,
                     **_fields(entry, make, effect="已否决投标。", measure_ids=[make.measure("HB-04").id]))
    assert case.effect == "已否决投标。" and [m.code for m in case.measures] == ["HB-04"]
    assert history("case", case.id)[-1].details_dict["changed"] == ["effect", "measures"]
    with pytest.raises(StaleRecord):
        ops.update_draft(case, actor=clerk, expected_version=1, **_fields(entry, make))


# ---------------------------------------------------------------------------------------------
# Review and publication


def test_submit_approve_publishes_with_a_public_change(make, entry):
    clerk, reviewer = make.user("clerk"), make.user("reviewer")
    case = ops.create_case(actor=clerk, **_fields(entry, make))
    ops.submit_case(case, clerk, case.version)
    assert case.status is CaseStatus.PENDING_REVIEW
    ops.approve_case(case, reviewer, case.version, "核实无误")
    assert case.status is CaseStatus.PUBLISHED and case.reviewed_by_id == reviewer.id
    change = ChangeEvent.query.filter_by(record_type="case", record_id=case.id).one()
    assert change.change is ChangeKind.PUBLISHED and change.subject_id == entry.subject_id
    assert change.payload_dict["effect"] == "否决其投标资格。"
    assert change.payload_dict["measures"] == [{"code": "HB-01", "description": "限制参与公路建设项目招投标"}]
    assert [e.action for e in history("case", case.id)] == ["case.create", "case.submit", "case.approve"]


def test_the_public_payload_masks_a_person_id(make):
    person = make.subject("person", name="张三")
    entry = make.published_entry(valid_from=date(2026, 3, 1), subject=person)
    case = make.case("pending_review", entry=entry)
    ops.approve_case(case, make.user("reviewer"), case.version)
    payload = ChangeEvent.query.filter_by(record_type="case", record_id=case.id).one().payload
    assert person.identifier not in payload
    assert person.public_identifier in payload and "*" in person.public_identifier


def test_four_eyes_the_submitter_cannot_approve(make, entry):
    reviewer = make.user("reviewer")
    case = ops.create_case(actor=reviewer, **_fields(entry, make))
    ops.submit_case(case, reviewer, case.version)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        ops.approve_case(case, reviewer, case.version)
    assert case.status is CaseStatus.PENDING_REVIEW


@pytest.mark.parametrize("role,unit", [("clerk", "JJC"), ("reviewer", "CS"), ("admin", "FGC"), ("auditor", "XXZX")])
def test_only_a_reviewer_of_the_unit_decides(make, role, unit):
    case = make.case("pending_review")
    with pytest.raises(PermissionDenied):
        ops.approve_case(case, make.user(role, unit=unit), case.version)
    with pytest.raises(PermissionDenied):
        ops.return_case(case, make.user(role, unit=unit), case.version, "补充成效")
    assert case.status is CaseStatus.PENDING_REVIEW and count(ChangeEvent, ChangeEvent.record_type == "case") == 0


def test_return_needs_a_comment_and_keeps_it(make):
    case, reviewer = make.case("pending_review"), make.user("reviewer")
    with pytest.raises(ValidationFailed) as error:
        ops.return_case(case, reviewer, case.version, "  ")
    assert error.value.field == "comment"
    ops.return_case(case, reviewer, case.version, "补充成效")
    assert case.status is CaseStatus.DRAFT and case.is_returned


@pytest.mark.parametrize("status", [CaseStatus.DRAFT, CaseStatus.PUBLISHED])
def test_approve_outside_review_is_refused(make, status):
    case = make.case(status)
    with pytest.raises(InvalidTransition):
        ops.approve_case(case, make.user("reviewer"), case.version)


def test_a_stale_version_is_refused(make):
    case = make.case("pending_review")
    with pytest.raises(StaleRecord):
        ops.approve_case(case, make.user("reviewer"), case.version - 1 if case.version > 1 else 99)


def test_approve_checks_the_object_list_again(db, make, entry):
    case = make.case("pending_review", entry=entry, measures=("HB-01",))
    category = make.category()
    category.measures.remove(make.measure("HB-01"))
    db.session.flush()
    with pytest.raises(ValidationFailed, match="does not apply"):
        ops.approve_case(case, make.user("reviewer"), case.version)
    assert case.status is CaseStatus.PENDING_REVIEW


# ---------------------------------------------------------------------------------------------
# Typical cases


def test_an_admin_marks_a_published_case_typical_audited_and_in_the_feed(make):
    case, admin = make.case("published"), make.user("admin", unit="FGC")
    ops.set_typical(case, admin, case.version, True)
    assert case.is_typical and case.typical_marked_by_id == admin.id
    assert history("case", case.id)[-1].action == "case.mark_typical"
    change = ChangeEvent.query.filter_by(record_type="case", record_id=case.id).one()
    assert change.change is ChangeKind.UPDATED and change.payload_dict["typical"] is True
    ops.set_typical(case, admin, case.version, False)
    assert not case.is_typical and history("case", case.id)[-1].action == "case.unmark_typical"


@pytest.mark.parametrize("role", ["clerk", "reviewer", "auditor"])
def test_only_an_admin_marks_typical(make, role):
    case = make.case("published")
    with pytest.raises(PermissionDenied):
        ops.set_typical(case, make.user(role), case.version, True)
    assert not case.is_typical


@pytest.mark.parametrize("status", [CaseStatus.DRAFT, CaseStatus.PENDING_REVIEW])
def test_only_a_published_case_is_typical(make, status):
    case = make.case(status)
    with pytest.raises(ValidationFailed, match="Only a published case"):
        ops.set_typical(case, make.user("admin", unit="FGC"), case.version, True)


# ---------------------------------------------------------------------------------------------
# The database holds the rules too


def _violates(db, statement) -> None:
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(statement)


def test_database_refuses_a_typical_draft_an_empty_effect_and_a_self_review(db, make):
    case = make.case("draft")
    _violates(db, sa.update(Case).where(Case.id == case.id).values(is_typical=True))
    _violates(db, sa.update(Case).where(Case.id == case.id).values(effect="  "))
    published = make.case("published")
    _violates(db, sa.update(Case).where(Case.id == published.id).values(reviewed_by_id=published.created_by_id))
    _violates(db, sa.update(Case).where(Case.id == case.id).values(status="published"))
