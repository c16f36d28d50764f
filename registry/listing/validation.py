"""The rules of a list entry's content (PRODUCT §3, §14): the texts stated and within their limits, the
category on the entry's list, the measures of that list, the dates in order, and the deciding unit
the unit that decided."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.issuers import deciding_name
from registry.core import clock
from registry.core.errors import ValidationFailed, clean_text
from registry.extensions import db
from registry.listing.models import ListCategory, ListKind, Measure

_TEXT_LIMITS = {"reason": 4000, "legal_basis": 2000, "decision_number": 100}

def validated_fields(
    *,
    unit,
    list_kind,
    category_id,
    reason,
    legal_basis,
    decision_number,
    decision_date,
    measure_ids,
    valid_until=None,
    deciding_unit=None,
) -> tuple[dict, list[Measure]]:
    """Check a draft's content; returns the column values and the measures.  The deciding unit is
    ``unit``'s issuing name, the authority that decides for it (``_deciding_unit``)."""
    try:
        kind = ListKind(list_kind)
    except ValueError:
        raise ValidationFailed(_l("Choose the red or the black list."), field="list_kind") from None
    category = db.session.get(ListCategory, category_id) if category_id else None
    if category is None or not category.is_active:
        raise ValidationFailed(_l("Choose a category of the list."), field="category_id")
    if category.list_kind is not kind:
        raise ValidationFailed(
            _l("The category %(name)s belongs to the other list.", name=category.name), field="category_id"
        )
    texts = {
        "reason": reason,
        "legal_basis": legal_basis,
        "decision_number": decision_number,
    }
    labels = {
        "reason": _l("the reason for listing"),
        "legal_basis": _l("the legal basis"),
        "decision_number": _l("the decision document number"),
    }
    cleaned = {name: clean_text(texts.get(name), name, labels[name], limit=_TEXT_LIMITS[name]) for name in texts}
    cleaned["deciding_unit"] = _deciding_unit(unit, deciding_unit)
    if not isinstance(decision_date, date):
        raise ValidationFailed(_l("Enter the decision date."), field="decision_date")
    today = clock.today()
    if decision_date > today:
        raise ValidationFailed(_l("The decision date cannot be in the future."), field="decision_date")
    # Validity starts at publication, which comes after publicity: today at the earliest.
    if valid_until is not None and (valid_until < today or valid_until < decision_date):
        raise ValidationFailed(
            _l("The validity end cannot be before its start (publication, at the earliest today)."),
            field="valid_until",
        )
    if measure_ids:
        measures = validated_measures(measure_ids, kind)
    else:  # none ticked: the category's default measures (its object-list rows)
        measures = [m for m in category.measures if m.is_active and m.list_kind is kind]
        if not measures:
            raise ValidationFailed(_l("Choose at least one measure that applies."), field="measure_ids")
    values = dict(
        cleaned, list_kind=kind, category_id=category.id, decision_date=decision_date, valid_until=valid_until
    )
    return values, measures


def _deciding_unit(unit, given) -> str:
    """Not a free text: ``unit``'s issuing name (湖南省交通运输厅 for a division, the bureau itself for
    a city); a deciding unit ``given`` (an import, an older caller) must say the same."""
    name = deciding_name(unit)
    if given is not None and " ".join(str(given).split()) != name:
        raise ValidationFailed(_l("The deciding unit is the authority your unit decides for: %(name)s.", name=name),
                               field="deciding_unit")
    return name


def validated_measures(measure_ids: Iterable, kind: ListKind) -> list[Measure]:
    try:
        wanted = {int(value) for value in measure_ids or ()}
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Unknown measure."), field="measure_ids") from None
    if not wanted:
        raise ValidationFailed(_l("Choose at least one measure that applies."), field="measure_ids")
    measures = list(
        db.session.scalars(sa.select(Measure).where(Measure.id.in_(wanted)).order_by(Measure.code))
    )
    if len(measures) != len(wanted) or any(not m.is_active for m in measures):
        raise ValidationFailed(
            _l("Unknown measure: choose measures from the measures list."), field="measure_ids"
        )
    other = [m.code for m in measures if m.list_kind is not kind]
    if other:
        raise ValidationFailed(
            _l("Measure %(codes)s belongs to the other list.", codes=", ".join(other)), field="measure_ids"
        )
    return measures
