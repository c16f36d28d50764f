"""What the 双公示 disclosures add to the officer's workbench: drafts, and publication deadlines
within 5 working days or past.  Each line counts what its link opens (``?work=`` on the list)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.workbench import DEADLINE_WORKING_DAYS, WorkFilters, WorkLine, register_work_lines
from registry.core.workdays import add_working_days
from registry.disclosures.models import Disclosure, DisclosureStatus
from registry.disclosures.queries import UNPUBLISHED, awaiting_publication

FILTERS = WorkFilters(Disclosure, Disclosure.unit_id, narrow=Disclosure.status.in_(UNPUBLISHED))


@FILTERS.add("mine", _l("My drafts"))
def _mine(user, today):
    return sa.and_(Disclosure.status == DisclosureStatus.DRAFT, Disclosure.created_by_id == user.id)


@FILTERS.add("returned", _l("Returned to me"))
def _returned(user, today):
    return sa.and_(_mine(user, today), Disclosure.review_comment.is_not(None))


@FILTERS.add("due_soon", _l("Publication due within 5 working days"))
def _due_soon(user, today):
    horizon = add_working_days(today, DEADLINE_WORKING_DAYS)
    return sa.and_(awaiting_publication(), Disclosure.publication_deadline >= today,
                   Disclosure.publication_deadline <= horizon)


@FILTERS.add("overdue", _l("Publication overdue"))
def _overdue(user, today):
    return sa.and_(awaiting_publication(), Disclosure.publication_deadline < today)


def _line(key: str, count: int, order: int, tone: str = "") -> WorkLine:
    return WorkLine(_l("Disclosures: %(what)s", what=FILTERS.items[key].label), count,
                    url_for("disclosures.index", work=key), tone=tone, order=order)


@register_work_lines("mine", "disclosures", order=20)
def mine_lines(user, today):
    counts = FILTERS.count(["mine", "returned"], user, today)
    return [_line("mine", counts["mine"], 20), _line("returned", counts["returned"], 21, "warning")]


@register_work_lines("deadlines", "disclosures", order=10)
def deadline_lines(user, today):
    counts = FILTERS.count(["due_soon", "overdue"], user, today)
    return [_line("due_soon", counts["due_soon"], 10, "warning"), _line("overdue", counts["overdue"], 11, "overdue")]
