"""What a plan must say (PRODUCT §16): every problem of the form at once."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core.errors import Problems, ValidationFailed, clean_text
from registry.core.identifiers import InvalidIdentifier, parse_identifier
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.extensions import db
from registry.subjects.models import Subject
from registry.supervision.classes import parse_classes, supervision_classes
from registry.supervision.inspection_models import InspectionItem, PopulationKind

DEFAULT_RATIOS = "A:3;B:5;C:20;D:100"
MAX_LIST = 100_000

register_setting(SettingSpec("supervision_default_ratios", DEFAULT_RATIOS,
                             _l("Default sampling ratios per supervision class, in percent (CODE:percent;…)"),
                             3, 200, text=True))
register_setting(SettingSpec("supervision_key_ratio", 50,
                             _l("Sampling ratio for subjects under key supervision (HB-04), in percent"), 0, 100))
register_setting(SettingSpec("supervision_exclude_months", 12,
                             _l("Leave out parties inspected in the last (months), except the most severe class"),
                             0, 60))


def default_ratios() -> dict[str, int]:
    found = {}
    for code, value in parse_classes(get_setting("supervision_default_ratios")):
        if value.isdigit():
            found[code] = min(int(value), 100)
    return {code: found.get(code, 0) for code, _name in supervision_classes()}


def _percent(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Enter a whole number from 0 to 100."), field=field) from None
    if not 0 <= number <= 100:
        raise ValidationFailed(_l("Enter a whole number from 0 to 100."), field=field)
    return number


def _count(value, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high),
                               field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(_l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high), field=field)
    return number


def _identifiers(text: str | None) -> str:
    values, bad = [], []
    for token in (text or "").replace(",", "\n").replace("，", "\n").split():
        try:
            readings = parse_identifier(token)
        except InvalidIdentifier:
            readings = []
        (values.append(readings[0].value) if readings else bad.append(token))
    if bad:
        raise ValidationFailed(_l("Not valid identifiers: %(list)s.", list="、".join(bad[:5])), field="identifiers")
    if not values or len(values) > MAX_LIST:
        raise ValidationFailed(_l("Give 1 to 100,000 identifiers, one a line."), field="identifiers")
    known = set()
    for start in range(0, len(values), 5000):
        known.update(db.session.scalars(sa.select(Subject.identifier).where(
            Subject.identifier.in_(values[start:start + 5000]))))
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValidationFailed(_l("No registered subject has these identifiers: %(list)s.",
                                  list="、".join(unknown[:5])), field="identifiers")
    return "\n".join(sorted(set(values)))


def _items(unit, item_ids) -> list[InspectionItem]:
    try:
        wanted = {int(value) for value in item_ids or ()}
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Choose items of your unit's list."), field="item_ids") from None
    items = list(db.session.scalars(sa.select(InspectionItem).where(
        InspectionItem.id.in_(wanted or {0}), InspectionItem.unit_id == unit.id, InspectionItem.is_active.is_(True))))
    if not wanted or len(items) != len(wanted):
        raise ValidationFailed(_l("Choose items of your unit's list."), field="item_ids")
    return items


def _dates(start, end, problems: Problems) -> None:
    if not isinstance(start, date):
        problems.add(ValidationFailed(_l("Enter the first day of the period."), field="period_start"))
    if not isinstance(end, date):
        problems.add(ValidationFailed(_l("Enter the last day of the period."), field="period_end"))
    elif isinstance(start, date) and end < start:
        problems.add(ValidationFailed(_l("The period ends before it starts."), field="period_end"))


def validated_plan(unit, *, name, legal_basis, period_start, period_end, population_kind, identifiers=None,
                   ratios: dict, minimums: dict, key_ratio, inspectors_per_inspection, exclude_months,
                   item_ids) -> dict:
    problems = Problems()
    values = {"name": problems.check(clean_text, name, "name", _l("the plan's name"), limit=200),
              "legal_basis": problems.check(clean_text, legal_basis, "legal_basis", _l("the legal basis"), limit=2000),
              "period_start": period_start, "period_end": period_end}
    _dates(period_start, period_end, problems)
    try:
        kind = PopulationKind(population_kind)
    except ValueError:
        kind = None
        problems.add(ValidationFailed(_l("Choose whom the plan draws from."), field="population_kind"))
    if kind is PopulationKind.REGION and not unit.city_code:
        problems.add(ValidationFailed(_l("Only a city bureau can draw from its region."), field="population_kind"))
    values["population_kind"] = kind
    values["identifiers"] = problems.check(_identifiers, identifiers) if kind is PopulationKind.LIST else None
    codes = [code for code, _name in supervision_classes()]
    values["ratios"] = json.dumps({c: problems.check(_percent, ratios.get(c), f"ratio_{c}") for c in codes})
    values["minimums"] = json.dumps({c: problems.check(_count, minimums.get(c, 0), f"minimum_{c}", 0, 10000)
                                     for c in codes})
    values["key_ratio"] = problems.check(_percent, key_ratio, "key_ratio")
    values["inspectors_per_inspection"] = problems.check(_count, inspectors_per_inspection,
                                                         "inspectors_per_inspection", 2, 10)
    values["exclude_months"] = problems.check(_count, exclude_months, "exclude_months", 0, 60)
    values["items"] = problems.check(_items, unit, item_ids)
    problems.raise_any()
    return values
