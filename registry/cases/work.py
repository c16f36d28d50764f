"""What the joint reward and punishment cases add to the officer's workbench: drafts, and the
unit's case quota for the month (``quota.monthly_quota``).  Each line counts what its link opens."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.cases.models import Case, CaseStatus
from registry.cases.quota import monthly_quota
from registry.core.settings import get_setting
from registry.core.workbench import WorkFilters, WorkLine, register_work_lines

FILTERS = WorkFilters(Case, Case.unit_id)


@FILTERS.add("mine", _l("My drafts"))
def _mine(user, today):
    return sa.and_(Case.status == CaseStatus.DRAFT, Case.created_by_id == user.id)


@FILTERS.add("returned", _l("Returned to me"))
def _returned(user, today):
    return sa.and_(_mine(user, today), Case.review_comment.is_not(None))


@register_work_lines("mine", "cases", order=30)
def mine_lines(user, today):
    counts = FILTERS.count(["mine", "returned"], user, today)
    return [WorkLine(_l("Cases: %(what)s", what=FILTERS.items[key].label), counts[key],
                     url_for("cases.index", work=key), tone=tone, order=30 + offset)
            for offset, (key, tone) in enumerate((("mine", ""), ("returned", "warning")))]


@register_work_lines("quota", "cases", order=10)
def quota_lines(user, today):
    """The unit's published cases with a case date in this month against the monthly quota."""
    row = next((row for row in monthly_quota(today.year, today.month) if row.unit.id == user.unit_id), None)
    if row is None or row.met is None:  # a unit without the duty (ledger.duties): "No quota applies."
        return []
    quota = get_setting("case_quota_per_month")
    return [WorkLine(_l("Published cases this month"), row.published_count,
                     url_for("cases.index", status=CaseStatus.PUBLISHED.value, month=f"{today:%Y-%m}"),
                     tone="" if row.met else "warning", always=True,
                     note=_l("quota %(quota)s: met", quota=quota) if row.met
                     else _l("quota %(quota)s: %(missing)s to go", quota=quota,
                             missing=quota - row.published_count))]
