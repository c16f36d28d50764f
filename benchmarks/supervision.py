"""Supervision at provincial scale: recomputing every class, and a draw over the whole
population (every subject, with its class), timed.  Targets at 1,000,000 subjects: recompute ≤ 60 s,
draw ≤ 5 s (the algorithm over the frozen population; storing the members is timed apart)."""

from __future__ import annotations

import time
from datetime import date

import sqlalchemy as sa


def supervision(app, today: date) -> dict:
    from registry.core import clock
    from registry.extensions import db
    from registry.subjects.models import Subject
    from registry.supervision import draw as algorithm
    from registry.supervision.classes import rule_set_on
    from registry.supervision.models import SubjectSupervisionClass
    from registry.supervision.operations import ensure_default_rules, recompute_all

    with app.app_context(), clock.frozen_at(today):
        ensure_default_rules()
        started = time.perf_counter()
        changed = recompute_all(today)
        db.session.commit()
        recompute_seconds = time.perf_counter() - started
        default = rule_set_on(today).default_class
        started = time.perf_counter()
        rows = db.session.execute(
            sa.select(Subject.identifier, SubjectSupervisionClass.class_code, SubjectSupervisionClass.key_supervision)
            .outerjoin(SubjectSupervisionClass, SubjectSupervisionClass.subject_id == Subject.id))
        members = [algorithm.Member(identifier, code or default, bool(key)) for identifier, code, key in rows]
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        population_hash = algorithm.population_hash(members)
        drawn = algorithm.select(members, "0" * 64, {"A": 3, "B": 5, "C": 20, "D": 100}, {}, 50)
        draw_seconds = time.perf_counter() - started
    return {"recompute_seconds": round(recompute_seconds, 2), "changed": changed,
            "population": len(members), "read_seconds": round(read_seconds, 2),
            "draw_seconds": round(draw_seconds, 2), "drawn": len(drawn), "population_hash": population_hash}
