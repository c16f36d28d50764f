"""Withdrawing a published credit evaluation needs two officers (``core.removals``).

An officer of the unit prepares the withdrawal of a published result (a wrong grade, a result
annulled by the evaluating body) with its reason; a second reviewer confirms it, and only then
``withdraw_evaluation`` takes it off the public pages.  A correct result for the same subject,
field and year may then be recorded and reviewed as usual.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.removals import RemovalKind, register_removal_kind
from registry.evaluations.models import CreditEvaluation, EvaluationStatus
from registry.evaluations.operations import withdraw_evaluation


def _apply(evaluation: CreditEvaluation, actor, request) -> None:
    withdraw_evaluation(evaluation, actor, request.reason)


register_removal_kind(RemovalKind(
    record_type=CreditEvaluation.__audit_type__,
    label=_l("Credit evaluation"),
    model=CreditEvaluation,
    removable=frozenset({EvaluationStatus.PUBLISHED}),
    apply=_apply,
    url=lambda evaluation: url_for("evaluations.show", evaluation_id=evaluation.id),
    title=lambda evaluation: f"{evaluation.year} {evaluation.field_label} {evaluation.grade}",
))
