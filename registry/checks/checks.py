"""The generic scheduled checks (SPEC §9) and their alert kinds.

Checks owned by a domain package live in that package's ``checks.py`` (list entries: publicity
end, validity end).  The ones here read only the core (the change feed, the calendar) or a
package's published query helpers, imported when the package exists:

| check                 | when            | alert kinds |
|-----------------------|-----------------|-------------|
| disclosure_deadline   | daily 08:00     | disclosure_due_soon, disclosure_overdue |
| application_deadlines | daily 08:00     | objection_due_soon/_overdue, repair_due_soon/_overdue |
| biweekly_publication  | daily 08:00     | publication_gap |
| monthly_case_quota    | daily 08:00     | case_quota_warning, case_quota_overdue |
| calendar_apply        | daily 00:20     | (none: applies the holidays package, recounts deadlines) |
| calendar_coverage     | daily 07:00     | calendar_missing |
| exchange_batch        | daily 02:00     | (none: status on the exchange page) |

The exchange batch runs daily, not only on the 1st: on the 1st it builds last month's batch, and
every run retries deliveries that failed, so a failure is retried the next night.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit
from registry.checks.alerts import OVERDUE, WARNING, canonical_json, link_to, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.core import clock
from registry.core.changes import ChangeEvent, ChangeKind
from registry.core.clock import month_bounds
from registry.core.modules import optional_module
from registry.core.settings import get_setting
from registry.core.workdays import apply_sources, current_calendar

# Record types whose publication counts as "credit information" (SPEC §9: disclosure, entry, case).
PUBLICATION_RECORD_TYPES = ("disclosure", "list_entry", "case")
CASE_RECORD_TYPE = "case"


def local_midnight_utc(day: date) -> datetime:
    """The instant Asia/Shanghai's ``day`` begins, for comparing with UTC timestamps."""
    return datetime.combine(day, time(0), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def json_param(key: str, column):
    """SQL: ``{"key": column}`` as JSON text, for an alert's message values (quotes escaped by the
    database's own JSON function)."""
    from registry.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.json_build_object(key, column), sa.Text).label("params")
    return sa.func.json_object(key, column).label("params")


# --- calendar coverage ------------------------------------------------------------------------

register_alert_kind(
    "calendar_missing", label=_l("Working-day arrangement not entered"),
    message=_l("The working-day arrangement for %(record_id)s is not entered: deadlines in that year count the "
               "statutory holidays only. Enter the State Council's arrangement (its 调休 days) and declare it "
               "entered, or update the holidays package."),
    severity=OVERDUE, link=lambda alert: _admin_calendar_link(),
)


def _admin_calendar_link():
    from flask import url_for
    from werkzeug.routing import BuildError

    try:
        return url_for("admin.calendar")
    except BuildError:
        return None


def years_needed(today: date) -> set[int]:
    """Years deadline computations use now: this year, next year from 1 December, and any year
    the calendar had to count on statutory holidays only in this process."""
    calendar = current_calendar()
    years = {today.year, *calendar.provisional_years}
    if today.month == 12:
        years.add(today.year + 1)
    return years


@register_check("calendar_coverage", order=90, hour=7, minute=0)
def calendar_coverage(today: date) -> dict:
    """Alert the administrators while a year that deadlines need has no complete arrangement."""
    calendar = current_calendar()
    missing = sorted(year for year in years_needed(today) if not calendar.is_complete(year))
    rows = [{"unit_id": None, "record_type": "calendar_year", "record_id": year, "due_date": date(year, 1, 1)}
            for year in missing]
    result = sync_alerts("calendar_missing", today, rows)
    return {"missing_years": len(missing), **result.counts()}


@register_check("calendar_apply", order=5, hour=0, minute=20)
def calendar_apply(today: date) -> dict:
    """Bring a new version of the holidays package into force and recount the open deadlines,
    before the publicity-end check (00:30) publishes anything."""
    applied = apply_sources(today)
    return {"years_changed": len(applied.years), "deadlines_recounted": applied.moved}


# --- biweekly publication ---------------------------------------------------------------------

register_alert_kind(
    "publication_gap", label=_l("No publication"),
    message=_l("Your unit has published no credit information (disclosure, list entry or case) "
               "in the last %(days)s days."),
    link=link_to("checks.dashboard", "unit", _anchor="publication"),
)


def last_publication_by_unit(until: datetime | None = None) -> sa.Subquery:
    """Per unit, the time of its latest publication of credit information (from the change feed)."""
    statement = sa.select(ChangeEvent.unit_id.label("unit_id"),
                          sa.func.max(ChangeEvent.occurred_at).label("last_at")).where(
        ChangeEvent.unit_id.is_not(None), ChangeEvent.change == ChangeKind.PUBLISHED,
        ChangeEvent.record_type.in_(PUBLICATION_RECORD_TYPES),
    )
    if until is not None:
        statement = statement.where(ChangeEvent.occurred_at < until)
    return statement.group_by(ChangeEvent.unit_id).subquery("last_publication")


@register_check("biweekly_publication", order=50, hour=8, minute=0)
def biweekly_publication(today: date) -> dict:
    """Alert every active unit that published nothing in the last ``publication_gap_days`` days.

    "In the last N days" is the N calendar days ending today (Asia/Shanghai): a unit that last
    published on D is alerted from D + N.
    """
    gap = get_setting("publication_gap_days")
    window_start = local_midnight_utc(today - timedelta(days=gap - 1))
    recent = sa.exists().where(
        ChangeEvent.unit_id == Unit.id, ChangeEvent.change == ChangeKind.PUBLISHED,
        ChangeEvent.record_type.in_(PUBLICATION_RECORD_TYPES), ChangeEvent.occurred_at >= window_start,
    )
    rows = sa.select(
        Unit.id.label("unit_id"), sa.literal("unit").label("record_type"), Unit.id.label("record_id"),
        sa.literal(canonical_json({"days": gap})).label("params"),
    ).where(Unit.is_active.is_(True), ~recent)
    return sync_alerts("publication_gap", today, rows).counts()


# --- monthly case quota -----------------------------------------------------------------------

register_alert_kind(
    "case_quota_warning", label=_l("Case quota not met yet"),
    message=_l("Your unit has recorded fewer verified joint reward and punishment cases this month than "
               "the quota (%(quota)s); the month ends on %(due_date)s."),
)
register_alert_kind(
    "case_quota_overdue", label=_l("Case quota missed"),
    message=_l("Your unit recorded fewer verified joint reward and punishment cases in %(month)s than the "
               "quota (%(quota)s)."),
    severity=OVERDUE,
)


def units_short_of_quota(year: int, month: int, quota: int, until: datetime | None = None) -> sa.Select:
    """Active units with fewer than ``quota`` cases published (verified) in the month.

    Cases are counted from the change feed (record type ``case``, change ``published``), which the
    cases package writes when a reviewer verifies a case, so this needs nothing from that package.
    """
    first, following = month_bounds(year, month)
    end = local_midnight_utc(following)
    if until is not None:
        end = min(end, until)
    published = sa.select(sa.func.count(sa.distinct(ChangeEvent.record_id))).where(
        ChangeEvent.unit_id == Unit.id, ChangeEvent.record_type == CASE_RECORD_TYPE,
        ChangeEvent.change == ChangeKind.PUBLISHED,
        ChangeEvent.occurred_at >= local_midnight_utc(first), ChangeEvent.occurred_at < end,
    ).scalar_subquery()
    return sa.select(Unit.id).where(Unit.is_active.is_(True), published < quota)


def _quota_rows(year: int, month: int, quota: int) -> sa.Select:
    short = units_short_of_quota(year, month, quota).subquery()
    last_day = month_bounds(year, month)[1] - timedelta(days=1)
    return sa.select(
        short.c.id.label("unit_id"), sa.literal("unit").label("record_type"), short.c.id.label("record_id"),
        sa.literal(last_day, sa.Date()).label("due_date"),
        sa.literal(canonical_json({"month": f"{year:04d}-{month:02d}", "quota": quota})).label("params"),
    )


@register_check("monthly_case_quota", order=60, hour=8, minute=0)
def monthly_case_quota(today: date) -> dict:
    """From the warning day, warn units short of this month's quota; from the 1st, flag last month's.

    The overdue alert names the latest month missed; it stays open while the unit keeps missing
    months and resolves on the 1st of a month after one in which the unit met the quota.
    """
    quota = get_setting("case_quota_per_month")
    counts: dict[str, int] = {}
    if quota and today.day >= get_setting("case_quota_warning_day"):
        warning = _quota_rows(today.year, today.month, quota)
    else:
        warning = []
    counts.update(sync_alerts("case_quota_warning", today, warning).counts("warning_"))
    last_month = today.replace(day=1) - timedelta(days=1)
    overdue = _quota_rows(last_month.year, last_month.month, quota) if quota else []
    counts.update(sync_alerts("case_quota_overdue", today, overdue).counts("overdue_"))
    return counts


# --- disclosure deadlines (when the disclosures package is installed) -----------------------------

_disclosure_queries = optional_module("registry.disclosures.queries")

if _disclosure_queries is not None:
    register_alert_kind(
        "disclosure_due_soon", label=_l("Disclosure due soon"),
        message=_l("Disclosure %(number)s must be published by %(due_date)s."),
        severity=WARNING, link=link_to("disclosures.show", "disclosure_id"),
    )
    register_alert_kind(
        "disclosure_overdue", label=_l("Disclosure overdue"),
        message=_l("Disclosure %(number)s was due for publication on %(due_date)s and is not published."),
        severity=OVERDUE, link=link_to("disclosures.show", "disclosure_id"),
    )

    def _disclosure_rows(statement: sa.Select) -> sa.Select:
        from registry.disclosures.models import Disclosure

        return statement.with_only_columns(
            Disclosure.unit_id.label("unit_id"), sa.literal("disclosure").label("record_type"),
            Disclosure.id.label("record_id"), Disclosure.publication_deadline.label("due_date"),
            Disclosure.subject_id.label("subject_id"), json_param("number", Disclosure.decision_number),
        )

    @register_check("disclosure_deadline", order=40, hour=8, minute=0)
    def disclosure_deadline(today: date) -> dict:
        """Unpublished disclosures due within the lead time (working days), and overdue ones."""
        lead = get_setting("alert_lead_working_days")
        counts = sync_alerts("disclosure_due_soon", today,
                             _disclosure_rows(_disclosure_queries.due_soon(today, lead))).counts("due_soon_")
        counts.update(sync_alerts("disclosure_overdue", today,
                                  _disclosure_rows(_disclosure_queries.overdue(today))).counts("overdue_"))
        return counts


# --- objection and repair deadlines (when those packages are installed) ---------------------------

_APPLICATION_PACKAGES = {
    kind: module
    for kind, module in (("objection", optional_module("registry.objections.operations")),
                         ("repair", optional_module("registry.repairs.operations")))
    if module is not None
}

_APPLICATION_NAMES = {"objection": _l("Objection"), "repair": _l("Credit repair application")}
for _kind in _APPLICATION_PACKAGES:
    _endpoint = "objections.officer_show" if _kind == "objection" else "repairs.officer_show"
    register_alert_kind(
        f"{_kind}_due_soon", label=_l("%(what)s due soon", what=_APPLICATION_NAMES[_kind]),
        message=_l("Application %(receipt)s must be accepted or decided by %(due_date)s."),
        severity=WARNING, link=link_to(_endpoint, "application_id"),
    )
    register_alert_kind(
        f"{_kind}_overdue", label=_l("%(what)s overdue", what=_APPLICATION_NAMES[_kind]),
        message=_l("Application %(receipt)s was due to be accepted or decided on %(due_date)s."),
        severity=OVERDUE, link=link_to(_endpoint, "application_id"),
    )


def _application_rows(kind: str, statement: sa.Select) -> sa.Select:
    from registry.objections.handling import due_column

    model = statement.column_descriptions[0]["entity"]
    return statement.with_only_columns(
        model.unit_id.label("unit_id"), sa.literal(kind).label("record_type"), model.id.label("record_id"),
        due_column(model).label("due_date"), model.subject_id.label("subject_id"),
        json_param("receipt", model.receipt_number),
    )


if _APPLICATION_PACKAGES:

    @register_check("application_deadlines", order=45, hour=8, minute=0)
    def application_deadlines(today: date) -> dict:
        """Objections and repair applications whose next deadline (acceptance, then decision) is
        within the lead time in working days, and those past it (SPEC §9)."""
        lead = get_setting("alert_lead_working_days")
        counts: dict = {}
        for kind, operations in _APPLICATION_PACKAGES.items():
            counts.update(sync_alerts(f"{kind}_due_soon", today,
                                      _application_rows(kind, operations.due_soon(today, lead)))
                          .counts(f"{kind}_due_soon_"))
            counts.update(sync_alerts(f"{kind}_overdue", today, _application_rows(kind, operations.overdue(today)))
                          .counts(f"{kind}_overdue_"))
        return counts


# --- exchange batches -----------------------------------------------------------------------------

@register_check("exchange_batch", order=95, hour=2, minute=0)
def exchange_batch(today: date) -> dict:
    """Build last month's exchange batch (once) and deliver every batch not yet delivered."""
    from registry.exchange import batches

    return batches.scheduled_run(today)
