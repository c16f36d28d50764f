"""What the list entries add to the officer's workbench: drafts, publicity ends, validity ends.

Each line counts what its link opens: the entry list applies the same ``FILTERS`` (``?work=``).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.workbench import DEADLINE_WORKING_DAYS, WorkFilters, WorkLine, register_work_lines
from registry.core.workdays import add_working_days
from registry.listing.models import EntryStatus, ListEntry

FILTERS = WorkFilters(ListEntry, ListEntry.unit_id)


def week_end(today: date) -> date:
    """The Sunday of ``today``'s week (weeks run Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


@FILTERS.add("mine", _l("My drafts"))
def _mine(user, today):
    return sa.and_(ListEntry.status == EntryStatus.DRAFT, ListEntry.created_by_id == user.id)


@FILTERS.add("returned", _l("Returned to me"))
def _returned(user, today):
    return sa.and_(_mine(user, today), ListEntry.review_comment.is_not(None))


@FILTERS.add("publicity_ends", _l("Publicity ends within 5 working days"))
def _publicity_ends(user, today):
    horizon = add_working_days(today, DEADLINE_WORKING_DAYS)
    return sa.and_(ListEntry.status == EntryStatus.IN_PUBLICITY, ListEntry.publicity_end >= today,
                   ListEntry.publicity_end <= horizon)


@FILTERS.add("publicity_ended", _l("Publicity ended, not yet published"))
def _publicity_ended(user, today):
    return sa.and_(ListEntry.status == EntryStatus.IN_PUBLICITY, ListEntry.publicity_end < today)


@FILTERS.add("leaving_publicity", _l("Leaving publicity this week"))
def _leaving_publicity(user, today):
    return sa.and_(ListEntry.status == EntryStatus.IN_PUBLICITY, ListEntry.publicity_end >= today,
                   ListEntry.publicity_end <= week_end(today))


@FILTERS.add("expiring", _l("Validity ends this week"))
def _expiring(user, today):
    return sa.and_(ListEntry.status == EntryStatus.PUBLISHED, ListEntry.valid_until >= today,
                   ListEntry.valid_until <= week_end(today))


def _line(key: str, count: int, order: int, tone: str = "") -> WorkLine:
    return WorkLine(_l("List entries: %(what)s", what=FILTERS.items[key].label), count,
                    url_for("listing.index", work=key), tone=tone, order=order)


@register_work_lines("mine", "listing", order=10)
def mine_lines(user, today):
    counts = FILTERS.count(["mine", "returned"], user, today)
    return [_line("mine", counts["mine"], 10), _line("returned", counts["returned"], 11, "warning")]


@register_work_lines("deadlines", "listing", order=40)
def deadline_lines(user, today):
    counts = FILTERS.count(["publicity_ends", "publicity_ended"], user, today)
    return [_line("publicity_ends", counts["publicity_ends"], 40, "warning"),
            _line("publicity_ended", counts["publicity_ended"], 41, "overdue")]


@register_work_lines("week", "listing", order=10)
def week_lines(user, today):
    counts = FILTERS.count(["leaving_publicity", "expiring"], user, today)
    return [_line("leaving_publicity", counts["leaving_publicity"], 10),
            _line("expiring", counts["expiring"], 11)]
