"""Grade bands of each evaluation scheme (docs/RULES.md §5): which grade a score gives.

Each grade but the lowest has a lower bound, a setting the administrator may change (audited, on
the settings page).  A grade's band is ``lower bound ≤ score < the next grade's lower bound``
(lower bound inclusive; the top grade includes 100, the lowest starts at 0), as the Ministry's
highway rules state it (AA: 95 ≤ X ≤ 100, A: 85 ≤ X < 95, B: 75 ≤ X < 85, C: 60 ≤ X < 75, D: X < 60).

Defaults: 公路建设 and 水运工程 the Ministry's construction-market credit evaluation rules (the
bands above, the same for both); 道路运输 the 1,000-point scale of 道路运输企业质量信誉考核
(AAA ≥ 850, AA ≥ 700, A ≥ 600, B below) scaled to 100; 安全生产 the registry's defaults
(A ≥ 90, B ≥ 75, C ≥ 60, D below), since the task list sets no bands for it.

A grade outside its band is accepted only as a directly determined grade (直接认定, such as D
for serious misconduct) with a reason, and only below the band's grade: a rule lowers a grade,
it never raises one.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from registry.core.errors import ValidationFailed
from registry.core.settings import SettingSpec, get_setting, register_setting, register_settings_check
from registry.evaluations.models import FIELD_LABELS, FIELD_NAMES_ZH, GRADE_SCALES, EvaluationField

DEFAULT_LOWER_BOUNDS: dict[EvaluationField, dict[str, int]] = {
    EvaluationField.HIGHWAY: {"AA": 95, "A": 85, "B": 75, "C": 60},
    EvaluationField.WATERWAY: {"AA": 95, "A": 85, "B": 75, "C": 60},
    EvaluationField.ROAD_TRANSPORT: {"AAA": 85, "AA": 70, "A": 60},
    EvaluationField.WORK_SAFETY: {"A": 90, "B": 75, "C": 60},
}
MAX_REASON = 1000


def setting_key(field: EvaluationField, grade: str) -> str:
    return f"grade_band_{field.value}_{grade}"


for _field, _bounds in DEFAULT_LOWER_BOUNDS.items():
    assert list(_bounds) == list(GRADE_SCALES[_field][:-1]), _field
    for _grade, _bound in _bounds.items():
        register_setting(SettingSpec(
            setting_key(_field, _grade), _bound,
            _l("%(field)s evaluation: lowest score of grade %(grade)s", field=FIELD_LABELS[_field], grade=_grade),
            0, 100))


@register_settings_check("grade_bands")
def check_bands() -> None:
    """Refuse bands that overlap or leave a grade no scores: each grade's lowest score
    above the next grade's, the lowest grade's band starting at 0 below them all."""
    for field in DEFAULT_LOWER_BOUNDS:
        scale = GRADE_SCALES[field]
        bounds = lower_bounds(field)
        for better, worse in itertools.pairwise(scale):
            if bounds[better] <= bounds[worse]:
                raise ValidationFailed(
                    _l("%(field)s evaluation: the lowest score of grade %(grade)s (%(bound)d) must be above that of "
                       "grade %(next)s (%(next_bound)d); otherwise the bands overlap and a grade gets no scores.",
                       field=FIELD_LABELS[field], grade=better, bound=bounds[better], next=worse,
                       next_bound=bounds[worse]),
                    field=setting_key(field, better))


def lower_bounds(field: EvaluationField) -> dict[str, int]:
    """Each grade's lower bound, best grade first (the lowest grade starts at 0)."""
    scale = GRADE_SCALES[field]
    bounds = {grade: get_setting(setting_key(field, grade)) for grade in scale[:-1]}
    bounds[scale[-1]] = 0
    return bounds


def band_grade(field: EvaluationField, score: Decimal) -> str:
    """The grade the score falls in: the best grade whose lower bound the score reaches."""
    for grade, bound in lower_bounds(field).items():
        if score >= bound:
            return grade
    return GRADE_SCALES[field][-1]


def band_text(field: EvaluationField, grade: str) -> str:
    """``85 ≤ score < 95`` for a grade, as the refusal states it."""
    bounds = lower_bounds(field)
    grades = list(bounds)
    index = grades.index(grade)
    low = bounds[grade]
    if index == 0:
        return f"{low} ≤ X ≤ 100"
    high = bounds[grades[index - 1]]
    return f"X < {high}" if index == len(grades) - 1 else f"{low} ≤ X < {high}"


def check_grade(field: EvaluationField, grade: str, score: Decimal, directly_determined: bool,
                direct_reason: str | None) -> str | None:
    """Refuse a grade outside its score band unless directly determined (below the band) with a
    reason; returns the reason to store (None for a grade from the score)."""
    reason = (direct_reason or "").strip()
    expected = band_grade(field, score)
    if not directly_determined:
        if grade != expected:
            raise ValidationFailed(
                _l("Grade %(grade)s of %(field)s needs a score of %(band)s; a score of %(score)s gives %(expected)s. "
                   "A grade set by a rule regardless of the score is entered as directly determined, with its "
                   "reason.", grade=grade, field=FIELD_NAMES_ZH[field], band=band_text(field, grade), score=score,
                   expected=expected),
                field="grade")
        return None
    if not reason:
        raise ValidationFailed(_l("A directly determined grade needs its reason (the rule and the facts)."),
                               field="direct_reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_l("At most %(n)d characters.", n=MAX_REASON), field="direct_reason")
    scale = GRADE_SCALES[field]
    if scale.index(grade) < scale.index(expected):
        raise ValidationFailed(
            _l("A directly determined grade can only be lower than the score's grade (%(expected)s): a rule lowers a "
               "grade, it never raises one.", expected=expected),
            field="grade")
    return reason
