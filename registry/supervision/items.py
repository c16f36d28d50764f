"""Each unit's list of inspection items (随机抽查事项清单), kept by its officers, audited, public
(国发〔2019〕5号: 制定随机抽查事项清单并向社会公开)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core.audit import record_event
from registry.core.errors import PermissionDenied, Problems, ValidationFailed, clean_text
from registry.core.permissions import can_edit_unit
from registry.extensions import db
from registry.supervision.inspection_models import InspectionItem

_FIELDS = {"name": (_l("the inspection item"), 200), "legal_basis": (_l("the legal basis"), 2000),
           "party_kind": (_l("the kind of party inspected"), 200), "method": (_l("the method"), 200)}


def save_item(item: InspectionItem | None, *, actor, unit_id: int | None = None, **fields) -> InspectionItem:
    """Create (``item`` None, in ``unit_id`` or the actor's unit) or change an item."""
    unit_id = item.unit_id if item is not None else (unit_id or actor.unit_id)
    if not can_edit_unit(actor, unit_id):
        raise PermissionDenied(_l("Only officers of the unit keep its inspection items."))
    problems = Problems()
    values = {name: problems.check(clean_text, fields.get(name), name, label, limit=limit)
              for name, (label, limit) in _FIELDS.items()}
    if not problems.failed("name"):
        clash = db.session.scalar(sa.select(InspectionItem.id).where(InspectionItem.unit_id == unit_id,
                                                                     InspectionItem.name == values["name"]))
        if clash is not None and (item is None or clash != item.id):
            problems.add(ValidationFailed(_l("The unit already has an inspection item of this name."), field="name"))
    problems.raise_any()
    before = None if item is None else {name: getattr(item, name) for name in _FIELDS}
    if item is None:
        item = InspectionItem(unit_id=unit_id, **values)
        db.session.add(item)
    else:
        for name, value in values.items():
            setattr(item, name, value)
    item.is_active = bool(fields.get("is_active", True))
    db.session.flush()
    record_event("inspection_item.create" if before is None else "inspection_item.update", actor=actor, obj=item,
                 details={"before": before, "after": values, "is_active": item.is_active})
    return item


def unit_items(unit_id: int, *, active_only: bool = False) -> list[InspectionItem]:
    statement = sa.select(InspectionItem).where(InspectionItem.unit_id == unit_id)
    if active_only:
        statement = statement.where(InspectionItem.is_active.is_(True))
    return list(db.session.scalars(statement.order_by(InspectionItem.id)))


def public_items() -> list[InspectionItem]:
    return list(db.session.scalars(sa.select(InspectionItem).where(InspectionItem.is_active.is_(True))
                                   .order_by(InspectionItem.unit_id, InspectionItem.id)))
