"""Taking a list entry off the public pages needs two officers (``core.removals``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from registry.core.audit import AuditEvent
from registry.core.changes import ChangeEvent, ChangeKind
from registry.core.errors import InvalidTransition, NotFound, PermissionDenied, StaleRecord, ValidationFailed
from registry.core.removals import (
    RemovalRequest,
    RemovalState,
    cancel_removal,
    confirm_removal,
    get_request_for,
    prepare_removal,
    refuse_removal,
)
from registry.listing.models import EntryStatus, RemovalReason

S = EntryStatus
REASON = "认定决定已被行政复议机关撤销。"


def _events(db, object_type, object_id) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)
    ))


def _removed_changes(db, entry) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent).where(
        ChangeEvent.record_type == "list_entry", ChangeEvent.record_id == entry.id,
        ChangeEvent.change.in_([ChangeKind.REMOVED, ChangeKind.WITHDRAWN])))


@pytest.fixture(autouse=True)
def english(db):
    """Refusal messages read in English, so the tests can match their words."""
    with force_locale("en"):
        yield


@pytest.fixture
def published(make):
    return make.entry(S.PUBLISHED)


@pytest.fixture
def prepared(make, published):
    preparer = make.user("reviewer")
    request = prepare_removal(published, actor=preparer, expected_version=published.version, reason=REASON)
    return published, request, preparer


# --- preparing -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["clerk", "reviewer"])
def test_an_officer_prepares_and_the_entry_stays_public(db, make, published, role):
    officer = make.user(role)
    request = prepare_removal(published, actor=officer, expected_version=published.version, reason=f"  {REASON} ")
    assert (request.state, request.reason, request.prepared_by_id) == (RemovalState.PENDING, REASON, officer.id)
    assert request.record_version == published.version and request.unit_id == published.unit_id
    db.session.refresh(published)
    assert published.status is S.PUBLISHED and published.removal_date is None
    assert _removed_changes(db, published) == 0
    assert _events(db, "removal_request", request.id) == ["removal.prepare_removal"]
    assert _events(db, "list_entry", published.id)[-1] == "removal.prepare_removal"


@pytest.mark.parametrize("status", [S.DRAFT, S.PENDING_REVIEW, S.WITHDRAWN, S.EXPIRED, S.REMOVED])
def test_only_a_record_on_the_public_pages_can_be_removed(make, status):
    entry = make.entry(status)
    with pytest.raises(InvalidTransition):
        prepare_removal(entry, actor=make.user("reviewer"), expected_version=entry.version, reason=REASON)


@pytest.mark.parametrize("actor", [("reviewer", "CS"), ("clerk", "CS"), ("admin", "JJC"), ("auditor", "JJC")])
def test_only_an_officer_of_the_unit_prepares(make, published, actor):
    with pytest.raises(PermissionDenied):
        prepare_removal(published, actor=make.user(actor[0], unit=actor[1]), expected_version=published.version,
                        reason=REASON)


@pytest.mark.parametrize("reason", ["", "   ", None, "理" * 2001])
def test_a_removal_needs_a_reason_of_bounded_length(make, published, reason):
    with pytest.raises(ValidationFailed) as refused:
        prepare_removal(published, actor=make.user("reviewer"), expected_version=published.version, reason=reason)
    assert refused.value.field == "comment"


@pytest.mark.parametrize("version", [0, "x", None, "99"])
def test_a_stale_record_version_is_refused_when_preparing(make, published, version):
    with pytest.raises(StaleRecord):
        prepare_removal(published, actor=make.user("reviewer"), expected_version=version, reason=REASON)


def test_one_open_request_per_record(db, make, prepared):
    entry, request, _ = prepared
    with pytest.raises(InvalidTransition):
        prepare_removal(entry, actor=make.user("clerk"), expected_version=entry.version, reason=REASON)
    second = RemovalRequest(record_type="list_entry", record_id=entry.id, record_version=entry.version,
                            unit_id=entry.unit_id, state=RemovalState.PENDING, reason="x",
                            prepared_by_id=request.prepared_by_id, prepared_at=request.prepared_at)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(second)
        db.session.flush()


# --- confirming ------------------------------------------------------------------------------------

def test_a_second_reviewer_confirms_and_the_entry_is_revoked(db, make, prepared):
    entry, request, _ = prepared
    confirmer = make.user("reviewer")
    confirm_removal(request, actor=confirmer, expected_version=request.version)
    db.session.refresh(entry)
    assert (entry.status, entry.removal_reason) == (S.REMOVED, RemovalReason.REVOKED)
    assert (request.state, request.decided_by_id) == (RemovalState.CONFIRMED, confirmer.id)
    assert _removed_changes(db, entry) == 1
    assert _events(db, "removal_request", request.id) == ["removal.prepare_removal", "removal.confirm_removal"]
    assert _events(db, "list_entry", entry.id)[-3:] == [
        "removal.prepare_removal", "removal.confirm_removal", "list_entry.revoke"]
    revoke = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "list_entry.revoke",
                                                           AuditEvent.object_id == entry.id))
    assert (revoke.actor_id, revoke.comment) == (confirmer.id, REASON)


def test_an_entry_in_publicity_is_withdrawn_on_confirmation(db, make):
    entry = make.entry(S.IN_PUBLICITY)
    request = prepare_removal(entry, actor=make.user("clerk"), expected_version=entry.version, reason=REASON)
    confirm_removal(request, actor=make.user("reviewer"), expected_version=request.version)
    db.session.refresh(entry)
    assert entry.status is S.WITHDRAWN


def test_the_preparer_cannot_confirm(db, prepared):
    entry, request, preparer = prepared
    with pytest.raises(PermissionDenied, match="another reviewer"):
        confirm_removal(request, actor=preparer, expected_version=request.version)
    with pytest.raises(PermissionDenied):
        refuse_removal(request, actor=preparer, expected_version=request.version, comment="不同意")
    db.session.refresh(entry)
    assert entry.status is S.PUBLISHED and request.state is RemovalState.PENDING


def test_the_database_refuses_one_person_in_both_roles(db, prepared):
    _, request, preparer = prepared
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(RemovalRequest).where(RemovalRequest.id == request.id).values(
            state=RemovalState.CONFIRMED, decided_by_id=preparer.id, decided_at=request.prepared_at))


@pytest.mark.parametrize("actor", [("clerk", "JJC"), ("admin", "JJC"), ("auditor", "JJC"), ("reviewer", "CS")])
def test_only_a_reviewer_of_the_unit_confirms_or_refuses(db, make, prepared, actor):
    entry, request, _ = prepared
    user = make.user(actor[0], unit=actor[1])
    with pytest.raises(PermissionDenied):
        confirm_removal(request, actor=user, expected_version=request.version)
    with pytest.raises(PermissionDenied):
        refuse_removal(request, actor=user, expected_version=request.version, comment="不同意")
    db.session.refresh(entry)
    assert entry.status is S.PUBLISHED


def test_a_foreign_units_request_is_not_found(make, prepared):
    _, request, _ = prepared
    with pytest.raises(NotFound):
        get_request_for(make.user("reviewer", unit="CS"), request.id)
    assert get_request_for(make.user("clerk"), request.id) is request


@pytest.mark.parametrize("version", [0, 2, "x", None])
def test_a_stale_request_version_is_refused(db, make, prepared, version):
    entry, request, _ = prepared
    with pytest.raises(StaleRecord):
        confirm_removal(request, actor=make.user("reviewer"), expected_version=version)
    db.session.refresh(entry)
    assert entry.status is S.PUBLISHED


@pytest.mark.parametrize("change", ["expired", "edited"])
def test_a_record_changed_since_preparation_cannot_be_removed(db, make, prepared, change):
    entry, request, _ = prepared
    values = {"status": S.EXPIRED} if change == "expired" else {}
    db.session.execute(sa.update(type(entry)).where(type(entry).id == entry.id)
                       .values(version=entry.version + 1, **values))
    db.session.refresh(entry)
    with pytest.raises(InvalidTransition, match="changed after"):
        confirm_removal(request, actor=make.user("reviewer"), expected_version=request.version)
    refuse_removal(request, actor=make.user("reviewer"), expected_version=request.version, comment="已过期")
    assert request.state is RemovalState.REFUSED


def test_a_decided_request_cannot_be_decided_again(db, make, prepared):
    _, request, _ = prepared
    confirm_removal(request, actor=make.user("reviewer"), expected_version=request.version)
    with pytest.raises(InvalidTransition):
        refuse_removal(request, actor=make.user("reviewer"), expected_version=request.version, comment="晚了")


# --- refusing and cancelling -----------------------------------------------------------------------

def test_a_second_reviewer_refuses_with_a_comment(db, make, prepared):
    entry, request, _ = prepared
    refuser = make.user("reviewer")
    with pytest.raises(ValidationFailed):
        refuse_removal(request, actor=refuser, expected_version=request.version, comment="  ")
    refuse_removal(request, actor=refuser, expected_version=request.version, comment="撤销决定尚未生效。")
    db.session.refresh(entry)
    assert entry.status is S.PUBLISHED and _removed_changes(db, entry) == 0
    assert (request.state, request.decided_by_id, request.decision_comment) == (
        RemovalState.REFUSED, refuser.id, "撤销决定尚未生效。")
    assert _events(db, "removal_request", request.id) == ["removal.prepare_removal", "removal.refuse_removal"]
    # a new removal may be prepared after a refusal
    again = prepare_removal(entry, actor=refuser, expected_version=entry.version, reason=REASON)
    assert again.state is RemovalState.PENDING


def test_the_preparer_cancels(db, make, prepared):
    entry, request, preparer = prepared
    for other in (make.user("reviewer"), make.user("clerk"), make.user("reviewer", unit="CS")):
        with pytest.raises(PermissionDenied):
            cancel_removal(request, actor=other, expected_version=request.version)
    with pytest.raises(StaleRecord):
        cancel_removal(request, actor=preparer, expected_version=request.version + 1)
    cancel_removal(request, actor=preparer, expected_version=request.version)
    assert request.state is RemovalState.CANCELLED and request.decided_by_id is None
    db.session.refresh(entry)
    assert entry.status is S.PUBLISHED
    assert _events(db, "removal_request", request.id) == ["removal.prepare_removal", "removal.cancel_removal"]
    with pytest.raises(InvalidTransition):
        confirm_removal(request, actor=make.user("reviewer"), expected_version=request.version)


# --- system paths are not removals -----------------------------------------------------------------

def test_an_upheld_objection_still_removes_without_a_second_request(db, make, published):
    from registry.listing.operations import remove_entry

    remove_entry(published, RemovalReason.REVOKED, make.user("reviewer"), "异议成立")
    db.session.refresh(published)
    assert published.status is S.REMOVED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemovalRequest)) == 0


# --- credit evaluations ----------------------------------------------------------------------------

def test_a_published_evaluation_is_withdrawn_only_on_confirmation_and_its_year_is_free_again(db, make):
    from decimal import Decimal

    from registry.evaluations import operations as evaluation_ops
    from registry.evaluations.models import CreditEvaluation, EvaluationStatus

    subject = make.subject()
    evaluation = make.evaluation(subject=subject, status=EvaluationStatus.PUBLISHED, grade="AA", score="50")
    clerk, confirmer = make.user("clerk"), make.user("reviewer")
    request = prepare_removal(evaluation, actor=clerk, expected_version=evaluation.version, reason="得分与等级不符")
    assert evaluation_ops.published_evaluations(subject.id) == [evaluation]
    confirm_removal(request, actor=confirmer, expected_version=request.version)
    db.session.refresh(evaluation)
    assert evaluation.status is EvaluationStatus.WITHDRAWN
    assert evaluation_ops.published_evaluations(subject.id) == []
    assert db.session.scalar(sa.select(ChangeEvent.change).where(
        ChangeEvent.record_type == "credit_evaluation", ChangeEvent.record_id == evaluation.id)) is ChangeKind.WITHDRAWN
    assert _events(db, "credit_evaluation", evaluation.id)[-1] == "credit_evaluation.withdraw"
    # The right result for the same year may now be recorded; two live results still may not.
    right = evaluation_ops.create_evaluation(
        actor=clerk, subject=subject, field=evaluation.field, year=evaluation.year, grade="C", score=Decimal("65"),
        evaluating_unit="湖南省交通运输厅", published_on=evaluation.published_on)
    assert right.status is EvaluationStatus.DRAFT
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(CreditEvaluation(
            subject_id=subject.id, field=evaluation.field, year=evaluation.year, grade="B", score=Decimal("80"),
            evaluating_unit="x", published_on=evaluation.published_on, status=EvaluationStatus.DRAFT,
            unit_id=clerk.unit_id, created_by_id=clerk.id))
        db.session.flush()


def test_the_evaluation_preparer_cannot_confirm(db, make):
    from registry.evaluations.models import EvaluationStatus

    evaluation = make.evaluation(status=EvaluationStatus.PUBLISHED)
    reviewer = make.user("reviewer")
    request = prepare_removal(evaluation, actor=reviewer, expected_version=evaluation.version, reason="有误")
    with pytest.raises(PermissionDenied):
        confirm_removal(request, actor=reviewer, expected_version=request.version)
    db.session.refresh(evaluation)
    assert evaluation.status is EvaluationStatus.PUBLISHED


# --- cases -----------------------------------------------------------------------------------------

def test_a_published_typical_case_is_withdrawn_only_on_confirmation(db, make):
    from registry.cases.effectiveness import month_cases
    from registry.cases.models import CaseStatus

    case = make.case(CaseStatus.PUBLISHED, typical=True)

    def listed() -> set[int]:
        return {c.id for c in month_cases(case.case_date.year, case.case_date.month)}

    clerk, confirmer = make.user("clerk"), make.user("reviewer")
    request = prepare_removal(case, actor=clerk, expected_version=case.version, reason="措施未实际实施，误登记。")
    assert case.id in listed()
    with pytest.raises(PermissionDenied):
        confirm_removal(request, actor=make.user("clerk"), expected_version=request.version)
    confirm_removal(request, actor=confirmer, expected_version=request.version)
    db.session.refresh(case)
    assert (case.status, case.is_typical) == (CaseStatus.WITHDRAWN, False)
    assert case.id not in listed()
    assert _events(db, "case", case.id)[-1] == "case.withdraw"
