"""``flask demo``: every seed and demo step, run twice, leaves records in every state of every
feature, adds nothing the second time, and keeps the audit chain intact."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import sqlalchemy as sa

from registry.core.audit import verify_chain
from registry.core.seeding import DEMO_STEPS, SEED_STEPS
from registry.core.uploads import detect_type


def _run_all() -> None:
    for step in [*SEED_STEPS.ordered(), *DEMO_STEPS.ordered()]:
        step.run()


def _row_counts(db) -> dict[str, int]:
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _uploaded(app) -> int:
    return sum(len(names) for _root, _dirs, names in os.walk(app.config["UPLOAD_FOLDER"]))


@pytest.fixture
def demo(app, db):
    """The demo data, loaded twice; (counts after the first run, after the second, files, files)."""
    _run_all()
    first, files_first = _row_counts(db), _uploaded(app)
    _run_all()
    return first, _row_counts(db), files_first, _uploaded(app)


def test_running_the_demo_twice_adds_nothing_and_the_audit_chain_holds(demo, db):
    first, second, files_first, files_second = demo
    assert {name: n for name, n in second.items() if n != first[name]} == {}
    assert files_second == files_first
    report = verify_chain()
    assert report.ok, report
    assert report.checked > 100


def _check_list_entries_in_every_state(db, app):
    from registry.listing.models import EntryStatus, ListEntry, RemovalReason

    states = set(db.session.scalars(sa.select(ListEntry.status)))
    assert states == set(EntryStatus)
    reasons = set(db.session.scalars(sa.select(ListEntry.removal_reason).where(ListEntry.removal_reason.is_not(None))))
    assert reasons == set(RemovalReason)


def _application_states(db, model) -> Counter:
    from registry.applications.models import ApplicationStatus as S

    counts = Counter()
    for application in db.session.scalars(sa.select(model)):
        if application.rejection_prepared:
            counts["rejection_prepared"] += 1
        elif application.status is S.DECIDED:
            counts[application.outcome.value] += 1
        else:
            counts[application.status.value] += 1
    return counts


def _check_objections_in_every_handling_state(db, app):
    from registry.listing.models import EntryStatus, ListEntry
    from registry.objections.models import Objection

    counts = _application_states(db, Objection)
    assert set(counts) == {"submitted", "material_requested", "accepted", "pending_review", "rejection_prepared",
                           "inadmissible", "upheld", "dismissed"}
    upheld = db.session.scalar(sa.select(Objection).where(Objection.outcome == "upheld", Objection.status == "decided"))
    assert db.session.get(ListEntry, upheld.record_id).status is EntryStatus.WITHDRAWN
    inadmissible = db.session.scalar(sa.select(Objection).where(Objection.status == "inadmissible"))
    assert inadmissible.reviewed_by_id not in (None, inadmissible.prepared_by_id)  # four-eyes


def _check_repairs_in_every_handling_state_and_the_approved_one_removed_its_entry(db, app):
    from registry.listing.models import EntryStatus, ListEntry, RemovalReason
    from registry.repairs.models import RepairApplication

    counts = _application_states(db, RepairApplication)
    assert set(counts) == {"submitted", "material_requested", "accepted", "pending_review", "rejection_prepared",
                           "inadmissible", "approved", "rejected"}
    approved = db.session.scalar(sa.select(RepairApplication).where(RepairApplication.outcome == "approved",
                                                                    RepairApplication.status == "decided"))
    entry = db.session.get(ListEntry, approved.record_id)
    assert entry.status is EntryStatus.REMOVED and entry.removal_reason is RemovalReason.REPAIRED


def _check_evaluations_draft_returned_pending_and_published_with_a_d_grade(db, app):
    from registry.evaluations.models import CreditEvaluation, EvaluationStatus

    rows = list(db.session.scalars(sa.select(CreditEvaluation)))
    states = {e.status for e in rows}
    assert states == set(EvaluationStatus)
    assert any(e.is_returned for e in rows)
    assert any(e.offers_black_list_draft for e in rows)  # a published D grade


def _check_commitments_in_force_and_breached_and_cited_with_their_pdf_stored(db, app):
    from registry.commitments.models import CommitmentBreach, CommitmentStatus, CreditCommitment

    rows = list(db.session.scalars(sa.select(CreditCommitment)))
    assert {c.status for c in rows} == set(CommitmentStatus)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitmentBreach)) >= 1
    for commitment in rows:
        with open(os.path.join(app.config["UPLOAD_FOLDER"], commitment.file_stored_name), "rb") as handle:
            data = handle.read()
        assert detect_type(data) == "application/pdf" and len(data) == commitment.file_size


def _check_ledger_reports_reported_acknowledged_and_amended(db, app):
    from registry.ledger.models import LedgerReport, ReportStatus

    rows = list(db.session.scalars(sa.select(LedgerReport)))
    assert {r.status for r in rows} == set(ReportStatus)
    assert any(r.revision > 1 and r.revisions for r in rows)


def _check_the_earlier_demo_steps_still_load(db, app):
    from registry.cases.models import Case
    from registry.disclosures.models import Disclosure

    for model in (Case, Disclosure):
        assert len({row.status for row in db.session.scalars(sa.select(model))}) > 2, model


def _check_every_identifier_passes_the_standards_checked_independently(db, app):
    from registry.disclosures.models import Disclosure
    from registry.objections.models import Objection
    from registry.repairs.models import RepairApplication
    from registry.subjects.models import Subject
    from tests.standards import plate_valid, ric_valid, uscc_valid

    valid = {"organisation": uscc_valid, "person": ric_valid, "vehicle": plate_valid}
    rows = [(kind.value, value) for kind, value in db.session.execute(sa.select(Subject.kind, Subject.identifier))]
    rows += [(category.subject_kind.value, value) for category, value
             in db.session.execute(sa.select(Disclosure.party_category, Disclosure.party_identifier))]
    rows += [("organisation", value) for value in db.session.scalars(sa.select(Disclosure.authority_uscc))]
    for model in (Objection, RepairApplication):
        rows += [(kind.value, value) for kind, value
                 in db.session.execute(sa.select(model.applicant_kind, model.applicant_identifier))]
    assert {kind for kind, _value in rows} == set(valid)
    assert [(kind, value) for kind, value in rows if not valid[kind](value)] == []


CHECKS = [value for name, value in sorted(globals().items()) if name.startswith("_check_")]


def test_every_feature_has_records_in_every_state_after_two_runs(demo, db, app):
    """One load for all the checks (the demo takes seconds); each check names its feature."""
    failures = []
    for check in CHECKS:
        try:
            check(db, app)
        except AssertionError as error:
            failures.append(f"{check.__name__}: {error}")
    assert failures == []
