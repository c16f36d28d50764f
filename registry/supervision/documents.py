"""双随机抽查计划及结果公告: the notice of a plan (basis, items, scope, ratios, seed, population
hash) with the parties drawn and their results, issued by the plan's unit (PRODUCT §12, §16).
Its content includes the results, so a notice issued after more results are published is a new
numbered document; /verify tells a reader holding an older one what changed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.pdf import facts_table, para
from registry.documents.kinds import NoticeKind, RecordRef, register_notice_kind
from registry.documents.printing import chinese_iso, closing, iso, issuer, issuing_name
from registry.extensions import db
from registry.supervision import plans as ops
from registry.supervision.export import public_party_name
from registry.supervision.inspection_models import POPULATION_LABELS, RESULT_CN, InspectionPlan, PlanStatus
from registry.supervision.results import results_of

KIND_NAME = "inspection_plan"
POPULATION_CN = {"licensed": "本单位许可的持证主体", "region": "本市登记的主体", "list": "指定名单"}


def plan_content(plan: InspectionPlan) -> dict:
    draw = plan.current_draw
    results = results_of(draw) if draw else {}
    parties = []
    for member in (ops.selected_members(draw) if draw else []):
        result = results.get(member.id)
        parties.append({"name": public_party_name(member.subject), "identifier": member.identifier,
                        "result": RESULT_CN[result.result] if result else "尚未检查",
                        "inspected_on": iso(result.inspected_on) if result else None})
    return {
        "name": plan.name, "legal_basis": plan.legal_basis,
        "items": [f"{item.name}（{item.method}）" for item in plan.items],
        "period": [iso(plan.period_start), iso(plan.period_end)],
        "population": plan.population_kind.value, "ratios": ops.ratios_of(plan), "key_ratio": plan.key_ratio,
        "draw": None if draw is None else {"number": draw.number, "seed": draw.seed, "hash": draw.population_hash,
                                           "size": draw.population_size, "drawn_on": iso(draw.drawn_on)},
        "parties": parties, "issuer": issuer(plan.unit),
    }


def render_plan(content: dict, meta, style) -> list:
    ratios = "，".join(f"{code}类{ratio}%" for code, ratio in content["ratios"].items())
    draw = content["draw"]
    story = [
        para(f"现将{content['name']}及抽查结果公告如下：", style["body"]),
        para("一、抽查计划", style["heading"]),
        facts_table([
            ("抽查依据", content["legal_basis"]), ("抽查事项", "；".join(content["items"])),
            ("抽查期限", f"{chinese_iso(content['period'][0])}至{chinese_iso(content['period'][1])}"),
            ("抽查范围", POPULATION_CN.get(content["population"], content["population"])),
            ("抽查比例", f"{ratios}；重点监管对象{content['key_ratio']}%"),
        ] + ([] if draw is None else [
            ("抽取日期", chinese_iso(draw["drawn_on"])), ("随机种子", draw["seed"]),
            ("抽取范围哈希值", draw["hash"]), ("抽取结果", f"从{draw['size']}个对象中抽取{len(content['parties'])}个"),
        ]), style),
        para("二、抽查对象及检查结果", style["heading"]),
    ]
    for index, party in enumerate(content["parties"] or [{"name": "—", "identifier": "", "result": "",
                                                          "inspected_on": None}], start=1):
        when = f"，检查日期{chinese_iso(party['inspected_on'])}" if party["inspected_on"] else ""
        story.append(para(f"{index}. {party['name']}（{party['identifier']}）：{party['result']}{when}",
                          style["body"]))
    story.append(closing(content, meta, style, keep=[para("特此公告。", style["body"])]))
    return story


def plan_facts(content: dict) -> list:
    return [(_l("Plan"), content["name"]), (_l("Period"), f"{content['period'][0]} – {content['period'][1]}"),
            (_l("Drawn from"), str(POPULATION_LABELS.get(content["population"], content["population"]))),
            (_l("Parties drawn"), str(len(content["parties"])))]


register_notice_kind(NoticeKind(
    name=KIND_NAME,
    title="双随机抽查计划及结果公告",
    label=_l("Random-inspection plan and results notice"),
    number_code="信抽查",
    record_type=InspectionPlan.__audit_type__,
    load=lambda document: db.session.get(InspectionPlan, document.record_id),
    record_ref=lambda plan: RecordRef(record_id=plan.id, unit_id=plan.unit_id),
    content=plan_content,
    render=render_plan,
    issuing_unit=issuing_name,
    key_facts=plan_facts,
    can_issue=lambda plan: plan.status in (PlanStatus.APPROVED, PlanStatus.DRAWN),
    describe_change=lambda plan: _l("The plan's draw or results changed since this notice was issued."),
))
