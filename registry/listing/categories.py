"""The list categories (PRODUCT §3): the administrator's table of what each category is, how long its
entries stay valid and when they may be repaired, and its default measures.  Audited."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core.audit import record_event
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.permissions import Role
from registry.extensions import db
from registry.listing.models import MAX_CATEGORY_MONTHS, ListCategory, ListEntry, ListKind
from registry.listing.validation import validated_measures


def _checked_name_and_list(category: ListCategory | None, name: str, list_kind) -> tuple[str, ListKind]:
    """A unique name, and a list that does not change under existing entries."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_l("Enter a name of at most 100 characters."), field="name")
    clash = db.session.scalar(sa.select(ListCategory.id).where(ListCategory.name == name))
    if clash is not None and (category is None or clash != category.id):
        raise ValidationFailed(_l("Another category already has this name."), field="name")
    try:
        kind = ListKind(list_kind)
    except ValueError:
        raise ValidationFailed(_l("Choose the red or the black list."), field="list_kind") from None
    if category is not None and kind is not category.list_kind and _has_entries(category):
        raise ValidationFailed(
            _l("The list of a category that has entries cannot change."), field="list_kind"
        )
    return name, kind


def _check_periods(validity_months, repair_min_months) -> None:
    if not isinstance(validity_months, int) or not 1 <= validity_months <= MAX_CATEGORY_MONTHS:
        raise ValidationFailed(
            _l("The validity must be between 1 and %(max)d months.", max=MAX_CATEGORY_MONTHS), field="validity_months"
        )
    if not isinstance(repair_min_months, int) or not 0 <= repair_min_months <= MAX_CATEGORY_MONTHS:
        raise ValidationFailed(
            _l("The minimum period before repair must be between 0 and %(max)d months.", max=MAX_CATEGORY_MONTHS),
            field="repair_min_months",
        )


def save_category(
    category: ListCategory | None,
    *,
    actor,
    name: str,
    list_kind,
    validity_months: int,
    repair_allowed: bool,
    repair_min_months: int,
    display_order: int,
    is_active: bool,
    measure_ids: Iterable,
) -> ListCategory:
    """Create or change a list category and its default measures (admins only; audited)."""
    if getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied()
    name, kind = _checked_name_and_list(category, name, list_kind)
    _check_periods(validity_months, repair_min_months)
    measures = validated_measures(measure_ids, kind) if measure_ids else []
    values = {
        "name": name,
        "list_kind": kind,
        "validity_months": validity_months,
        "repair_allowed": bool(repair_allowed),
        "repair_min_months": repair_min_months,
        "display_order": int(display_order or 0),
        "is_active": bool(is_active),
    }
    before = {} if category is None else {k: _plain(getattr(category, k)) for k in values}
    before_measures = [] if category is None else [m.code for m in category.measures]
    if category is None:
        category = ListCategory(**values)
        db.session.add(category)
    else:
        for key, value in values.items():
            setattr(category, key, value)
    category.measures = measures
    db.session.flush()
    after = {k: _plain(v) for k, v in values.items()}
    changes = {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
    new_measures = [m.code for m in measures]
    if new_measures != before_measures:
        changes["measures"] = [before_measures, new_measures]
    if changes:
        record_event(
            "list_category.create" if not before else "list_category.update",
            actor=actor,
            object_type="list_category",
            object_id=category.id,
            details=changes,
        )
    return category


def _plain(value):
    return getattr(value, "value", value)


def _has_entries(category: ListCategory) -> bool:
    return (
        db.session.scalar(sa.select(ListEntry.id).where(ListEntry.category_id == category.id).limit(1))
        is not None
    )
