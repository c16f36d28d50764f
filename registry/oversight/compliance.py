"""The compliance figures per unit and month (PRODUCT §9), and how a package adds one.

A figure is a column of the compliance dashboard and of the monthly and quarterly reports::

    register_figure("objections_on_time", _l("Objections handled on time"), order=40,
                    compute=lambda year, month, unit_ids: {unit_id: FigureValue("3/4", ok=False), ...})

``compute`` answers for all units of a month at once (one or a few queries) and may leave a unit
out (shown as "—").  ``ok`` colours the cell: True met, False missed, None neutral.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit
from registry.applications.deadlines import OnTime, handled_on_time_by_unit
from registry.cases.quota import published_in_month
from registry.catalogue import coverage
from registry.core import clock
from registry.core.changes import ChangeEvent
from registry.core.clock import local_midnight_utc, month_bounds
from registry.core.registry import Registry
from registry.core.settings import get_setting
from registry.disclosures import queries as disclosure_queries
from registry.extensions import db
from registry.ledger.duties import Duty, units_carrying
from registry.objections.models import Objection
from registry.oversight.publication import PUBLICATION_RECORD_TYPES, became_public, last_publication_by_unit
from registry.repairs.models import RepairApplication
from registry.repairs.operations import repair_cases_per_unit
from registry.supervision.figures import inspection_figures


@dataclass(frozen=True)
class FigureValue:
    text: str
    ok: bool | None = None
    number: float | None = None  # for charts and spreadsheets


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    order: int
    compute: Callable[[int, int, list[int]], dict[int, FigureValue]]
    on_workbench: bool = True  # counted on the auditor's workbench (False: too slow for a landing page)


FIGURES: Registry[Figure] = Registry("compliance figure", key=lambda figure: figure.key)


def register_figure(key: str, label, *, order: int, compute, on_workbench: bool = True) -> Figure:
    return FIGURES.add(Figure(key, label, order, compute, on_workbench))


def ordered_figures() -> list[Figure]:
    return FIGURES.ordered()


@dataclass
class UnitRow:
    unit: Unit
    values: dict[str, FigureValue] = field(default_factory=dict)


@dataclass
class MonthTable:
    year: int
    month: int
    figures: list[Figure]
    rows: list[UnitRow]

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def active_units(unit_id: int | None = None) -> list[Unit]:
    statement = sa.select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.sort_order, Unit.code)
    if unit_id is not None:
        statement = statement.where(Unit.id == unit_id)
    return list(db.session.scalars(statement))


def month_table(year: int, month: int, unit_id: int | None = None) -> MonthTable:
    units = active_units(unit_id)
    ids = [unit.id for unit in units]
    figures = ordered_figures()
    computed = {figure.key: figure.compute(year, month, ids) for figure in figures}
    rows = [UnitRow(unit, {key: values[unit.id] for key, values in computed.items() if unit.id in values})
            for unit in units]
    return MonthTable(year, month, figures, rows)


def _month_end(year: int, month: int) -> date:
    return month_bounds(year, month)[1] - timedelta(days=1)


# --- built-in figures -----------------------------------------------------------------------------

def _days_since_publication(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
    """Days from the unit's last publication to the month's end (today for the current month)."""
    as_of = min(_month_end(year, month), clock.today())
    last = last_publication_by_unit(until=local_midnight_utc(as_of + timedelta(days=1)))
    found = dict(db.session.execute(sa.select(last.c.unit_id, last.c.last_at)).all())
    gap = get_setting("publication_gap_days")
    carrying = units_carrying(Duty.PUBLICATION, as_of)
    values = {}
    for unit_id in unit_ids:
        days = (as_of - clock.local(found[unit_id]).date()).days if unit_id in found else None
        text = str(_l("never")) if days is None else str(days)
        # A unit without the publication duty (seed task 12, ``ledger.duties``) is never red.
        ok = None if unit_id not in carrying else (days is not None and days < gap)
        values[unit_id] = FigureValue(text, ok=ok, number=days)
    return values


def _case_quota(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
    """Published cases dated in the month against the quota (``cases.quota``'s one definition)."""
    counts = dict(db.session.execute(published_in_month(year, month)).tuples().all())
    quota = get_setting("case_quota_per_month")
    month_over = clock.today() > _month_end(year, month)
    carrying = units_carrying(Duty.CASE_QUOTA, month_bounds(year, month)[0])
    values = {}
    for unit_id in unit_ids:
        done = counts.get(unit_id, 0)
        if unit_id not in carrying:  # no duty, never red: "—" (不适用), the count kept for the charts
            values[unit_id] = FigureValue(str(_l("n/a")), ok=None, number=done)
            continue
        met = done >= quota
        values[unit_id] = FigureValue(f"{done}/{quota}", ok=True if met else (False if month_over else None),
                                      number=done)
    return values


def _publications(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
    first, following = month_bounds(year, month)
    counts = dict(db.session.execute(
        sa.select(ChangeEvent.unit_id, sa.func.count()).where(
            ChangeEvent.record_type.in_(PUBLICATION_RECORD_TYPES), became_public(),
            ChangeEvent.occurred_at >= local_midnight_utc(first),
            ChangeEvent.occurred_at < local_midnight_utc(following),
        ).group_by(ChangeEvent.unit_id)
    ).all())
    return {unit_id: FigureValue(str(counts.get(unit_id, 0)), number=counts.get(unit_id, 0)) for unit_id in unit_ids}


register_figure("publications", _l("Publications in the month"), order=10, compute=_publications)
register_figure("days_since_publication", _l("Days since last publication"), order=30,
                compute=_days_since_publication)
register_figure("case_quota", _l("Verified cases / quota"), order=50, compute=_case_quota)


def _inspections(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
    """Random inspections (PRODUCT §16): results published on time / published in the month, and the
    plans of the year; red when a result was late."""
    return {unit_id: FigureValue(str(_l("%(on_time)s/%(done)s on time; %(plans)s plans", on_time=f.on_time,
                                        done=f.results, plans=f.plans_this_year)),
                                 ok=None if not f.results else f.on_time == f.results, number=f.results)
            for unit_id, f in inspection_figures(year, month, unit_ids).items()}


register_figure("inspections", _l("Random inspections: results on time"), order=65, compute=_inspections)


def on_time_rates(year: int, month: int) -> dict:
    """The disclosures' on-time rates per unit."""
    return disclosure_queries.on_time_rates(year, month)


def _disclosures_on_time(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
    rates = on_time_rates(year, month)
    values = {}
    for unit_id in unit_ids:
        rate = rates.get(unit_id)
        if rate is None or not rate.due:
            values[unit_id] = FigureValue("0/0")
            continue
        values[unit_id] = FigureValue(f"{rate.on_time}/{rate.due}", ok=rate.late == 0,
                                      number=round(rate.rate * 100, 1))
    return values

register_figure("disclosures_on_time", _l("Disclosures on time / due"), order=20, compute=_disclosures_on_time)


def _handled_on_time_figure(model):
    """A figure from the applications' ``handled_on_time_by_unit`` (objections, repairs)."""
    def compute(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
        results = handled_on_time_by_unit(model, year, month)
        values = {}
        for unit_id in unit_ids:
            result = results.get(unit_id, OnTime(handled=0, on_time=0))
            values[unit_id] = FigureValue(
                f"{result.on_time}/{result.handled}", ok=(result.late == 0) if result.handled else None,
                number=round(result.rate * 100, 1) if result.rate is not None else None,
            )
        return values

    return compute


register_figure("objections_on_time", _l("Objections handled on time"), order=40,
                compute=_handled_on_time_figure(Objection))
register_figure("repairs_on_time", _l("Repair applications handled on time"), order=45,
                compute=_handled_on_time_figure(RepairApplication))


def _repair_cases(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
    """Repair cases of the month (seed task 19): filed, and approved of those finished."""
    wanted = set(unit_ids)
    return {
        row.unit_id: FigureValue(f"{row.filed} / {row.approved}", number=row.filed)
        for row in repair_cases_per_unit(year, month) if row.unit_id in wanted
    }

register_figure("repair_cases", _l("Repair applications filed / approved"), order=47, compute=_repair_cases)

def _coverage_figure(year: int, month: int, unit_ids: list[int]) -> dict[int, FigureValue]:
    """Subjects with at least one credit record / subjects known, over the unit's fields."""
    known: dict[int, int] = {}
    covered: dict[int, int] = {}
    for row in coverage.coverage(year, month):
        known[row.unit_id] = known.get(row.unit_id, 0) + row.known
        covered[row.unit_id] = covered.get(row.unit_id, 0) + row.covered
    target = get_setting("coverage_target_percent")
    values = {}
    for unit_id in unit_ids:
        if not known.get(unit_id):
            continue
        share = round(100 * covered[unit_id] / known[unit_id], 1)
        values[unit_id] = FigureValue(f"{share}%", ok=share >= target, number=share)
    return values

# Coverage reads every known subject (seconds at a million): the compliance page shows it, the workbench does not.
register_figure("coverage", _l("Coverage of known subjects"), order=60, compute=_coverage_figure, on_workbench=False)


def last_months(today: date, n: int = 12) -> list[tuple[int, int]]:
    """The ``n`` months up to and including today's, oldest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(n):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def on_time_series(today: date, unit_id: int | None = None) -> list[tuple[str, float | None, int]]:
    """Per month of the last 12: (YYYY-MM, share of disclosures published on time or None, due)."""
    units = {unit.id for unit in active_units(unit_id)}
    series = []
    for year, month in last_months(today):
        rates = [rate for uid, rate in on_time_rates(year, month).items() if uid in units]
        due, on_time = sum(rate.due for rate in rates), sum(rate.on_time for rate in rates)
        series.append((f"{year:04d}-{month:02d}", on_time / due if due else None, due))
    return series
