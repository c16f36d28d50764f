"""Application deadlines (PRODUCT §6, §7, §9): the due-soon and overdue alerts, their scheduled check,
and the handled-on-time figures of the compliance dashboard.

Each kind of application (objections, repairs) registers its ``Handling`` here with
``register_handling``; the check ``application_deadlines`` then covers every registered kind, so
that a kind of application brings its alerts with it and the check names no kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.applications.handling import Handling, due_column
from registry.applications.models import ApplicationStatus
from registry.checks.alerts import OVERDUE, WARNING, json_param, link_to, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.core.calendar_changes import recount, store_recounted
from registry.core.clock import month_bounds
from registry.core.registry import Registry
from registry.core.settings import get_setting
from registry.core.workdays import add_working_days
from registry.extensions import db

S = ApplicationStatus
HANDLINGS: Registry[Handling] = Registry("kind of application", key=lambda handling: handling.kind)
HANDLING_NAMES: dict[str, object] = {}  # kind -> its name ("Objection"), for alerts and the workbench


def register_handling(handling: Handling, name) -> Handling:
    """Make a kind of application known to the deadline check, with its two alert kinds."""
    HANDLINGS.add(handling)
    HANDLING_NAMES[handling.kind] = name
    register_alert_kind(
        f"{handling.kind}_due_soon", label=_l("%(what)s due soon", what=name),
        message=_l("Application %(receipt)s must be accepted or decided by %(due_date)s."),
        severity=WARNING, link=link_to(handling.show_endpoint, "application_id"),
    )
    register_alert_kind(
        f"{handling.kind}_overdue", label=_l("%(what)s overdue", what=name),
        message=_l("Application %(receipt)s was due to be accepted or decided on %(due_date)s."),
        severity=OVERDUE, link=link_to(handling.show_endpoint, "application_id"),
    )
    return handling


def awaiting_action(model):
    """SQL: open applications with a deadline the unit must meet (acceptance, then decision)."""
    return sa.or_(_awaiting_acceptance(model), _awaiting_decision(model))


def _awaiting_acceptance(model):
    return sa.and_(model.status == S.SUBMITTED, model.accept_due.is_not(None))


def _awaiting_decision(model):
    return model.status.in_([S.ACCEPTED, S.PENDING_REVIEW])


def due_soon(model, today: date, lead: int) -> sa.Select:
    """Open applications whose next deadline falls from today to ``lead`` working days ahead."""
    horizon = add_working_days(today, lead)
    due = due_column(model)
    return sa.select(model).where(sa.or_(_awaiting_acceptance(model), _awaiting_decision(model)),
                                  due >= today, due <= horizon)


def overdue(model, today: date) -> sa.Select:
    """Open applications whose next deadline has passed."""
    return sa.select(model).where(sa.or_(_awaiting_acceptance(model), _awaiting_decision(model)),
                                  due_column(model) < today)


@dataclass(frozen=True)
class OnTime:
    handled: int
    on_time: int

    @property
    def late(self) -> int:
        return self.handled - self.on_time

    @property
    def rate(self) -> float | None:
        return self.on_time / self.handled if self.handled else None


def handled_on_time(model, unit_id: int, year: int, month: int) -> OnTime:
    """``handled_on_time_by_unit`` for one unit."""
    return handled_on_time_by_unit(model, year, month).get(unit_id, OnTime(handled=0, on_time=0))


def handled_on_time_by_unit(model, year: int, month: int) -> dict[int, OnTime]:
    """Per unit, applications finished in the month and how many met every deadline (one query).

    On time: accepted (if it was) by its acceptance deadline, and decided by its decision
    deadline; a rejection as inadmissible by the acceptance deadline.
    """
    start, end = month_bounds(year, month)
    accepted_in_time = sa.or_(model.accepted_on.is_(None), model.accepted_on <= model.accept_due)
    on_time = sa.case(
        (model.status == S.INADMISSIBLE, model.decided_on <= model.accept_due),
        else_=sa.and_(accepted_in_time, model.decided_on <= model.decide_due),
    )
    rows = db.session.execute(
        sa.select(model.unit_id, sa.func.count(), sa.func.count(sa.case((on_time, 1)))).where(
            model.status.in_([S.DECIDED, S.INADMISSIBLE]), model.decided_on >= start, model.decided_on < end,
        ).group_by(model.unit_id)
    )
    return {unit_id: OnTime(handled=handled, on_time=punctual) for unit_id, handled, punctual in rows}


def _alert_rows(kind: str, model, statement: sa.Select) -> sa.Select:
    return statement.with_only_columns(
        model.unit_id.label("unit_id"), sa.literal(kind).label("record_type"), model.id.label("record_id"),
        due_column(model).label("due_date"), model.subject_id.label("subject_id"),
        json_param("receipt", model.receipt_number),
    )


@register_check("application_deadlines", order=45, hour=8, minute=0)
def application_deadlines(today: date) -> dict:
    """Applications of every registered kind whose next deadline (acceptance, then decision) is
    within the lead time in working days, and those past it (PRODUCT §9)."""
    lead = get_setting("alert_lead_working_days")
    counts: dict = {}
    for kind, handling in sorted(HANDLINGS.items()):
        model = handling.model
        counts.update(sync_alerts(f"{kind}_due_soon", today, _alert_rows(kind, model, due_soon(model, today, lead)))
                      .counts(f"{kind}_due_soon_"))
        counts.update(sync_alerts(f"{kind}_overdue", today, _alert_rows(kind, model, overdue(model, today)))
                      .counts(f"{kind}_overdue_"))
    return counts


def recount_application_deadlines(model, before, after, actor) -> int:
    """Recount, after a calendar change, the deadline of the step the unit has to take next:
    acceptance, counted from the filing or from the day the requested material arrived; the
    decision, counted from acceptance.  A deadline of a step already taken is history."""
    accept_from = sa.func.coalesce(model.material_supplied_on, model.filed_on)
    accepting = db.session.execute(
        sa.select(model.id, model.unit_id, accept_from, model.accept_due)
        .where(model.status.in_([S.SUBMITTED, S.MATERIAL_REQUESTED]), model.accept_due.is_not(None))
    ).tuples().all()
    deciding = db.session.execute(
        sa.select(model.id, model.unit_id, model.accepted_on, model.decide_due)
        .where(model.status.in_([S.ACCEPTED, S.PENDING_REVIEW]), model.accepted_on.is_not(None),
               model.decide_due.is_not(None))
    ).tuples().all()
    kind = getattr(model, "__audit_type__", model.__tablename__)
    moved = store_recounted(model, model.accept_due, recount(accepting, before, after),
                            action=f"{kind}.recount_accept_due", actor=actor)
    return moved + store_recounted(model, model.decide_due, recount(deciding, before, after),
                                   action=f"{kind}.recount_decide_due", actor=actor)
