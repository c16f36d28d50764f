"""The compliance summary on the auditor's and the administrator's workbench: per figure of the
compliance dashboard, how many units miss it this month, linking to the dashboard showing them."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.workbench import WorkLine, register_work_lines
from registry.oversight.compliance import month_table


def missing(table, key: str) -> list:
    """The rows of ``table`` whose figure ``key`` is missed (``ok`` False)."""
    return [row for row in table.rows if key in row.values and row.values[key].ok is False]


@register_work_lines("compliance", "oversight", order=10)
def compliance_lines(user, today):
    table = month_table(today.year, today.month)
    return [WorkLine(_l("Units missing: %(figure)s", figure=figure.label), len(missing(table, figure.key)),
                     url_for("oversight.compliance", month=table.label, missed=figure.key),
                     tone="overdue" if missing(table, figure.key) else "", order=figure.order)
            for figure in table.figures]
