"""The demo data has a random-inspection plan in progress and supervision classes."""

from __future__ import annotations

import sqlalchemy as sa

from registry.core.seeding import DEMO_STEPS, SEED_STEPS
from registry.supervision.inspection_models import InspectionPlan, InspectionResult, PlanStatus
from registry.supervision.models import SubjectSupervisionClass
from registry.supervision.seed import DEMO_PLAN


def _run_all() -> None:
    for step in [*SEED_STEPS.ordered(), *DEMO_STEPS.ordered()]:
        step.run()


def test_the_demo_has_a_drawn_plan_with_a_result_and_classes_and_a_second_run_adds_nothing(app, db):
    _run_all()
    plan = db.session.scalar(sa.select(InspectionPlan).where(InspectionPlan.name == DEMO_PLAN))
    assert plan.status is PlanStatus.DRAWN and plan.current_draw.selected_count >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionResult)) == 1
    classes = set(db.session.scalars(sa.select(SubjectSupervisionClass.class_code)))
    assert {"A", "D"} <= classes
    counts = (db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan)),
              db.session.scalar(sa.select(sa.func.count()).select_from(SubjectSupervisionClass)))
    _run_all()
    assert counts == (db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan)),
                      db.session.scalar(sa.select(sa.func.count()).select_from(SubjectSupervisionClass)))


def test_the_benchmark_step_recomputes_and_draws_over_every_subject(app, db, make):
    from benchmarks.supervision import supervision
    from registry.core import clock
    from registry.listing.models import EntryStatus

    with db.session.no_autoflush:
        make.entry(EntryStatus.PUBLISHED)
    subjects = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("subjects")))
    figures = supervision(app, clock.today())
    assert figures["population"] == subjects and figures["changed"] >= 1 and len(figures["population_hash"]) == 64
