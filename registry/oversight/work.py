"""The compliance summary on the auditor's and the administrator's workbench: per figure of the
compliance dashboard, how many active units miss it this month, linking to the dashboard showing
those units (``?missed=<figure>``).  Figures registered ``on_workbench=False`` are left out."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.workbench import WorkLine, register_work_lines
from registry.oversight.compliance import active_units, ordered_figures


def missing(table, key: str) -> list:
    """The rows of ``table`` whose figure ``key`` is missed (``ok`` False)."""
    return [row for row in table.rows if key in row.values and row.values[key].ok is False]


@register_work_lines("compliance", "oversight", order=10)
def compliance_lines(user, today):
    ids = [unit.id for unit in active_units()]
    month = f"{today.year:04d}-{today.month:02d}"
    lines = []
    for figure in ordered_figures():
        if not figure.on_workbench:
            continue
        values = figure.compute(today.year, today.month, ids)
        missed = sum(1 for unit_id in ids if unit_id in values and values[unit_id].ok is False)
        lines.append(WorkLine(_l("Units missing: %(figure)s", figure=figure.label), missed,
                              url_for("oversight.compliance", month=month, missed=figure.key),
                              tone="overdue" if missed else "", order=figure.order))
    return lines
