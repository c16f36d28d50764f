"""Seed the list categories (PRODUCT §3) and the measures list with its object list (PRODUCT §5);
demo entries in every state.  Both steps are idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.seed import demo_user
from registry.core import clock
from registry.core.datalabels import register_data_labels
from registry.core.seeding import demo_step, on_day, seed_step
from registry.extensions import db
from registry.listing import operations as ops
from registry.listing.models import EntryStatus, ListCategory, ListEntry, ListKind, Measure
from registry.subjects.models import Subject
from registry.subjects.seed import DEMO_FIRMS, DEMO_PERSONS, DEMO_PLATES, demo_resident_id, demo_uscc

BLACK, RED = ListKind.BLACK, ListKind.RED
GUIDANCE = (
    "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）"
)

# (code, list, description, legal basis, implementing department)
MEASURES = [
    (
        "HB-01",
        BLACK,
        "限制参与公路建设项目招投标",
        "《中华人民共和国招标投标法实施条例》；《公路建设市场管理办法》",
        "各级交通运输主管部门（基建管理机构）",
    ),
    (
        "HB-02",
        BLACK,
        "限制参与水运工程建设项目招投标",
        "《中华人民共和国招标投标法实施条例》；《水运建设市场监督管理办法》",
        "各级交通运输主管部门（港航管理机构）",
    ),
    ("HB-03", BLACK, "限制取得道路运输经营许可", "《中华人民共和国道路运输条例》", "各级道路运输管理机构"),
    ("HB-04", BLACK, "列为重点监管对象，提高抽查检查比例和频次", GUIDANCE, "各级交通运输主管部门"),
    ("HB-05", BLACK, "限制申请交通运输财政性资金支持项目", GUIDANCE, "省交通运输厅财务处"),
    ("HB-06", BLACK, "取消参加交通运输行业评优评先资格", GUIDANCE, "省交通运输厅人事处"),
    (
        "HB-07",
        BLACK,
        "不予享受车辆通行费减免等优惠政策",
        "《公路安全保护条例》；《收费公路管理条例》",
        "省高速公路管理机构、各级路政管理机构",
    ),
    (
        "HB-08",
        BLACK,
        "依法限制其主要负责人从业资格",
        "《中华人民共和国安全生产法》；《道路运输从业人员管理规定》",
        "各级交通运输主管部门",
    ),
    ("HH-01", RED, "行政许可开通\u201c绿色通道\u201d，优先办理", GUIDANCE, "各级交通运输主管部门"),
    (
        "HH-02",
        RED,
        "招投标资格审查及评标时给予信用加分",
        "《公路建设市场信用信息管理办法》；《公路施工企业信用评价规则》",
        "省交通运输厅基建处",
    ),
    ("HH-03", RED, "减少日常检查频次", GUIDANCE, "各级交通运输主管部门"),
    ("HH-04", RED, "优先推荐参加行业评优评先", GUIDANCE, "省交通运输厅人事处"),
    ("HH-05", RED, "安排财政性资金项目时同等条件下优先", GUIDANCE, "省交通运输厅财务处"),
]

# (name, list, validity in months, repair allowed, minimum months before repair, default measures);
# calendar months (core.periods), as the rules state them: 36 = 3 years, 24 = 2 years.
CATEGORIES = [
    ("公路建设市场严重失信", BLACK, 36, True, 12, ["HB-01", "HB-04", "HB-05", "HB-06"]),
    ("水运工程建设市场严重失信", BLACK, 36, True, 12, ["HB-02", "HB-04", "HB-05", "HB-06"]),
    ("道路运输严重失信", BLACK, 36, True, 12, ["HB-03", "HB-04", "HB-06"]),
    ("严重超限超载", BLACK, 24, True, 12, ["HB-03", "HB-04", "HB-07"]),
    ("安全生产失信", BLACK, 36, True, 12, ["HB-04", "HB-05", "HB-06", "HB-08"]),
    ("公路水运工程守信典型企业", RED, 24, False, 0, ["HH-01", "HH-02", "HH-03", "HH-04"]),
    ("道路运输守信", RED, 24, False, 0, ["HH-01", "HH-03", "HH-04"]),
    ("信用评价AA级", RED, 24, False, 0, ["HH-02", "HH-03", "HH-05"]),
]

register_data_labels({
    "公路建设市场严重失信": _l("Serious dishonesty in the highway construction market"),
    "水运工程建设市场严重失信": _l("Serious dishonesty in the waterway construction market"),
    "道路运输严重失信": _l("Serious dishonesty in road transport"),
    "严重超限超载": _l("Serious overloading"),
    "安全生产失信": _l("Dishonesty in work safety"),
    "公路水运工程守信典型企业": _l("Exemplary trustworthy highway and waterway firms"),
    "道路运输守信": _l("Trustworthy in road transport"),
    "信用评价AA级": _l("Credit evaluation grade AA"),
})


@seed_step(20)
def seed_measures() -> None:
    existing = set(db.session.scalars(sa.select(Measure.code)))
    for code, kind, description, basis, department in MEASURES:
        if code not in existing:
            db.session.add(
                Measure(
                    code=code,
                    list_kind=kind,
                    description=description,
                    legal_basis=basis,
                    implementing_department=department,
                )
            )
    db.session.flush()


@seed_step(21)
def seed_categories() -> None:
    """Add missing categories with their default measures; never overwrite an admin's changes."""
    existing = set(db.session.scalars(sa.select(ListCategory.name)))
    measures = {m.code: m for m in db.session.scalars(sa.select(Measure))}
    for order, (name, kind, months, repair, repair_months, codes) in enumerate(CATEGORIES, start=1):
        if name in existing:
            continue
        category = ListCategory(
            name=name,
            list_kind=kind,
            validity_months=months,
            repair_allowed=repair,
            repair_min_months=repair_months,
            display_order=order * 10,
        )
        category.measures = [measures[code] for code in codes]
        db.session.add(category)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Demo entries: (decision number, subject, category, unit prefix of users, final state, days ago)


def _firm(index: int) -> str:
    region, _name, _rep = DEMO_FIRMS[index]
    return demo_uscc(region, 1001 + index)


def _person(index: int) -> str:
    region, birth, _name = DEMO_PERSONS[index]
    return demo_resident_id(region, birth, 101 + index)


DEMO_ENTRIES = [
    ("湘交基建信〔2026〕1号", _firm(0), "公路水运工程守信典型企业", "", "draft", 2),
    ("湘交基建信〔2026〕2号", _firm(1), "公路建设市场严重失信", "", "returned", 6),
    ("湘交基建信〔2026〕3号", _firm(9), "公路建设市场严重失信", "", "pending", 4),
    ("湘交基建信〔2026〕4号", _firm(10), "公路建设市场严重失信", "", "pending_by_reviewer", 1),
    ("湘交基建信〔2026〕5号", _firm(18), "公路水运工程守信典型企业", "", "in_publicity", 0),
    ("湘交基建信〔2026〕6号", _firm(14), "公路建设市场严重失信", "", "published", 60),
    ("湘交基建信〔2026〕7号", _firm(13), "公路建设市场严重失信", "", "withdrawn", 2),
    ("湘交基建信〔2023〕3号", _firm(19), "公路水运工程守信典型企业", "", "expired", 1000),
    ("湘交基建信〔2024〕9号", _person(0), "公路建设市场严重失信", "", "repaired", 500),
    ("湘交基建信〔2025〕4号", _firm(6), "水运工程建设市场严重失信", "", "revoked", 200),
    # A trustworthy carrier, later found seriously dishonest: when the black entry took effect, the
    # red one left the red list (listing.redlist; removal reason blacklisted).
    ("湘交运输信〔2025〕3号", _firm(11), "道路运输守信", ".ysc", "published", 400),
    ("湘交运输信〔2025〕11号", _firm(11), "道路运输严重失信", ".ysc", "published", 200),
    ("湘交运输信〔2026〕1号", _firm(4), "道路运输严重失信", ".ysc", "published", 45),
    ("湘交运输信〔2026〕2号", _firm(7), "道路运输守信", ".ysc", "in_publicity", 1),
    ("长交信〔2026〕1号", DEMO_PLATES[0], "严重超限超载", ".cs", "published", 30),
]

# What each category's demo entries say: the conduct the category is about, and its basis.
REASONS = {
    "公路建设市场严重失信": (
        "在公路建设项目招投标中弄虚作假、以他人名义投标，经查证属实，情节严重。",
        "《公路建设市场信用信息管理办法》；《湖南省交通运输信用管理办法》",
    ),
    "水运工程建设市场严重失信": (
        "在水运工程建设项目中将承包的工程违法分包，且拒不整改，经查证属实，情节严重。",
        "《水运建设市场监督管理办法》；《湖南省交通运输信用管理办法》",
    ),
    "道路运输严重失信": (
        "所属营运客车一年内发生两起超员运输行为，并拒不执行主管部门责令整改的决定，情节严重。",
        "《中华人民共和国道路运输条例》；《湖南省交通运输信用管理办法》",
    ),
    "严重超限超载": (
        "该车辆一年内违法超限运输三次，其中一次车货总质量超过限定标准百分之一百以上，经查证属实。",
        "《公路安全保护条例》；《超限运输车辆行驶公路管理规定》",
    ),
    "公路水运工程守信典型企业": (
        "连续三年公路建设市场信用评价为AA级，无不良行为记录，经评审认定为守信典型。",
        "《湖南省交通运输行业守信联合激励实施办法》",
    ),
    "道路运输守信": (
        "连续三年道路运输企业质量信誉考核为AAA级，未发生安全生产责任事故，经评审认定为守信企业。",
        "《湖南省交通运输行业守信联合激励实施办法》",
    ),
}


def _at(day: date):
    return on_day(day)


@demo_step(30)
def demo_entries() -> None:
    today = clock.today()
    for number, identifier, category_name, suffix, state, days_ago in DEMO_ENTRIES:
        if db.session.scalar(sa.select(ListEntry.id).where(ListEntry.decision_number == number)) is not None:
            continue
        subject = db.session.scalar(sa.select(Subject).where(Subject.identifier == identifier))
        category = db.session.scalar(sa.select(ListCategory).where(ListCategory.name == category_name))
        clerk = demo_user(f"clerk{suffix}@demo.hn")
        reviewer = demo_user(f"reviewer{suffix}@demo.hn")
        if subject is None or category is None or clerk is None or reviewer is None:
            continue
        _demo_entry(number, subject, category, clerk, reviewer, state, today - timedelta(days=days_ago))
    with _at(today):
        ops.expire_due_entries(today)
    db.session.flush()


def _demo_entry(number, subject, category, clerk, reviewer, state, start: date) -> None:
    reason, basis = REASONS[category.name]
    author = reviewer if state == "pending_by_reviewer" else clerk
    with _at(start):
        entry = ops.create_entry(
            actor=author,
            subject=subject,
            list_kind=category.list_kind,
            category_id=category.id,
            reason=reason,
            legal_basis=basis,
            decision_number=number,
            decision_date=start - timedelta(days=7),
            measure_ids=[m.id for m in category.measures],
        )
        if state == "draft":
            return
        ops.submit_entry(entry, author, entry.version)
        if state in ("pending", "pending_by_reviewer"):
            return
        if state == "returned":
            ops.return_entry(
                entry, reviewer, entry.version, "请核对认定文书号与认定日期，并补充认定事由中的具体项目名称。"
            )
            return
        ops.approve_entry(entry, reviewer, entry.version)
        if state == "in_publicity":
            return
        if state == "withdrawn":
            ops.withdraw_entry(entry, reviewer, "异议成立：认定所依据的事实有误，撤回公示。")
            return
    publish_day = entry.publicity_end + timedelta(days=1)
    with _at(publish_day):
        ops.publish_due_entries(publish_day)
    db.session.refresh(entry)
    if entry.status is not EntryStatus.PUBLISHED:
        return
    later = publish_day + timedelta(days=380 if state == "repaired" else 90)
    with _at(later):
        if state == "repaired":
            ops.remove_entry(entry, "repaired", reviewer, "信用修复申请经审核通过，移出名单。")
        elif state == "revoked":
            ops.revoke_entry(entry, reviewer, entry.version, "认定决定已被依法撤销。")
