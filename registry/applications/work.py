"""What every kind of application (objections, repairs) adds to the officer's workbench: its
deadlines, acceptance or decision, within 5 working days and past.  Each line counts what its link
opens (``?work=`` on the kind's officer list)."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.applications.deadlines import HANDLING_NAMES, HANDLINGS, awaiting_action
from registry.applications.handling import due_column
from registry.core.workbench import DEADLINE_WORKING_DAYS, WorkFilters, WorkLine, register_work_lines
from registry.core.workdays import add_working_days


@functools.cache
def filters_for(kind: str) -> WorkFilters:
    """The workbench filters of one kind of application's officer list."""
    model = HANDLINGS[kind].model
    filters = WorkFilters(model, model.unit_id)

    @filters.add("due_soon", _l("Due within 5 working days"))
    def _due_soon(user, today):
        horizon = add_working_days(today, DEADLINE_WORKING_DAYS)
        return sa.and_(awaiting_action(model), due_column(model) >= today, due_column(model) <= horizon)

    @filters.add("overdue", _l("Overdue"))
    def _overdue(user, today):
        return sa.and_(awaiting_action(model), due_column(model) < today)

    return filters


def index_endpoint(kind: str) -> str:
    return HANDLINGS[kind].show_endpoint.rsplit(".", 1)[0] + ".officer_index"


@register_work_lines("deadlines", "applications", order=20)
def deadline_lines(user, today):
    lines = []
    for offset, kind in enumerate(sorted(HANDLINGS)):
        filters = filters_for(kind)
        counts = filters.count(["due_soon", "overdue"], user, today)
        for key, tone, step in (("due_soon", "warning", 0), ("overdue", "overdue", 1)):
            label = _l("%(kind)s: %(what)s", kind=HANDLING_NAMES[kind], what=filters.items[key].label)
            lines.append(WorkLine(label, counts[key], url_for(index_endpoint(kind), work=key, show="all"),
                                  tone=tone, order=20 + 2 * offset + step))
    return lines
