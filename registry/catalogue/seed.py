"""Seed the catalogue from what the registry holds: the two kinds of disclosure, every list
category, cases, evaluations and commitments, each with the units that supply it."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit, UnitKind
from registry.catalogue.models import CatalogueItem, Frequency, Openness, Source
from registry.core.datalabels import register_data_labels
from registry.core.seeding import seed_step
from registry.extensions import db
from registry.listing.models import ListCategory

BUSINESS = ["JJC", "JHC", "GHC", "LZC", "YSC", "AQC"]
CATEGORY_UNITS = {
    "公路建设市场严重失信": ["JJC", "JHC"], "水运工程建设市场严重失信": ["GHC"], "道路运输严重失信": ["YSC", "CITIES"],
    "严重超限超载": ["LZC", "CITIES"], "安全生产失信": ["AQC", "CITIES"],
    "公路水运工程守信典型企业": ["JJC", "JHC", "GHC"],
    "道路运输守信": ["YSC", "CITIES"], "信用评价AA级": ["JJC", "JHC", "GHC"],
}

register_data_labels({
    "行政许可信息": _l("Administrative licences"), "行政处罚信息": _l("Administrative penalties"),
    "联合奖惩案例": _l("Joint reward and punishment cases"), "信用评价结果": _l("Credit evaluation results"),
    "信用承诺": _l("Credit commitments"), "红黑名单认定信息。": _l("Red and black list decisions."),
})


def _items(categories: list[str]) -> list[tuple]:
    items = [
        ("XK", "行政许可信息", "“双公示”行政许可决定，7个工作日内公示。", Source.DISCLOSURE, "licence",
         Frequency.AS_OCCURS, Openness.PUBLIC, ["CITIES", *BUSINESS]),
        ("CF", "行政处罚信息", "“双公示”行政处罚决定，7个工作日内公示；轻微处罚不公示。", Source.DISCLOSURE, "penalty",
         Frequency.AS_OCCURS, Openness.PUBLIC, ["CITIES", *BUSINESS]),
    ]
    for index, name in enumerate(categories, start=1):
        items.append((f"MD{index:02d}", f"{name}名单", "红黑名单认定信息。", Source.LIST_ENTRY, name,
                      Frequency.AS_OCCURS, Openness.PUBLIC, CATEGORY_UNITS.get(name, ["FGC"])))
    items += [
        ("AL", "联合奖惩案例", "奖惩成效清单，每月不少于1个案例。", Source.CASE, None, Frequency.MONTHLY,
         Openness.PUBLIC, ["CITIES", *BUSINESS]),
        ("PJ", "信用评价结果", "公路建设、水运工程、道路运输、安全生产年度信用评价。", Source.EVALUATION, None,
         Frequency.YEARLY, Openness.PUBLIC, ["JJC", "JHC", "GHC", "YSC", "AQC"]),
        ("CN", "信用承诺", "行政许可、信用修复、招投标中的信用承诺书。", Source.COMMITMENT, None, Frequency.AS_OCCURS,
         Openness.SHARED, ["CITIES", *BUSINESS]),
    ]
    return items


@seed_step(85)
def seed_catalogue() -> None:
    """Add missing items; an administrator's changes are never overwritten."""
    existing = set(db.session.scalars(sa.select(CatalogueItem.code)))
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    cities = [u for u in units.values() if u.kind is UnitKind.CITY]
    categories = list(db.session.scalars(sa.select(ListCategory.name).order_by(ListCategory.display_order)))
    for order, (code, name, text, source, match, frequency, openness, codes) in enumerate(_items(categories), 1):
        if code in existing:
            continue
        chosen = {}
        for unit_code in codes:
            for unit in (cities if unit_code == "CITIES" else [units.get(unit_code)]):
                if unit is not None:
                    chosen[unit.id] = unit
        item = CatalogueItem(code=code, name=name, description=text, source=source, match_value=match,
                             frequency=frequency, openness=openness, display_order=order * 10)
        item.units = list(chosen.values())
        db.session.add(item)
    db.session.flush()
