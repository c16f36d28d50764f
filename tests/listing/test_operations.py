"""The list-entry state machine at the operation level: every transition and every refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.core import clock
from registry.core.audit import AuditEvent, history
from registry.core.changes import ChangeEvent, ChangeKind
from registry.core.errors import InvalidTransition, PermissionDenied, StaleRecord, ValidationFailed
from registry.core.settings import set_setting
from registry.listing import operations as ops
from registry.listing import public
from registry.listing.models import EntryStatus, ListKind, RemovalReason
from tests.conftest import count

S = EntryStatus
ALL_STATES = list(EntryStatus)


@pytest.fixture(autouse=True)
def english(db):
    """Refusal messages read in English, so the tests can match their words."""
    with force_locale("en"):
        yield


def _fields(make, category="公路建设市场严重失信", **overrides):
    cat = make.category(category)
    values = {
        "list_kind": cat.list_kind.value, "category_id": cat.id, "reason": "弄虚作假骗取中标。",
        "legal_basis": "《公路建设市场信用信息管理办法》", "decision_number": "湘交基建信〔2026〕99号",
        "decision_date": clock.today() - timedelta(days=3),
        "measure_ids": [m.id for m in cat.measures],
    }
    values.update(overrides)
    return values


def _snapshot(entry):
    return entry.status, entry.version, count(AuditEvent, AuditEvent.object_id == entry.id,
                                             AuditEvent.object_type == "list_entry")


# ---------------------------------------------------------------------------------------------
# Drafts


def test_create_entry_stores_a_draft_with_an_audit_event(db, make):
    clerk, subject = make.user("clerk"), make.subject()
    entry = ops.create_entry(actor=clerk, subject=subject, **_fields(make))
    assert entry.status is S.DRAFT and entry.version == 1
    assert entry.unit_id == clerk.unit_id and entry.created_by_id == clerk.id
    assert [m.code for m in entry.measures] == ["HB-01", "HB-04", "HB-05", "HB-06"]
    assert [e.action for e in history("list_entry", entry.id)] == ["list_entry.create"]


def test_no_measures_ticked_applies_the_category_defaults(db, make):
    entry = ops.create_entry(actor=make.user("clerk"), subject=make.subject(), **_fields(make, measure_ids=[]))
    assert {m.code for m in entry.measures} == {m.code for m in make.category().measures}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"category_id": "公路水运工程守信典型企业"}, "category_id", "other list"),
        ({"category_id": 999999}, "category_id", "category"),
        ({"list_kind": "grey"}, "list_kind", "red or the black"),
        ({"measure_ids": [999999]}, "measure_ids", "Unknown measure"),
        ({"measure_ids": ["HH-01"]}, "measure_ids", "other list"),
        ({"measure_ids": ["x"]}, "measure_ids", "Unknown measure"),
        ({"valid_until": "yesterday"}, "valid_until", "validity end"),
        ({"decision_date": "tomorrow"}, "decision_date", "future"),
        ({"decision_date": None}, "decision_date", "decision date"),
        ({"reason": "  "}, "reason", "reason"),
        ({"legal_basis": ""}, "legal_basis", "legal basis"),
        ({"decision_number": "x" * 101}, "decision_number", "at most 100"),
    ],
)
def test_bad_draft_input_is_refused_naming_the_field(db, make, overrides, field, words):
    today = clock.today()
    resolved = {}
    for key, value in overrides.items():
        if key == "category_id" and isinstance(value, str):
            value = make.category(value).id
        elif key == "measure_ids":
            value = [make.measure(v).id if isinstance(v, str) and "-" in v else v for v in value]
        elif value == "yesterday":
            value = today - timedelta(days=1)
        elif value == "tomorrow":
            value = today + timedelta(days=1)
        resolved[key] = value
    before = count(AuditEvent)
    with pytest.raises(ValidationFailed) as refused:
        ops.create_entry(actor=make.user("clerk"), subject=make.subject(), **_fields(make, **resolved))
    assert refused.value.field == field
    assert words.lower() in str(refused.value.message).lower()
    assert count(AuditEvent) == before


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_only_unit_officers_create_entries(db, make, role):
    with pytest.raises(PermissionDenied):
        ops.create_entry(actor=make.user(role, unit="FGC"), subject=make.subject(), **_fields(make))


def test_update_draft_changes_it_and_bumps_the_version(db, make):
    entry = make.entry(S.DRAFT)
    clerk = entry.created_by
    ops.update_draft(entry, actor=clerk, expected_version=1, **_fields(make, reason="更正后的事由"))
    assert entry.reason == "更正后的事由" and entry.version == 2
    assert history("list_entry", entry.id)[-1].action == "list_entry.update"


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s is not S.DRAFT])
def test_a_non_draft_cannot_be_edited(db, make, state):
    entry = make.entry(state)
    before = _snapshot(entry)
    with pytest.raises(InvalidTransition, match="Only a draft"):
        ops.update_draft(entry, actor=make.user("clerk"), expected_version=entry.version, **_fields(make))
    assert _snapshot(entry) == before


def test_a_clerk_of_another_unit_cannot_edit(db, make):
    entry = make.entry(S.DRAFT)
    with pytest.raises(PermissionDenied):
        ops.update_draft(entry, actor=make.user("clerk", unit="CS"), expected_version=1, **_fields(make))


# ---------------------------------------------------------------------------------------------
# Submit


def test_submit_moves_a_draft_to_pending_review(db, make):
    entry = make.entry(S.DRAFT)
    ops.submit_entry(entry, entry.created_by, 1)
    assert entry.status is S.PENDING_REVIEW and entry.submitted_by_id == entry.created_by_id
    assert history("list_entry", entry.id)[-1].to_state == "pending_review"


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s is not S.DRAFT])
def test_submit_is_refused_outside_draft(db, make, state):
    entry = make.entry(state)
    before = _snapshot(entry)
    with pytest.raises(InvalidTransition):
        ops.submit_entry(entry, make.user("clerk"), entry.version)
    assert _snapshot(entry) == before


# ---------------------------------------------------------------------------------------------
# Approve and return


def test_approve_starts_publicity_of_five_working_days(db, make, frozen):
    entry = make.entry(S.PENDING_REVIEW)
    reviewer = make.user("reviewer")
    with frozen(date(2026, 9, 30)):
        ops.approve_entry(entry, reviewer, entry.version)
    assert entry.status is S.IN_PUBLICITY and entry.reviewed_by_id == reviewer.id
    # 1-7 October are the National Day holidays and Saturday 10 October is a working day.
    assert (entry.publicity_start, entry.publicity_end) == (date(2026, 9, 30), date(2026, 10, 13))
    change = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == entry.id)).one()
    assert change.change is ChangeKind.PUBLICITY_STARTED and change.payload_dict["status"] == "in_publicity"


def test_publicity_length_is_the_admin_setting(db, make, frozen):
    set_setting("publicity_working_days", 2, make.user("admin", unit="FGC"))
    entry = make.entry(S.PENDING_REVIEW)
    with frozen(date(2026, 9, 30)):
        ops.approve_entry(entry, make.user("reviewer"), entry.version)
    assert entry.publicity_end == date(2026, 10, 9)


def test_return_sends_it_back_to_draft_with_the_comment(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    ops.return_entry(entry, make.user("reviewer"), entry.version, "  请补充文号  ")
    assert entry.status is S.DRAFT and entry.review_comment == "请补充文号" and entry.is_returned
    event = history("list_entry", entry.id)[-1]
    assert (event.action, event.comment) == ("list_entry.return", "请补充文号")


def test_return_needs_a_comment(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    before = _snapshot(entry)
    with pytest.raises(ValidationFailed, match="comment") as refused:
        ops.return_entry(entry, make.user("reviewer"), entry.version, "   ")
    assert refused.value.field == "comment" and _snapshot(entry) == before


def test_the_reviewer_who_returned_may_resubmit_and_another_approves(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    first, second = make.user("reviewer"), make.user("reviewer")
    ops.return_entry(entry, first, entry.version, "补充材料")
    ops.submit_entry(entry, first, entry.version)
    assert entry.reviewed_by_id is None and entry.review_comment == "补充材料"
    with pytest.raises(PermissionDenied, match="four-eyes"):
        ops.approve_entry(entry, first, entry.version)
    ops.approve_entry(entry, second, entry.version)
    assert entry.status is S.IN_PUBLICITY and entry.review_comment is None


@pytest.mark.parametrize("decision", ["approve", "return"])
@pytest.mark.parametrize("state", [s for s in ALL_STATES if s is not S.PENDING_REVIEW])
def test_decisions_are_refused_outside_pending_review(db, make, decision, state):
    entry = make.entry(state)
    before = _snapshot(entry)
    with pytest.raises(InvalidTransition):
        if decision == "approve":
            ops.approve_entry(entry, make.user("reviewer"), entry.version)
        else:
            ops.return_entry(entry, make.user("reviewer"), entry.version, "comment")
    assert _snapshot(entry) == before


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("clerk", "Only a reviewer"),
        ("admin", "Only a reviewer"),
        ("auditor", "Only a reviewer"),
        ("foreign_reviewer", "Only a reviewer"),
        ("submitter", "four-eyes"),
        ("creator", "four-eyes"),
    ],
)
@pytest.mark.parametrize("decision", ["approve", "return"])
def test_who_may_not_decide(db, make, who, message, decision):
    creator_reviewer = make.user("reviewer")
    submitter = make.user("reviewer")
    entry = make.entry(S.DRAFT, creator=creator_reviewer)
    ops.submit_entry(entry, submitter, entry.version)
    actor = {
        "clerk": lambda: make.user("clerk"),
        "admin": lambda: make.user("admin", unit="FGC"),
        "auditor": lambda: make.user("auditor", unit="XXZX"),
        "foreign_reviewer": lambda: make.user("reviewer", unit="CS"),
        "submitter": lambda: submitter,
        "creator": lambda: creator_reviewer,
    }[who]()
    before = _snapshot(entry)
    with pytest.raises(PermissionDenied, match=message):
        if decision == "approve":
            ops.approve_entry(entry, actor, entry.version)
        else:
            ops.return_entry(entry, actor, entry.version, "comment")
    assert _snapshot(entry) == before


@pytest.mark.parametrize("version", [0, 2, None, "abc"])
def test_a_stale_version_is_refused_as_changed_by_someone_else(db, make, version):
    entry = make.entry(S.PENDING_REVIEW)
    before = _snapshot(entry)
    with pytest.raises(StaleRecord) as refused:
        ops.approve_entry(entry, make.user("reviewer"), version)
    assert "changed by someone else" in str(refused.value.message)
    assert _snapshot(entry) == before


def test_the_conditional_update_refuses_a_change_made_behind_our_back(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    db.session.execute(sa.text("UPDATE list_entries SET version = version + 1 WHERE id = :id"), {"id": entry.id})
    with pytest.raises(StaleRecord):
        ops.approve_entry(entry, make.user("reviewer"), 1)  # the object in memory still says version 1


# ---------------------------------------------------------------------------------------------
# Revoke, withdraw, remove


def test_revoke_removes_a_published_entry(db, make):
    entry = make.entry(S.PUBLISHED)
    ops.revoke_entry(entry, make.user("reviewer"), entry.version, "认定决定被撤销")
    assert entry.status is S.REMOVED and entry.removal_reason is RemovalReason.REVOKED
    assert entry.removal_date == clock.today()
    change = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == entry.id)).one()
    assert (change.change, change.reason) == (ChangeKind.REMOVED, "revoked")


@pytest.mark.parametrize("who", ["clerk", "admin", "foreign_reviewer"])
def test_only_a_reviewer_of_the_unit_revokes(db, make, who):
    entry = make.entry(S.PUBLISHED)
    actor = {"clerk": ("clerk", "JJC"), "admin": ("admin", "FGC"), "foreign_reviewer": ("reviewer", "CS")}[who]
    with pytest.raises(PermissionDenied):
        ops.revoke_entry(entry, make.user(actor[0], unit=actor[1]), entry.version, "理由")
    assert entry.status is S.PUBLISHED


def test_revoke_needs_a_reason(db, make):
    entry = make.entry(S.PUBLISHED)
    with pytest.raises(ValidationFailed, match="reason"):
        ops.revoke_entry(entry, make.user("reviewer"), entry.version, "")
    assert entry.status is S.PUBLISHED


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s is not S.PUBLISHED])
def test_revoke_and_remove_are_refused_unless_published(db, make, state):
    entry = make.entry(state)
    before = _snapshot(entry)
    with pytest.raises(InvalidTransition):
        ops.revoke_entry(entry, make.user("reviewer"), entry.version, "理由")
    with pytest.raises(InvalidTransition):
        ops.remove_entry(entry, "repaired", make.user("reviewer"), "修复")
    assert _snapshot(entry) == before


def test_withdraw_during_publicity(db, make):
    entry = make.entry(S.IN_PUBLICITY)
    ops.withdraw_entry(entry, make.user("reviewer"), "异议成立")
    assert entry.status is S.WITHDRAWN
    change = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == entry.id)).one()
    assert change.change is ChangeKind.WITHDRAWN


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s is not S.IN_PUBLICITY])
def test_withdraw_is_refused_outside_publicity(db, make, state):
    entry = make.entry(state)
    with pytest.raises(InvalidTransition):
        ops.withdraw_entry(entry, make.user("reviewer"), "异议成立")


@pytest.mark.parametrize("reason", ["repaired", "revoked"])
def test_remove_with_each_reason(db, make, reason):
    entry = make.entry(S.PUBLISHED)
    ops.remove_entry(entry, reason, make.user("reviewer"), "依申请")
    assert entry.status is S.REMOVED and entry.removal_reason is RemovalReason(reason)
    assert history("list_entry", entry.id)[-1].action == f"list_entry.remove_{reason}"


def test_remove_refuses_an_unknown_reason(db, make):
    entry = make.entry(S.PUBLISHED)
    with pytest.raises(ValidationFailed, match="removal reason"):
        ops.remove_entry(entry, "bored", make.user("reviewer"), "x")


def test_public_payload_masks_a_person_id(db, make):
    person = make.subject("person")
    entry = make.entry(S.PUBLISHED, subject=person)
    payload = public.public_payload(entry)
    assert person.identifier not in str(payload)
    assert payload["subject"]["identifier"] == person.public_identifier
    assert payload["list"] == ListKind.BLACK.value and payload["measures"]
