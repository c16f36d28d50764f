"""Maintaining the catalogue, and the figures computed for each item from the real tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from registry.accounts.models import Unit
from registry.catalogue.models import (
    FREQUENCY_CN,
    OPENNESS_CN,
    CatalogueItem,
    Frequency,
    Openness,
    Source,
)
from registry.commitments.models import CreditCommitment
from registry.core import clock
from registry.core.audit import record_event
from registry.core.changes import BECAME_PUBLIC, ChangeEvent
from registry.core.db import contains
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.permissions import is_admin
from registry.core.spreadsheets import human_csv, human_row, xlsx_bytes
from registry.extensions import db

MATCH_KEYS = {Source.DISCLOSURE: "kind", Source.LIST_ENTRY: "category"}


def save_item(item: CatalogueItem | None, *, actor, code: str, name: str, description: str | None, source,
              match_value: str | None, frequency, openness, unit_ids: Iterable, display_order: int = 0,
              is_active: bool = True) -> CatalogueItem:
    """Create or change a catalogue item (administrators only; audited)."""
    if not is_admin(actor):
        raise PermissionDenied(_l("Only administrators maintain the catalogue."))
    values = _validated(item, code=code, name=name, description=description, source=source,
                        match_value=match_value, frequency=frequency, openness=openness)
    try:
        wanted = {int(i) for i in unit_ids or ()}
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Unknown unit."), field="unit_ids") from None
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(wanted)))) if wanted else []
    if not units or len(units) != len(wanted):
        raise ValidationFailed(_l("Choose the units that supply this information."), field="unit_ids")
    creating = item is None
    if creating:
        item = CatalogueItem()
        db.session.add(item)
    for key, value in {**values, "display_order": int(display_order or 0), "is_active": bool(is_active)}.items():
        setattr(item, key, value)
    item.units = units
    item.updated_at = clock.utcnow()
    db.session.flush()
    record_event("catalogue_item.create" if creating else "catalogue_item.update", actor=actor, obj=item,
                 details={**{k: str(v) if v is not None else None for k, v in values.items()},
                          "units": sorted(wanted)})
    return item


def _validated(item, *, code, name, description, source, match_value, frequency, openness) -> dict:
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code or len(code) > 20:
        raise ValidationFailed(_l("Enter a code of at most 20 characters."), field="code")
    if not name or len(name) > 200:
        raise ValidationFailed(_l("Enter a name of at most 200 characters."), field="name")
    for column, value, field in ((CatalogueItem.code, code, "code"), (CatalogueItem.name, name, "name")):
        clash = sa.select(CatalogueItem.id).where(column == value)
        if item is not None:
            clash = clash.where(CatalogueItem.id != item.id)
        if db.session.scalar(clash) is not None:
            raise ValidationFailed(_l("Another item already uses this %(what)s.", what=field), field=field)
    source = _choice(Source, source, "source")
    frequency = _choice(Frequency, frequency, "frequency")
    openness = _choice(Openness, openness, "openness")
    match_value = (match_value or "").strip() or None
    if match_value and source not in MATCH_KEYS:
        raise ValidationFailed(_l("Only disclosures and list entries are narrowed by a value."), field="match_value")
    if match_value and len(match_value) > 100:
        raise ValidationFailed(_l("The value may have at most 100 characters."), field="match_value")
    return {"code": code, "name": name, "description": (description or "").strip() or None, "source": source,
            "match_value": match_value, "frequency": frequency, "openness": openness}


def _choice(enum, value, field: str):
    try:
        return enum(value)
    except ValueError:
        raise ValidationFailed(_l("Choose a value from the list."), field=field) from None


# ---------------------------------------------------------------------------------------------
# Figures from the real tables


@dataclass(frozen=True)
class UnitFigure:
    unit_id: int
    unit_name: str
    published: int  # records published by the unit (ever)
    last_update: datetime | None


def _feed_filter(item: CatalogueItem) -> list:
    criteria = [ChangeEvent.record_type == item.source.value]
    if item.match_value and item.source in MATCH_KEYS:
        # The payload is canonical JSON (sorted keys, ", " and ": " separators): match the pair.
        needle = f'"{MATCH_KEYS[item.source]}": "{item.match_value}"'
        criteria.append(contains(ChangeEvent.payload, needle))
    return criteria


def figures(items: Iterable[CatalogueItem]) -> dict[int, list[UnitFigure]]:
    """For each item, per supplying unit: how many records it has published and when it last
    changed one (from the change feed; commitments from their own table)."""
    units = {u.id: u.name for u in db.session.scalars(sa.select(Unit))}
    result: dict[int, list[UnitFigure]] = {}
    for item in items:
        if item.source is Source.OTHER:
            result[item.id] = []
            continue
        if item.source is Source.COMMITMENT:
            rows = db.session.execute(
                sa.select(CreditCommitment.unit_id, sa.func.count(), sa.func.max(CreditCommitment.created_at))
                .group_by(CreditCommitment.unit_id))
        else:
            published = sa.func.count(sa.distinct(sa.case((ChangeEvent.change.in_(BECAME_PUBLIC),
                                                           ChangeEvent.record_id))))
            rows = db.session.execute(
                sa.select(ChangeEvent.unit_id, published, sa.func.max(ChangeEvent.occurred_at))
                .where(*_feed_filter(item), ChangeEvent.unit_id.is_not(None)).group_by(ChangeEvent.unit_id))
        found = {unit_id: (count, last) for unit_id, count, last in rows}
        unit_ids = [u.id for u in item.units] + sorted(set(found) - {u.id for u in item.units})
        result[item.id] = [UnitFigure(uid, units.get(uid, "?"), *found.get(uid, (0, None))) for uid in unit_ids]
    return result


def active_items() -> list[CatalogueItem]:
    return list(db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.is_active.is_(True))
                                   .order_by(CatalogueItem.display_order, CatalogueItem.code)))


HEADER = ["编号", "信息项", "说明", "提供单位", "更新频率", "公开属性", "已发布记录数", "最近更新"]


def _rows() -> list[list]:
    items = active_items()
    stats = figures(items)
    rows = []
    for item in items:
        total = sum(f.published for f in stats[item.id])
        last = max((f.last_update for f in stats[item.id] if f.last_update), default=None)
        rows.append([item.code, item.name, item.description or "", "、".join(u.name for u in item.units),
                     FREQUENCY_CN[item.frequency], OPENNESS_CN[item.openness], total,
                     clock.local(last).strftime("%Y-%m-%d %H:%M") if last else ""])
    return rows


def catalogue_csv() -> bytes:
    return human_csv(HEADER, _rows())


def catalogue_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "信用信息目录"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows():
        sheet.append(human_row(row))
    return xlsx_bytes(workbook)
