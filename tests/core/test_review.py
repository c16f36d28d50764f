"""``core.review.ReviewFlow`` itself: every transition and every refused one, on a flow this test
declares over the list-entry table (its own audit words and hooks, none of listing's effects)."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from registry.core.audit import AuditEvent, history
from registry.core.errors import InvalidTransition, PermissionDenied, StaleRecord, ValidationFailed
from registry.core.review import Approval, FlowQueueSource, FlowWords, ReviewFlow
from registry.core.workflow import EDITOR_MESSAGE
from registry.listing.models import EntryStatus, ListEntry
from tests.conftest import count

S = EntryStatus
WORDS = FlowWords(draft_role="may not draft", edit_role="may not edit", submit_role="may not submit",
                  review_role="not a reviewer here", four_eyes="your own record", not_draft="not a draft",
                  return_comment="say what to fix")
PUBLICITY = (date(2026, 3, 2), date(2026, 3, 9))
calls: list[tuple] = []


def _approval(entry) -> Approval:
    return Approval(S.IN_PUBLICITY, {"publicity_start": PUBLICITY[0], "publicity_end": PUBLICITY[1]}, {"why": "test"})


def _check(entry, verb):
    calls.append(("check", verb, entry.id))
    if entry.reason == "refuse":
        raise ValidationFailed("the record's own rule", field="reason")


FLOW = ReviewFlow(model=ListEntry, action_prefix="flow_test", draft=S.DRAFT, pending=S.PENDING_REVIEW,
                  approved=_approval, published=frozenset({S.PUBLISHED}), words=WORDS, check=_check,
                  on_approve=lambda entry, actor: calls.append(("approved", entry.id, actor.id)))


@pytest.fixture(autouse=True)
def english(db):
    calls.clear()
    with force_locale("en"):
        yield


def _snapshot(entry):
    return (entry.status, entry.version, entry.reviewed_by_id, entry.submitted_by_id,
            count(AuditEvent, AuditEvent.object_id == entry.id, AuditEvent.object_type == "list_entry"))


def _actions(entry) -> list[str]:
    return [event.action for event in history("list_entry", entry.id)]


# ---------------------------------------------------------------------------------------------
# Drafts


def test_start_stores_a_draft_of_the_actor_with_its_event(db, make):
    clerk = make.user("clerk")
    template = make.entry(S.DRAFT)
    entry = ListEntry(**{column: getattr(template, column) for column in (
        "list_kind", "category_id", "subject_id", "reason", "legal_basis", "deciding_unit", "decision_date")},
        decision_number="流程测试〔2026〕1号", unit_id=clerk.unit_id)
    FLOW.start(entry, actor=clerk, details={"a": 1})
    assert (entry.status, entry.version, entry.created_by_id) == (S.DRAFT, 1, clerk.id)
    assert _actions(entry) == ["flow_test.create"]


@pytest.mark.parametrize("role, unit", [("auditor", "JJC"), ("admin", "JJC"), ("clerk", "CS")])
def test_only_clerks_and_reviewers_of_the_unit_may_draft(db, make, role, unit):
    jjc = make.user("clerk", unit="JJC")
    with pytest.raises(PermissionDenied, match="may not draft"):
        FLOW.ensure_may_draft(make.user(role, unit=unit), jjc.unit_id)
    FLOW.ensure_may_draft(make.user("reviewer", unit="JJC"), jjc.unit_id)  # allowed: no refusal


def test_update_changes_a_draft_and_bumps_its_version(db, make):
    entry = make.entry(S.DRAFT)
    FLOW.update(entry, actor=entry.created_by, expected_version=1, values={"reason": "更正后的事由"})
    assert (entry.status, entry.version, entry.reason) == (S.DRAFT, 2, "更正后的事由")
    assert _actions(entry)[-1] == "flow_test.update"


@pytest.mark.parametrize("state", [s for s in S if s is not S.DRAFT])
def test_update_is_refused_outside_draft(db, make, state):
    entry = make.entry(state)
    before = _snapshot(entry)
    with pytest.raises(InvalidTransition, match="not a draft"):
        FLOW.update(entry, actor=entry.created_by, expected_version=entry.version, values={"reason": "x"})
    assert _snapshot(entry) == before


@pytest.mark.parametrize("expected", [2, 0, "garbage", None])
def test_update_is_refused_from_a_stale_version_before_anything_else(db, make, expected):
    entry = make.entry(S.PUBLISHED)  # a wrong state too: the stale version is what the user hears
    with pytest.raises(StaleRecord):
        FLOW.update(entry, actor=make.user("auditor"), expected_version=expected, values={"reason": "x"})


def test_update_is_refused_to_a_clerk_of_another_unit(db, make):
    entry = make.entry(S.DRAFT)
    before = _snapshot(entry)
    with pytest.raises(PermissionDenied, match="may not edit"):
        FLOW.update(entry, actor=make.user("clerk", unit="CS"), expected_version=1, values={"reason": "x"})
    assert _snapshot(entry) == before


# ---------------------------------------------------------------------------------------------
# Submit


def test_submit_sends_a_draft_for_review_and_clears_a_former_decision(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    FLOW.return_(entry, make.user("reviewer"), 1, "补充证据")
    FLOW.submit(entry, entry.created_by, 2)
    assert entry.status is S.PENDING_REVIEW and entry.version == 3
    assert entry.submitted_by_id == entry.created_by_id and entry.reviewed_by_id is None
    assert entry.reviewed_at is None and entry.review_comment == "补充证据"  # what to fix stays visible
    assert calls == [("check", "submit", entry.id)] and _actions(entry)[-1] == "flow_test.submit"


@pytest.mark.parametrize("state", [s for s in S if s is not S.DRAFT])
def test_submit_is_refused_outside_draft(db, make, state):
    entry = make.entry(state)
    before = _snapshot(entry)
    with pytest.raises(InvalidTransition):
        FLOW.submit(entry, make.user("clerk"), entry.version)
    assert _snapshot(entry) == before


def test_submit_is_refused_to_others_and_by_the_records_own_rule(db, make):
    entry = make.entry(S.DRAFT)
    before = _snapshot(entry)
    for actor in (make.user("clerk", unit="CS"), make.user("auditor")):
        with pytest.raises(PermissionDenied, match="may not submit"):
            FLOW.submit(entry, actor, 1)
    with pytest.raises(StaleRecord):
        FLOW.submit(entry, entry.created_by, 7)
    entry.reason = "refuse"
    with pytest.raises(ValidationFailed, match="own rule"):
        FLOW.submit(entry, entry.created_by, 1)
    assert _snapshot(entry) == before


# ---------------------------------------------------------------------------------------------
# Approve and return


def test_approve_moves_to_the_chosen_state_with_its_values_then_runs_the_effects(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    reviewer = make.user("reviewer")
    FLOW.approve(entry, reviewer, 1, "  核实无误  ")
    assert (entry.status, entry.version, entry.reviewed_by_id) == (S.IN_PUBLICITY, 2, reviewer.id)
    assert (entry.publicity_start, entry.publicity_end) == PUBLICITY
    assert entry.review_comment == "核实无误"
    assert calls == [("check", "approve", entry.id), ("approved", entry.id, reviewer.id)]
    event = history("list_entry", entry.id)[-1]
    assert (event.action, event.from_state, event.to_state, event.comment) == (
        "flow_test.approve", "pending_review", "in_publicity", "核实无误")
    assert event.details_dict == {"why": "test"}


def test_approve_without_a_comment_stores_none(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    FLOW.approve(entry, make.user("reviewer"), 1, "   ")
    assert entry.review_comment is None


@pytest.mark.parametrize("state", [s for s in S if s is not S.PENDING_REVIEW])
@pytest.mark.parametrize("verb", ["approve", "return"])
def test_decisions_are_refused_outside_pending_review(db, make, state, verb):
    entry = make.entry(state)
    before = _snapshot(entry)
    with pytest.raises(InvalidTransition):
        if verb == "approve":
            FLOW.approve(entry, make.user("reviewer"), entry.version)
        else:
            FLOW.return_(entry, make.user("reviewer"), entry.version, "改")
    assert _snapshot(entry) == before and ("approved", entry.id) not in [c[:2] for c in calls]


@pytest.mark.parametrize("verb", ["approve", "return"])
def test_the_four_eyes_rule_and_the_units_reviewers(db, make, verb):
    reviewer_author = make.user("reviewer")
    entry = make.entry(S.PENDING_REVIEW, creator=reviewer_author)
    before = _snapshot(entry)
    refusals = [(reviewer_author, "your own record"), (make.user("clerk"), "not a reviewer here"),
                (make.user("reviewer", unit="CS"), "not a reviewer here"), (make.user("admin"), "not a reviewer here")]
    for actor, message in refusals:
        with pytest.raises(PermissionDenied, match=message):
            if verb == "approve":
                FLOW.approve(entry, actor, 1)
            else:
                FLOW.return_(entry, actor, 1, "改")
    assert _snapshot(entry) == before


def test_a_reviewer_who_edited_the_draft_may_not_decide_on_it(db, make):
    entry = make.entry(S.DRAFT)
    editing_reviewer = make.user("reviewer")
    FLOW.update(entry, actor=editing_reviewer, expected_version=1, values={"reason": "审核人改过的事由"})
    FLOW.submit(entry, entry.created_by, 2)
    with pytest.raises(PermissionDenied) as refused:
        FLOW.approve(entry, editing_reviewer, 3)
    assert str(refused.value.message) == str(EDITOR_MESSAGE)
    FLOW.approve(entry, make.user("reviewer"), 3)  # another reviewer may
    assert entry.status is S.IN_PUBLICITY


def test_return_sends_back_to_draft_with_the_comment(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    reviewer = make.user("reviewer")
    FLOW.return_(entry, reviewer, 1, " 文号有误 ")
    assert (entry.status, entry.version, entry.review_comment, entry.reviewed_by_id) == (
        S.DRAFT, 2, "文号有误", reviewer.id)
    assert _actions(entry)[-1] == "flow_test.return" and calls == []


@pytest.mark.parametrize("comment, message", [("", "say what to fix"), ("  ", "say what to fix"),
                                              ("长" * 2001, "at most 2000")])
def test_return_needs_a_comment_of_at_most_2000_characters(db, make, comment, message):
    entry = make.entry(S.PENDING_REVIEW)
    before = _snapshot(entry)
    with pytest.raises(ValidationFailed, match=message) as refused:
        FLOW.return_(entry, make.user("reviewer"), 1, comment)
    assert refused.value.field == "comment" and _snapshot(entry) == before


def test_a_stale_decision_is_refused(db, make):
    entry = make.entry(S.PENDING_REVIEW)
    with pytest.raises(StaleRecord):
        FLOW.approve(entry, make.user("reviewer"), 2)
    assert entry.status is S.PENDING_REVIEW and calls == []


# ---------------------------------------------------------------------------------------------
# Taking a published record off public view


def test_take_off_moves_a_published_record_with_the_reason(db, make):
    entry = make.entry(S.PUBLISHED)
    reason = FLOW.take_off(entry, make.user("reviewer"), " 决定被撤销 ", to=S.REMOVED, action="remove_revoked",
                           comment_message="give a reason",
                           values={"removal_reason": "revoked", "removal_date": date(2026, 3, 2)})
    assert reason == "决定被撤销" and entry.status is S.REMOVED
    assert _actions(entry)[-1] == "flow_test.remove_revoked"


def test_take_off_is_refused_to_non_reviewers_without_reason_and_outside_its_states(db, make):
    entry = make.entry(S.PUBLISHED)
    before = _snapshot(entry)
    removal = {"to": S.REMOVED, "action": "remove_revoked", "comment_message": "give a reason",
               "values": {"removal_reason": "revoked", "removal_date": date(2026, 3, 2)}}
    for actor in (make.user("clerk"), make.user("reviewer", unit="CS")):
        with pytest.raises(PermissionDenied, match="not a reviewer here"):
            FLOW.take_off(entry, actor, "理由", **removal)
    with pytest.raises(ValidationFailed, match="give a reason"):
        FLOW.take_off(entry, make.user("reviewer"), " ", **removal)
    assert _snapshot(entry) == before
    draft = make.entry(S.DRAFT)
    with pytest.raises(InvalidTransition):
        FLOW.take_off(draft, make.user("reviewer"), "理由", **removal)


# ---------------------------------------------------------------------------------------------
# The review queue


class _Queue(FlowQueueSource):
    kind = "flow_test"
    label = "flow test"
    flow = FLOW

    def title(self, entry):
        return entry.decision_number

    def url(self, entry):
        return f"/entries/{entry.id}"


def test_the_queue_source_lists_the_flows_pending_records_of_the_unit_and_decides(db, make):
    waiting = make.entry(S.PENDING_REVIEW)
    make.entry(S.DRAFT)
    make.entry(S.PENDING_REVIEW, unit="CS")
    reviewer = make.user("reviewer")
    queue = _Queue()
    assert [item.id for item in queue.pending(reviewer.unit_id)] == [waiting.id]
    queue.approve(waiting.id, reviewer, 1)
    assert waiting.status is S.IN_PUBLICITY and queue.pending(reviewer.unit_id) == []


def test_the_queue_source_returns_through_the_flow(db, make):
    waiting = make.entry(S.PENDING_REVIEW)
    _Queue().return_(waiting.id, make.user("reviewer"), 1, "补充证据")
    assert waiting.status is S.DRAFT and waiting.review_comment == "补充证据"
    assert waiting.publicity_start is None and _actions(waiting)[-1] == "flow_test.return"


# ---------------------------------------------------------------------------------------------
# The one decision route (``core.decisions``), as the list pages declare it


def test_the_decision_route_decides_commits_and_goes_back_to_the_record(client, login, make):
    entry = make.entry(S.PENDING_REVIEW)
    login("reviewer")
    response = client.post(f"/officer/entries/{entry.id}/return", data={"version": "1", "comment": "补充证据"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/officer/entries/{entry.id}")
    db_entry = make.db.session.get(ListEntry, entry.id)
    make.db.session.refresh(db_entry)
    assert db_entry.status is S.DRAFT and db_entry.review_comment == "补充证据"


def test_the_decision_route_refuses_unknown_actions_and_stores_nothing_when_refused(client, login, make):
    entry = make.entry(S.PENDING_REVIEW)
    login("reviewer")
    assert client.post(f"/officer/entries/{entry.id}/publish-now", data={"version": "1"}).status_code == 404
    response = client.post(f"/officer/entries/{entry.id}/return", data={"version": "1", "comment": " "},
                           follow_redirects=True)
    assert response.status_code == 200
    make.db.session.refresh(entry)
    assert entry.status is S.PENDING_REVIEW and entry.version == 1
