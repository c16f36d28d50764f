"""Supervision classes (PRODUCT §16).  Every expected class is written here from the
default rules: black list → D, serious penalty in its window → C, latest grade D → D, C → C,
AAA/AA/A → A, red list → A, breached commitment → C, otherwise B; the most severe wins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.checks.models import Alert
from registry.commitments import operations as commitment_ops
from registry.core.errors import ValidationErrors, ValidationFailed
from registry.disclosures.models import DisclosureStatus, Severity
from registry.evaluations import operations as evaluation_ops
from registry.listing import operations as listing_ops
from registry.listing.models import EntryStatus
from registry.supervision import operations as ops
from registry.supervision.checks import supervision_classes
from registry.supervision.models import (
    ChangeCause,
    RuleCondition,
    SubjectSupervisionClass,
    SupervisionClassChange,
)
from tests.files import PDF

DAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


@pytest.fixture
def on_day(frozen):
    with frozen(DAY):
        yield


def _class(subject) -> str:
    ops.recompute_subjects([subject.id])
    return ops.current_class(subject.id)[0]


def _row(subject) -> SubjectSupervisionClass | None:
    from registry.extensions import db

    return db.session.get(SubjectSupervisionClass, subject.id)


def test_a_subject_without_records_is_in_class_b_with_no_row(make, on_day):
    subject = make.subject()
    assert _class(subject) == "B"
    assert _row(subject) is None


def test_an_effective_black_list_entry_gives_d_and_key_supervision(make, on_day):
    entry = make.entry(EntryStatus.PUBLISHED)  # category 公路建设市场严重失信 carries HB-04
    assert _class(entry.subject) == "D"
    row = _row(entry.subject)
    assert row.key_supervision is True
    assert {"rule": "black_list", "class": "D", "record_type": "list_entry", "record_id": entry.id} in row.reason_list


@pytest.mark.parametrize("status", [EntryStatus.IN_PUBLICITY, EntryStatus.EXPIRED, EntryStatus.REMOVED,
                                    EntryStatus.WITHDRAWN, EntryStatus.DRAFT])
def test_a_black_list_entry_not_in_force_gives_nothing(make, on_day, status):
    # An expired entry is past its last valid day (validity_end expires it the day after).
    extra = {"valid_until": DAY - timedelta(days=1)} if status is EntryStatus.EXPIRED else {}
    entry = make.entry(status, **extra)
    assert _class(entry.subject) == "B"


def test_a_black_entry_past_its_last_valid_day_no_longer_counts(make, on_day):
    entry = make.entry(EntryStatus.PUBLISHED, valid_until=DAY - timedelta(days=1))
    assert _class(entry.subject) == "B"


def test_a_serious_penalty_inside_its_window_gives_c(make, on_day):
    disclosure = make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.SERIOUS,
                                 decision_date=date(2026, 3, 2))
    assert _class(disclosure.subject) == "C"


def test_a_serious_penalty_past_its_36_months_and_a_general_one_give_nothing(make, on_day):
    old = make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.SERIOUS, decision_date=date(2023, 6, 14))
    general = make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.GENERAL, decision_date=date(2026, 3, 2))
    # 2023-06-14 + 36 months = 2026-06-14, the last day shown: on 2026-06-15 it no longer counts.
    assert _class(old.subject) == "B"
    assert _class(general.subject) == "B"


def test_the_last_day_of_a_serious_penalty_window_still_counts(make, frozen):
    with frozen(date(2026, 6, 14)):
        disclosure = make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.SERIOUS,
                                     decision_date=date(2023, 6, 14))
        assert _class(disclosure.subject) == "C"


@pytest.mark.parametrize(("field", "grade", "expected"), [
    ("highway_construction", "D", "D"), ("highway_construction", "C", "C"), ("highway_construction", "AA", "A"),
    ("highway_construction", "A", "A"), ("highway_construction", "B", "B"), ("road_transport", "AAA", "A"),
])
def test_the_latest_grade_gives_its_class(make, on_day, field, grade, expected):
    evaluation = make.evaluation(status="published", field=field, grade=grade, year=2024)
    assert _class(evaluation.subject) == expected


def test_only_the_latest_evaluation_counts(make, on_day):
    subject = make.subject()
    make.evaluation(subject=subject, status="published", grade="D", year=2023)
    make.evaluation(subject=subject, status="published", grade="AA", year=2024)
    assert _class(subject) == "A"


def test_an_unpublished_evaluation_gives_nothing(make, on_day):
    evaluation = make.evaluation(status="pending_review", grade="D", year=2024)
    assert _class(evaluation.subject) == "B"


def test_a_red_list_entry_gives_a(make, on_day):
    entry = make.entry(EntryStatus.PUBLISHED, category="道路运输守信")
    assert _class(entry.subject) == "A"
    assert _row(entry.subject).key_supervision is False


def test_the_most_severe_rule_wins(make, on_day):
    red = make.entry(EntryStatus.PUBLISHED, category="道路运输守信")
    make.evaluation(subject=red.subject, status="published", grade="AA", year=2024)
    make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.SERIOUS, party_identifier=red.subject.identifier,
                    party_name=red.subject.name)
    assert _class(red.subject) == "C"
    assert [reason["class"] for reason in _row(red.subject).reason_list] == ["C", "A", "A"]


# ---------------------------------------------------------------------------------------------
# The class follows its records in the same transaction (core.signals.subject_records_changed)


def test_publishing_an_evaluation_updates_the_class_at_once(make, on_day):
    evaluation = make.evaluation(status="pending_review", grade="D", year=2025)
    evaluation_ops.approve_evaluation(evaluation, make.user("reviewer"), evaluation.version)
    assert ops.current_class(evaluation.subject_id)[0] == "D"
    change = ops.history_of(evaluation.subject_id)[0]
    assert (change.from_class, change.to_class, change.cause, change.effective_on) == \
        ("B", "D", ChangeCause.RECORDS, DAY)


def test_revoking_a_black_entry_returns_the_subject_to_b(make, on_day):
    entry = make.entry(EntryStatus.PUBLISHED)
    ops.recompute_subjects([entry.subject_id])
    assert ops.current_class(entry.subject_id)[0] == "D"
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "决定已被撤销")
    assert ops.current_class(entry.subject_id)[0] == "B"
    assert _row(entry.subject) is None
    assert [(c.from_class, c.to_class) for c in ops.history_of(entry.subject_id)] == [("D", "B"), ("B", "D")]


def test_a_breached_commitment_gives_c_at_once(make, on_day):
    clerk = make.user("clerk")
    commitment = commitment_ops.record_commitment(actor=clerk, subject=make.subject(), kind="bidding",
                                                  signed_on=date(2026, 4, 1), matter="某工程招标", file_data=PDF,
                                                  filename="承诺书.pdf")
    assert ops.current_class(commitment.subject_id)[0] == "B"
    commitment_ops.mark_breached(commitment, actor=clerk, breached_on=date(2026, 6, 1), note="业绩材料伪造")
    assert ops.current_class(commitment.subject_id)[0] == "C"


def test_the_history_answers_the_class_on_a_day(make, frozen):
    subject = make.subject()
    with frozen(date(2026, 2, 1)):
        evaluation = make.evaluation(subject=subject, status="pending_review", grade="C", year=2025,
                                     published_on=date(2026, 1, 20))
        evaluation_ops.approve_evaluation(evaluation, make.user("reviewer"), evaluation.version)
    with frozen(date(2026, 4, 1)):
        evaluation_ops.withdraw_evaluation(evaluation, make.user("reviewer"), "评价结果有误")
    assert ops.class_on(subject.id, date(2026, 1, 31)) == "B"
    assert ops.class_on(subject.id, date(2026, 3, 1)) == "C"
    assert ops.class_on(subject.id, date(2026, 4, 1)) == "B"


# ---------------------------------------------------------------------------------------------
# The nightly recomputation


def test_the_nightly_check_applies_a_period_that_ended_without_an_alert(make, frozen):
    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED, valid_until=DAY)
        supervision_classes(DAY)
        assert ops.current_class(entry.subject_id)[0] == "D"
    next_day = DAY + timedelta(days=1)
    with frozen(next_day):
        counts = supervision_classes(next_day)
    assert counts["differences"] == 0 and counts["changed"] == 1
    assert ops.current_class(entry.subject_id)[0] == "B"
    assert ops.history_of(entry.subject_id)[0].cause is ChangeCause.DAILY


def test_the_nightly_check_alerts_on_a_class_that_missed_a_change(make, db, frozen):
    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED)
        supervision_classes(DAY)
        # A change that bypassed the operations (and so the signal): the stored D is now wrong.
        entry.status = EntryStatus.REMOVED
        entry.removal_reason, entry.removal_date = "revoked", DAY
        db.session.flush()
    next_day = DAY + timedelta(days=1)
    with frozen(next_day):
        counts = supervision_classes(next_day)
        assert counts["differences"] == 1 and counts["difference_raised"] == 1
        alert = db.session.scalar(sa.select(Alert).where(Alert.kind == "supervision_class_difference"))
        assert (alert.record_id, alert.unit_id, alert.resolved_at) == (entry.subject_id, None, None)
        assert ops.current_class(entry.subject_id)[0] == "B"  # corrected
        again = supervision_classes(next_day)
    assert again["differences"] == 0 and again["difference_resolved"] == 1


# ---------------------------------------------------------------------------------------------
# The rules table


def _rules(**changes):
    rules = {
        RuleCondition.BLACK_LIST: "D", RuleCondition.SERIOUS_PENALTY: "C", RuleCondition.GRADE_D: "D",
        RuleCondition.GRADE_C: "C", RuleCondition.GRADE_GOOD: "A", RuleCondition.RED_LIST: "A",
        RuleCondition.BREACHED_COMMITMENT: "C"}
    rules.update({RuleCondition(key): value for key, value in changes.items()})
    return rules


def test_new_rules_in_force_today_apply_to_every_subject_at_once(make, db, on_day):
    disclosure = make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.SERIOUS)
    assert _class(disclosure.subject) == "C"
    admin = make.user("admin")
    rule_set = ops.create_rule_set(actor=admin, effective_from=DAY, default_class="B",
                                   rules=_rules(serious_penalty="D"), comment="严重处罚从严")
    assert rule_set.version == 2
    assert ops.current_class(disclosure.subject_id)[0] == "D"
    assert ops.history_of(disclosure.subject_id)[0].cause is ChangeCause.RULES
    from registry.core.audit import history

    assert [event.action for event in history("supervision_rule_set", rule_set.id)] == ["supervision_rules.create"]


def test_rules_taking_effect_later_wait_for_their_day(make, frozen):
    with frozen(DAY):
        disclosure = make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.SERIOUS)
        ops.create_rule_set(actor=make.user("admin"), effective_from=DAY + timedelta(days=10), default_class="B",
                            rules=_rules(serious_penalty=None), comment="严重处罚不再单独分级")
        assert _class(disclosure.subject) == "C"
    with frozen(DAY + timedelta(days=10)):
        counts = supervision_classes(DAY + timedelta(days=10))
        assert counts["differences"] == 0
        assert ops.current_class(disclosure.subject_id)[0] == "B"


@pytest.mark.parametrize(("values", "field"), [
    ({"effective_from": DAY - timedelta(days=1)}, "effective_from"),
    ({"default_class": "E"}, "default_class"),
    ({"rules": _rules(black_list="X")}, "black_list"),
    ({"comment": "  "}, "comment"),
])
def test_bad_rules_are_refused_and_nothing_is_stored(make, db, on_day, values, field):
    from registry.supervision.models import SupervisionRuleSet

    arguments = {"actor": make.user("admin"), "effective_from": DAY, "default_class": "B", "rules": _rules(),
                 "comment": "调整", **values}
    with pytest.raises((ValidationErrors, ValidationFailed)) as refused:
        ops.create_rule_set(**arguments)
    errors = getattr(refused.value, "errors", None) or [refused.value]
    assert field in {error.field for error in errors}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionRuleSet)) == 1


def test_history_rows_are_written_only_for_changes(make, db, on_day):
    entry = make.entry(EntryStatus.PUBLISHED)
    ops.recompute_subjects([entry.subject_id])
    ops.recompute_subjects([entry.subject_id])
    supervision_classes(DAY)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionClassChange)
                              .where(SupervisionClassChange.subject_id == entry.subject_id))
    assert count == 1


def test_an_expiry_by_date_needs_no_recomputation_the_class_already_counts_the_date(make, frozen):
    from registry.listing.operations import expire_due_entries

    with frozen(DAY):
        entry = make.entry(EntryStatus.PUBLISHED, valid_until=DAY)
        ops.recompute_subjects([entry.subject_id])
    with frozen(DAY + timedelta(days=1)):
        assert expire_due_entries(DAY + timedelta(days=1)) == 1
        # The stored D stays until the nightly recomputation of the day, which moves it to B.
        assert ops.current_class(entry.subject_id)[0] == "D"
        counts = supervision_classes(DAY + timedelta(days=1))
        assert (counts["differences"], counts["changed"]) == (0, 1)
        assert ops.current_class(entry.subject_id)[0] == "B"
