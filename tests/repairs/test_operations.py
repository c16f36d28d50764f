"""Credit repair: eligibility at its boundary dates, refusals with nothing stored, decisions and effects."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.applications.models import ApplicationFile, ApplicationStatus
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.holds import HoldKind, RecordHold, open_holds
from registry.core.periods import add_months
from registry.core.settings import set_setting
from registry.disclosures.models import DisclosureStatus, Severity
from registry.disclosures.models import RemovalReason as DisclosureRemoval
from registry.listing.models import EntryStatus, RemovalReason
from registry.repairs import operations as ops
from registry.repairs.models import RepairApplication
from tests.conftest import count
from tests.factories.repairs import repair_uploads

S = ApplicationStatus


@pytest.fixture(autouse=True)
def english(db):
    """Messages in English, as the assertions are (outside a request the default is Chinese)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _entry_at(make, valid_from: date, **fields):
    entry = make.entry("published", **fields)
    entry.valid_from = valid_from
    entry.valid_until = add_months(valid_from, entry.category.validity_months)
    make.db.session.flush()
    return entry


# ---------------------------------------------------------------------------------------------
# Eligibility


# The category's minimum is 12 months; its last day is the corresponding day (民法典 art. 202), the
# party may apply from the next day.  Dates by hand.
@pytest.mark.parametrize(("published", "eligible_from"), [
    (date(2025, 6, 1), date(2026, 6, 2)),
    (date(2024, 2, 29), date(2025, 3, 1)),   # no 29 February 2025: the period ends on the 28th
    (date(2025, 12, 31), date(2027, 1, 1)),
])
def test_black_entry_eligible_once_the_categorys_minimum_is_over(make, db, frozen, published, eligible_from):
    entry = _entry_at(make, published)
    assert entry.category.repair_min_months == 12
    with frozen(eligible_from - timedelta(days=1)):
        verdict = ops.eligibility(entry)
        assert not verdict.eligible and verdict.eligible_from == eligible_from
        assert eligible_from.isoformat() in str(verdict.reason)
        with pytest.raises(ValidationFailed) as refused:
            make.repair(entry)
        assert refused.value.field == "record" and eligible_from.isoformat() in str(refused.value.message)
        assert count(RepairApplication) == 0 and count(ApplicationFile) == 0 and count(RecordHold) == 0
    with frozen(eligible_from):
        assert ops.eligibility(entry).eligible
        application, _code = make.repair(entry)
    assert application.receipt_number == f"XF{eligible_from:%Y%m%d}-0001"
    assert open_holds("list_entry", [entry.id])[entry.id] == {HoldKind.REPAIR}


# Defaults: general 3 months, serious 12 months from the decision (NDRC measures); dates by hand.
@pytest.mark.parametrize(("severity", "decided", "eligible_from"), [
    (Severity.GENERAL, date(2026, 1, 5), date(2026, 4, 6)),
    (Severity.GENERAL, date(2026, 1, 31), date(2026, 5, 1)),     # 30 April is the period's last day
    (Severity.GENERAL, date(2025, 11, 30), date(2026, 3, 1)),    # 28 February is
    (Severity.GENERAL, date(2027, 11, 29), date(2028, 3, 1)),    # 29 February 2028 is
    (Severity.SERIOUS, date(2026, 1, 5), date(2027, 1, 6)),
    (Severity.SERIOUS, date(2028, 2, 29), date(2029, 3, 1)),
])
def test_penalty_eligible_once_the_minimum_from_the_decision_is_over(make, db, frozen, severity, decided,
                                                                       eligible_from):
    disclosure = make.disclosure("published", severity=severity, decision_date=decided, published_on=decided)
    with frozen(eligible_from - timedelta(days=1)):
        verdict = ops.eligibility(disclosure)
        assert not verdict.eligible and verdict.eligible_from == eligible_from
    with frozen(eligible_from):
        assert ops.eligibility(disclosure).eligible


def test_the_penalty_minimum_follows_the_setting(make, db, frozen):
    decided = date(2026, 1, 5)
    disclosure = make.disclosure("published", severity=Severity.GENERAL, decision_date=decided, published_on=decided)
    set_setting("penalty_general_repair_after_months", 1, make.user("admin"))
    with frozen(date(2026, 2, 5)):
        assert not ops.eligibility(disclosure).eligible
    with frozen(date(2026, 2, 6)):
        assert ops.eligibility(disclosure).eligible


def test_a_red_entry_cannot_be_repaired(make, db):
    entry = make.entry("published", category="道路运输守信")
    with pytest.raises(ValidationFailed) as refused:
        make.repair(entry)
    assert "red list" in str(refused.value.message)
    assert count(RepairApplication) == 0


def test_a_category_without_repair_says_so(make, db):
    entry = make.repairable_entry()
    entry.category.repair_allowed = False
    db.session.flush()
    verdict = ops.eligibility(entry)
    assert not verdict.eligible and "cannot be repaired" in str(verdict.reason)
    entry.category.repair_allowed = True
    db.session.flush()


@pytest.mark.parametrize("status", [EntryStatus.IN_PUBLICITY, EntryStatus.EXPIRED, EntryStatus.DRAFT])
def test_only_a_published_entry_can_be_repaired(make, db, status):
    with pytest.raises(ValidationFailed):
        make.repair(make.entry(status))


def test_a_licence_or_a_penalty_out_of_view_cannot_be_repaired(make, db):
    with pytest.raises(ValidationFailed) as refused:
        make.repair(make.disclosure("published", kind="licence"))
    assert "licence" in str(refused.value.message).lower()
    with pytest.raises(ValidationFailed):
        make.repair(make.disclosure("removed", removal_reason=DisclosureRemoval.REVOKED))


def test_a_second_open_repair_for_the_same_record_is_refused(make, db):
    entry = make.repairable_entry()
    make.repair(entry)
    with pytest.raises(ValidationFailed) as refused:
        make.repair(entry)
    assert "already being handled" in str(refused.value.message)
    assert count(RepairApplication) == 1


def test_the_database_holds_one_open_repair_per_record(make, db):
    import sqlalchemy as sa

    entry = make.repairable_entry()
    first, _ = make.repair(entry)
    duplicate = RepairApplication(**{c.key: getattr(first, c.key) for c in RepairApplication.__table__.columns
                                     if c.key not in ("id", "receipt_number")}, receipt_number="XF20990101-0001")
    db.session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_after_a_rejection_a_new_application_may_be_filed(make, db):
    entry = make.repairable_entry()
    application, _ = make.repair(entry)
    ops.reject(application, make.user("clerk"), application.version, "材料与本记录无关。")
    assert not ops.eligibility(entry).eligible  # only prepared: still open until a reviewer confirms
    ops.confirm_rejection(application, make.user("reviewer"), application.version)
    assert ops.eligibility(entry).eligible


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"uploads": repair_uploads(skip=("commitment_letter",))}, "commitment_letter"),
    ({"uploads": repair_uploads(skip=("application_form",))}, "application_form"),
    ({"uploads": repair_uploads(skip=("fulfilment_proof",))}, "fulfilment_proof"),
    ({"statement": ""}, "statement"),
    ({"phone": "abcdefg"}, "phone"),
])
def test_incomplete_applications_are_refused_naming_the_field(make, db, kwargs, field):
    entry = make.repairable_entry()
    with pytest.raises(ValidationFailed) as refused:
        make.repair(entry, **kwargs)
    assert refused.value.field == field
    assert count(RepairApplication) == 0 and count(ApplicationFile) == 0


def test_the_training_certificate_is_optional(make, db):
    application, _ = make.repair(make.repairable_entry(), uploads=repair_uploads(training=True))
    assert count(ApplicationFile, ApplicationFile.application_id == application.id,
                 ApplicationFile.application_kind == "repair") == 4


# ---------------------------------------------------------------------------------------------
# Decisions and effects


def _decide(make, application, outcome):
    clerk, reviewer = make.user("clerk"), make.user("reviewer")
    ops.accept(application, clerk, application.version)
    ops.prepare_decision(application, clerk, application.version, outcome, "经审核。")
    ops.confirm(application, reviewer, application.version)


def test_approved_repair_removes_the_entry_as_repaired(make, db):
    entry = make.repairable_entry()
    application, _ = make.repair(entry)
    _decide(make, application, "approved")
    assert application.status is S.DECIDED
    assert entry.status is EntryStatus.REMOVED and entry.removal_reason is RemovalReason.REPAIRED
    assert open_holds("list_entry", [entry.id])[entry.id] == set()


def test_approved_repair_takes_the_penalty_out_of_public_view(make, db, frozen):
    decided = date(2026, 1, 5)
    disclosure = make.disclosure("published", decision_date=decided, published_on=decided)
    with frozen(date(2026, 6, 1)):
        application, _ = make.repair(disclosure)
        _decide(make, application, "approved")
    assert disclosure.status is DisclosureStatus.REMOVED and disclosure.removal_reason is DisclosureRemoval.REPAIRED


def test_rejected_repair_keeps_the_record(make, db):
    entry = make.repairable_entry()
    application, _ = make.repair(entry)
    _decide(make, application, "rejected")
    assert entry.status is EntryStatus.PUBLISHED and application.outcome.value == "rejected"
    assert open_holds("list_entry", [entry.id])[entry.id] == set()


def test_four_eyes_on_repair_decisions(make, db):
    application, _ = make.repair(make.repairable_entry())
    reviewer = make.user("reviewer")
    ops.accept(application, reviewer, application.version)
    ops.prepare_decision(application, reviewer, application.version, "approved", "理由。")
    with pytest.raises(PermissionDenied):
        ops.confirm(application, reviewer, application.version)
    with pytest.raises(PermissionDenied):
        ops.confirm(application, make.user("reviewer", unit="CS"), application.version)


def test_repair_deadlines_are_five_and_ten_working_days(make, db, frozen):
    with frozen(date(2026, 6, 1)):
        application, _ = make.repair(make.repairable_entry())
        assert application.accept_due == date(2026, 6, 8)
        ops.accept(application, make.user("clerk"), application.version)
        assert application.decide_due == date(2026, 6, 15)
    assert [a.id for a in make.db.session.scalars(ops.overdue(date(2026, 6, 16)))] == [application.id]


def test_repair_cases_per_unit_and_month(make, db, frozen):
    with frozen(date(2026, 6, 1)):
        approved, _ = make.repair(make.repairable_entry())
        rejected, _ = make.repair(make.repairable_entry())
        inadmissible, _ = make.repair(make.repairable_entry(unit="CS"))
        _decide(make, approved, "approved")
        _decide(make, rejected, "rejected")
        ops.reject(inadmissible, make.user("clerk", unit="CS"), inadmissible.version, "不属于本单位。")
        ops.confirm_rejection(inadmissible, make.user("reviewer", unit="CS"), inadmissible.version)
    with frozen(date(2026, 7, 1)):
        make.repair(make.repairable_entry())
    june = {row.unit_id: row for row in ops.repair_cases_per_unit(2026, 6)}
    jjc, cs = make.unit("JJC").id, make.unit("CS").id
    assert (june[jjc].filed, june[jjc].approved, june[jjc].rejected, june[jjc].inadmissible) == (2, 1, 1, 0)
    assert (june[cs].filed, june[cs].inadmissible) == (1, 1)
    july = {row.unit_id: row for row in ops.repair_cases_per_unit(2026, 7)}
    assert july[jjc].filed == 1 and july[jjc].approved == 0
    assert ops.handled_on_time(jjc, 2026, 6).on_time == 2
