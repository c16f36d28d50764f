"""Withdrawing a published case needs two officers (``core.removals``).

An officer of the unit prepares the withdrawal of a published case (recorded in error, the
measure was not in fact applied) with its reason; a second reviewer confirms it, and only then
``withdraw_case`` takes it off the public pages, the effectiveness list and the monthly quota.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.cases.models import Case, CaseStatus
from registry.cases.operations import withdraw_case
from registry.core.removals import RemovalKind, register_removal_kind


def _apply(case: Case, actor, request) -> None:
    withdraw_case(case, actor, request.reason)


register_removal_kind(RemovalKind(
    record_type=Case.__audit_type__,
    label=_l("Joint reward or punishment case"),
    model=Case,
    removable=frozenset({CaseStatus.PUBLISHED}),
    apply=_apply,
    url=lambda case: url_for("cases.show", case_id=case.id),
    title=lambda case: f"{case.case_date.isoformat()} · {case.entry.decision_number}",
))
