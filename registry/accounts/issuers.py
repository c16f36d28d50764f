"""Who a unit's documents speak for, and the bodies its remedies clause names (PRODUCT §12).

A division of the department (基建处, 运输处 …) is an internal body: it cannot issue an external
decision, so its notices are issued in the department's name 湖南省交通运输厅 with the division
as 承办单位, and its list entries are decided by the department (认定单位 湖南省交通运输厅).  A city
or prefecture bureau issues and decides in its own name.  Each unit's issuing name, seal text,
document number prefix, reconsideration body and court are administrator settings (the unit
admin page, audited); these are the defaults they are seeded with:

- number prefix (文号的机关代字): 湘交 for the department, the city's 长交, 株交, 潭交 … for a bureau
  (the administrator corrects one its bureau writes otherwise); one authority numbers with one
  prefix, so units issuing in the same name share it;

- reconsideration (《行政复议法》2023年修订 第二十四条): the people's government at the level of the
  department that decided: 湖南省人民政府 for the department, the city's people's government for a
  city bureau;
- lawsuit (《行政诉讼法》第十八条): the basic court where the deciding organ sits.  Since 1 May 2019
  Hunan concentrates first-instance administrative cases of the basic courts of 长沙, 衡阳 and 怀化
  in their railway transport courts (长沙铁路运输法院 for the department and 长沙市, 衡阳铁路运输法院,
  怀化铁路运输法院); each other city has two designated basic courts, which the administrator names
  (the default states the court as "<city>有管辖权的人民法院", which is true until then).
"""

from __future__ import annotations

import sqlalchemy as sa

from registry.accounts.models import Unit
from registry.extensions import db

DEPARTMENT = "湖南省交通运输厅"
DEPARTMENT_PREFIX = "湘交"
CITY_PREFIXES = {"长沙市": "长交", "株洲市": "株交", "湘潭市": "潭交", "衡阳市": "衡交", "邵阳市": "邵交",
                 "岳阳市": "岳交", "常德市": "常交", "张家界市": "张交", "益阳市": "益交", "郴州市": "郴交",
                 "永州市": "永交", "怀化市": "怀交", "娄底市": "娄交", "湘西州": "州交"}
DEPARTMENT_GOVERNMENT = "湖南省人民政府"
DEPARTMENT_COURT = "长沙铁路运输法院"
# The unit whose settings speak for the department as a whole (credit reports, bulletins, lists):
# the policy and regulations division, which runs the credit system.
DEPARTMENT_UNIT_CODE = "FGC"
RAILWAY_COURTS = {"长沙市": "长沙铁路运输法院", "衡阳市": "衡阳铁路运输法院", "怀化市": "怀化铁路运输法院"}
GOVERNMENT_NAMES = {"湘西州": "湘西土家族苗族自治州"}
ISSUER_FIELDS = ("issuing_name", "seal_text", "document_prefix", "reconsideration_body", "court")
MAX_LENGTH = 100


def default_issuer(kind, name: str) -> dict[str, str]:
    """The seeded issuer settings of a unit of ``kind`` ("division" or "city") called ``name``."""
    if str(getattr(kind, "value", kind)) != "city":
        return {"issuing_name": DEPARTMENT, "seal_text": DEPARTMENT, "document_prefix": DEPARTMENT_PREFIX,
                "reconsideration_body": DEPARTMENT_GOVERNMENT, "court": DEPARTMENT_COURT}
    place = name.removesuffix("交通运输局")
    return {"issuing_name": name, "seal_text": name, "document_prefix": CITY_PREFIXES.get(place, place[:1] + "交"),
            "reconsideration_body": f"{GOVERNMENT_NAMES.get(place, place)}人民政府",
            "court": RAILWAY_COURTS.get(place, f"{place}有管辖权的人民法院")}


@sa.event.listens_for(Unit, "before_insert")
def _issuer_defaults(_mapper, _connection, unit: Unit) -> None:
    """A unit created without its issuer settings gets the defaults of its kind."""
    for key, value in default_issuer(unit.kind, unit.name).items():
        if not getattr(unit, key, None):
            setattr(unit, key, value)


def issuer_of(unit) -> dict:
    """What a notice of ``unit`` prints about its issuer, as JSON values (part of the content)."""
    if unit is None:
        return department_issuer()
    division = unit.name if unit.issuing_name != unit.name else None
    return {"name": unit.issuing_name, "seal": unit.seal_text, "prefix": unit.document_prefix, "division": division,
            "reconsideration_body": unit.reconsideration_body, "court": unit.court}


def deciding_name(unit) -> str:
    """Who decided what ``unit`` decides, towards the public: its issuing name (湖南省交通运输厅 for a
    division of the department, the bureau itself for a city)."""
    return unit.issuing_name


def handling_name(unit) -> str:
    """The unit as the public may name it, as the body that handled a decision (承办): a division by
    its full name under the department (湖南省交通运输厅基建处), a bureau by its own."""
    if unit.issuing_name == unit.name or unit.name.startswith(unit.issuing_name):
        return unit.name
    return f"{unit.issuing_name}{unit.name}"


def department_issuer(*, with_division: bool = False) -> dict:
    """The issuer of documents the department issues as a whole: no 承办单位 unless
    ``with_division`` (the division that runs the credit system handled it)."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == DEPARTMENT_UNIT_CODE))
    values = default_issuer("division", DEPARTMENT) if unit is None else \
        {key: getattr(unit, key) for key in ISSUER_FIELDS}
    return {"name": values["issuing_name"], "seal": values["seal_text"], "prefix": values["document_prefix"],
            "reconsideration_body": values["reconsideration_body"], "court": values["court"],
            "division": unit.name if with_division and unit is not None and unit.name != values["issuing_name"]
            else None}
