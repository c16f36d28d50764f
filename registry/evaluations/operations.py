"""The verbs of credit evaluations: draft, submit, publish (four-eyes), return, import, and the
reviewer's one-click black list draft for a D grade.

Operations take plain values, check the rules, change rows, write the audit event and the change
feed, and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.changes import ChangeKind, record_change
from registry.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from registry.core.identifiers import InvalidIdentifier, SubjectKind, parse_identifier
from registry.core.permissions import Role
from registry.core.review import FlowWords, ReviewFlow
from registry.core.workflow import ensure_version, transition
from registry.evaluations import bands
from registry.evaluations.models import (
    D_GRADE_CATEGORIES,
    FIELD_NAMES_ZH,
    GRADE_SCALES,
    MIN_YEAR,
    CreditEvaluation,
    EvaluationField,
    EvaluationStatus,
)
from registry.evaluations.public import public_payload
from registry.extensions import db
from registry.listing import operations as listing_ops
from registry.listing.models import ListCategory, ListKind
from registry.subjects.operations import create_subject, find_by_identifier

RECORD_TYPE = "credit_evaluation"


def latest_evaluations_many(subject_ids: Iterable[int]) -> dict[int, dict[EvaluationField, CreditEvaluation]]:
    """For each subject, its latest published evaluation in each field (latest year, then latest
    publication date).  Subjects without any published evaluation are absent."""
    ids = sorted({int(i) for i in subject_ids})
    result: dict[int, dict[EvaluationField, CreditEvaluation]] = {}
    for start in range(0, len(ids), 500):
        rows = db.session.scalars(
            sa.select(CreditEvaluation)
            .where(CreditEvaluation.subject_id.in_(ids[start:start + 500]),
                   CreditEvaluation.status == EvaluationStatus.PUBLISHED)
            .order_by(CreditEvaluation.subject_id, CreditEvaluation.year.desc(),
                      CreditEvaluation.published_on.desc(), CreditEvaluation.id.desc())
        )
        for evaluation in rows:
            result.setdefault(evaluation.subject_id, {}).setdefault(evaluation.field, evaluation)
    return result


def latest_evaluations(subject_id: int) -> dict[EvaluationField, CreditEvaluation]:
    """The subject's latest published evaluation per field (for the credit-check API)."""
    return latest_evaluations_many([subject_id]).get(subject_id, {})


def published_evaluations(subject_id: int) -> list[CreditEvaluation]:
    return list(db.session.scalars(
        sa.select(CreditEvaluation)
        .where(CreditEvaluation.subject_id == subject_id, CreditEvaluation.status == EvaluationStatus.PUBLISHED)
        .order_by(CreditEvaluation.year.desc(), CreditEvaluation.field, CreditEvaluation.id.desc())
    ))


# ---------------------------------------------------------------------------------------------
# Validation (shared by the form path and the import)


def parse_field(value) -> EvaluationField:
    if isinstance(value, EvaluationField):
        return value
    text = str(value or "").strip()
    for field, name in FIELD_NAMES_ZH.items():
        if text in (field.value, name):
            return field
    raise ValidationFailed(
        _l("Unknown field of evaluation: use one of %(names)s.", names="、".join(FIELD_NAMES_ZH.values())),
        field="field",
    )


def parse_score(value) -> Decimal:
    try:
        score = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_l("The score must be a number from 0 to 100."), field="score") from None
    if not score.is_finite() or score < 0 or score > 100:
        raise ValidationFailed(_l("The score must be a number from 0 to 100."), field="score")
    if score != score.quantize(Decimal("0.01")):
        raise ValidationFailed(_l("The score may have at most two decimal places."), field="score")
    return score.quantize(Decimal("0.01"))


def _text(value, name: str, label, limit: int, *, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed(_l("Enter %(field)s.", field=label), field=name)
        return None
    if len(text) > limit:
        raise ValidationFailed(_l("%(field)s may have at most %(n)d characters.", field=label, n=limit), field=name)
    return text


def validated_values(*, field, year, grade, score, evaluating_unit, published_on, document_number=None,
                     directly_determined=False, direct_reason=None) -> dict:
    """Check one evaluation's content against its field's rules (the grade against its score band,
    ``bands``); returns the column values."""
    field = parse_field(field)
    today = clock.today()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Enter the year of the evaluation, for example 2025."), field="year") from None
    if year > today.year:
        raise ValidationFailed(_l("The year of the evaluation cannot be in the future."), field="year")
    if year < MIN_YEAR:
        raise ValidationFailed(_l("The year of the evaluation cannot be before %(y)d.", y=MIN_YEAR), field="year")
    grade = (grade or "").strip().upper()
    scale = GRADE_SCALES[field]
    if grade not in scale:
        raise ValidationFailed(
            _l("Grade %(grade)s is not on the %(field)s scale (%(scale)s).",
               grade=grade or "—", field=FIELD_NAMES_ZH[field], scale="/".join(scale)),
            field="grade",
        )
    score = parse_score(score)
    directly_determined = bool(directly_determined)
    reason = bands.check_grade(field, grade, score, directly_determined, direct_reason)
    if not isinstance(published_on, date):
        raise ValidationFailed(_l("Enter the date the result was published."), field="published_on")
    if published_on > today:
        raise ValidationFailed(_l("The publication date cannot be in the future."), field="published_on")
    if published_on.year < year:
        raise ValidationFailed(
            _l("The result cannot be published before the year it evaluates."), field="published_on"
        )
    return {
        "field": field, "year": year, "grade": grade, "score": score, "published_on": published_on,
        "directly_determined": directly_determined, "direct_reason": reason,
        "evaluating_unit": _text(evaluating_unit, "evaluating_unit", _l("the evaluating unit"), 200),
        "document_number": _text(document_number, "document_number", _l("the document number"), 100,
                                 required=False),
    }


def _ensure_unique(subject_id: int, field: EvaluationField, year: int, exclude_id: int | None = None) -> None:
    statement = sa.select(CreditEvaluation.id).where(
        CreditEvaluation.subject_id == subject_id, CreditEvaluation.field == field, CreditEvaluation.year == year,
        CreditEvaluation.status != EvaluationStatus.WITHDRAWN,
    )
    if exclude_id is not None:
        statement = statement.where(CreditEvaluation.id != exclude_id)
    if db.session.scalar(statement.limit(1)) is not None:
        raise ValidationFailed(
            _l("This subject already has a %(field)s evaluation for %(year)d.", field=FIELD_NAMES_ZH[field], year=year),
            field="year",
        )


# ---------------------------------------------------------------------------------------------
# Drafts and review


def _published(evaluation: CreditEvaluation, actor) -> None:
    record_change(RECORD_TYPE, evaluation.id, ChangeKind.PUBLISHED, payload=public_payload(evaluation),
                  subject_id=evaluation.subject_id, unit_id=evaluation.unit_id)


# Verified, a result is published: it appears on the subject page and in the API and change feed.
FLOW = ReviewFlow(
    model=CreditEvaluation,
    action_prefix="credit_evaluation",
    draft=EvaluationStatus.DRAFT,
    pending=EvaluationStatus.PENDING_REVIEW,
    approved=EvaluationStatus.PUBLISHED,
    published=frozenset({EvaluationStatus.PUBLISHED}),
    on_approve=_published,
    words=FlowWords(
        draft_role=_l("Only clerks and reviewers of a unit can record evaluations."),
        edit_role=_l("Only clerks and reviewers of the evaluation's unit can edit it."),
        submit_role=_l("Only clerks and reviewers of the evaluation's unit can submit it."),
        review_role=_l("Only a reviewer of the evaluation's unit can decide on it."),
        four_eyes=_l(
            "You created or submitted this evaluation: another reviewer must decide on it (four-eyes rule)."
        ),
        not_draft=_l("Only a draft can be edited; this evaluation is no longer a draft."),
    ),
)


def create_evaluation(*, actor, subject, **fields) -> CreditEvaluation:
    """Record a draft evaluation result for ``subject`` in the actor's unit."""
    FLOW.ensure_may_draft(actor, actor.unit_id)
    if subject is None:
        raise ValidationFailed(_l("Choose the subject of the evaluation."), field="subject_identifier")
    values = validated_values(**fields)
    _ensure_unique(subject.id, values["field"], values["year"])
    evaluation = CreditEvaluation(**values, subject_id=subject.id, unit_id=actor.unit_id)
    return FLOW.start(evaluation, actor=actor, details={
        "subject_id": subject.id, "field": values["field"].value, "year": values["year"], "grade": values["grade"],
    })


def update_draft(evaluation: CreditEvaluation, *, actor, expected_version, subject=None, **fields) -> None:
    """Change a draft; what a reviewer or the public saw is never edited in place."""
    FLOW.ensure_editable(evaluation, actor, expected_version)
    values = validated_values(**fields)
    if subject is not None:
        values["subject_id"] = subject.id
    _ensure_unique(values.get("subject_id", evaluation.subject_id), values["field"], values["year"],
                   exclude_id=evaluation.id)
    changed = sorted(key for key, value in values.items() if getattr(evaluation, key) != value)
    FLOW.update(evaluation, actor=actor, expected_version=expected_version, values=values,
                details={"changed": changed})


# Review: the one workflow (``core.review``)
submit_evaluation = FLOW.submit
approve_evaluation = FLOW.approve
return_evaluation = FLOW.return_


def withdraw_evaluation(evaluation: CreditEvaluation, actor, comment: str) -> None:
    """Take a published result off the public pages: the effect of a removal a second reviewer
    confirmed (``evaluations/removals.py``, ``core.removals``); the record stays for officers."""
    FLOW.take_off(evaluation, actor, comment, to=EvaluationStatus.WITHDRAWN, action="withdraw",
                  comment_message=_l("A withdrawal needs the reason for it."))
    record_change(RECORD_TYPE, evaluation.id, ChangeKind.WITHDRAWN, payload=public_payload(evaluation),
                  subject_id=evaluation.subject_id, unit_id=evaluation.unit_id, reason="withdrawn")


# ---------------------------------------------------------------------------------------------
# A D grade: the reviewer's one-click black list draft (never automatic)


def prepare_black_list_draft(evaluation: CreditEvaluation, actor, expected_version):
    """Start a black list draft in the matching category from a published D grade.

    Only a reviewer of the evaluation's unit may do it, once per evaluation; the draft goes
    through the list's own review and publicity like any other entry.
    """
    ensure_version(evaluation, expected_version)
    if getattr(actor, "role", None) is not Role.REVIEWER or actor.unit_id != evaluation.unit_id:
        raise PermissionDenied(_l("Only a reviewer of the evaluation's unit can prepare a black list draft."))
    if evaluation.status is not EvaluationStatus.PUBLISHED or evaluation.grade != "D":
        raise InvalidTransition(_l("Only a published D grade can lead to a black list draft."))
    if evaluation.black_list_entry_id is not None:
        raise InvalidTransition(_l("A black list draft was already prepared from this evaluation."))
    name = D_GRADE_CATEGORIES.get(evaluation.field)
    category = db.session.scalar(sa.select(ListCategory).where(ListCategory.name == name)) if name else None
    if category is None or not category.is_active or category.list_kind is not ListKind.BLACK:
        raise ValidationFailed(
            _l("No active black list category matches this field; an administrator must set one up."),
            field="category_id",
        )
    field_name = FIELD_NAMES_ZH[evaluation.field]
    entry = listing_ops.create_entry(
        actor=actor, subject=evaluation.subject, list_kind=ListKind.BLACK, category_id=category.id,
        reason=f"{evaluation.year}年度{field_name}信用评价结果为D级（得分{evaluation.score}，"
               f"评价单位：{evaluation.evaluating_unit}）。",
        legal_basis=f"{evaluation.year}年度{field_name}信用评价结果" + (
            f"（{evaluation.document_number}）" if evaluation.document_number else ""),
        decision_number=evaluation.document_number or f"PJ-{evaluation.year}-{evaluation.id}",
        decision_date=clock.today(),
        measure_ids=[measure.id for measure in category.measures if measure.is_active],
    )
    transition(evaluation, expected_version=evaluation.version, allowed_from={EvaluationStatus.PUBLISHED},
               to=EvaluationStatus.PUBLISHED, actor=actor, action="credit_evaluation.black_list_draft",
               values={"black_list_entry_id": entry.id}, details={"list_entry_id": entry.id})
    return entry


def resolve_subject(identifier: str, name: str | None, *, actor):
    """The registered subject with this identifier, or a new one when a name is given."""
    try:
        subject = find_by_identifier(identifier or "")
        readings = [r for r in parse_identifier(identifier or "") if r.kind is not SubjectKind.VEHICLE]
    except InvalidIdentifier as error:
        error.field = "subject_identifier"
        raise
    if not readings:
        raise ValidationFailed(_l("Enter a unified social credit code or a resident ID number, not a plate."),
                               field="subject_identifier")
    if subject is not None:
        return subject
    if not (name or "").strip():
        raise ValidationFailed(_l("No subject with this identifier is registered: enter its name to register it."),
                               field="subject_name")
    reading = readings[-1]
    return create_subject(kind=reading.kind, identifier=reading.value, name=name, actor=actor)
