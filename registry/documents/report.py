"""The frame of the subject credit report (信用报告): its sections and how it prints (PRODUCT §10).

What a report says is assembled above the domains, by ``registry.readmodel.report``, from the one
public read model (``readmodel.records.public_records``) that the public subject page shows too,
so the page and the report cannot differ.  Each domain says how its public records print, in its
own ``documents.py``::

    register_report_section(ReportSection(
        name="cases", order=40, title="联合奖惩案例信息",
        rows=lambda records: [...],  # the subject's public records -> rows of JSON values
        fields=[("measure", "奖惩措施"), ("effect", "成效")],
        heading=lambda row: row["matter"],
    ))

``rows`` receives the subject's ``PublicRecords`` (entries, disclosures, evaluations,
evaluation_history, cases, ``marks(record_type, id)``) and prints only from them: a report states
nothing unpublished, person ID numbers masked, and a person's name only where a public record
names them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from registry.core.identifiers import SubjectKind
from registry.core.pdf import chinese_datetime, facts_table, para
from registry.core.registry import Registry
from registry.documents.printing import HOLD_CN, closing

KIND_NAME = "credit_report"
RECORD_TYPE = "subject_identifier"
CHINESE_NUMERALS = "一二三四五六七八九十"

SUBJECT_KIND_CN = {SubjectKind.ORGANISATION: "法人及非法人组织", SubjectKind.PERSON: "自然人",
                   SubjectKind.VEHICLE: "车辆"}
IDENTIFIER_LABEL_CN = {SubjectKind.ORGANISATION: "统一社会信用代码", SubjectKind.PERSON: "公民身份号码",
                       SubjectKind.VEHICLE: "车牌号码"}


@dataclass(frozen=True)
class ReportSection:
    name: str
    order: int
    title: str  # printed heading (Chinese)
    rows: Callable  # (PublicRecords) -> list[dict] of JSON values
    fields: list = field(default_factory=list)  # [(key, printed label)]
    heading: Callable = lambda row: ""


REPORT_SECTIONS: Registry[ReportSection] = Registry("credit report section")


def register_report_section(section: ReportSection) -> ReportSection:
    return REPORT_SECTIONS.add(section)


def hold_marker(records, record_type: str, record_id: int) -> str | None:
    """The holds on a record as a report prints them (异议处理中、信用修复中), or None."""
    return "、".join(sorted(HOLD_CN[kind.value] for kind in records.marks(record_type, record_id))) or None


def _section_titles(content: dict) -> list[ReportSection]:
    known = REPORT_SECTIONS
    return [known[name] for name in sorted(content["sections"], key=lambda n: known[n].order if n in known else 99)
            if name in known]


def render_report(content: dict, meta, style) -> list:
    kind = SubjectKind(content["identifier_kind"])
    name = content["name"]
    moment = chinese_datetime(meta.issued_at)
    who = f"{name}（{IDENTIFIER_LABEL_CN[kind]}：{content['identifier']}）" if name else \
        f"{IDENTIFIER_LABEL_CN[kind]}为{content['identifier']}的信用主体"
    sections = _section_titles(content)
    covered = "、".join(section.title.removesuffix("信息") for section in sections) or "公开信用"
    story = [para(f"根据湖南省交通运输信用信息管理系统记录，截至{moment}，{who}的公开信用信息如下。", style["body"]),
             Spacer(1, 3 * mm)]
    rows = [("主体名称", name)] if name else []
    rows += [("主体类型", SUBJECT_KIND_CN[kind]), (IDENTIFIER_LABEL_CN[kind], content["identifier"])]
    if content["region"]:
        rows.append(("所属地区", content["region"]))
    story.append(facts_table(rows, style))
    if not any(content["sections"].values()):
        story += [Spacer(1, 4 * mm), para(
            f"经查询，截至{moment}，湖南省交通运输信用信息管理系统中未发现该主体的{covered}等公开信用记录。",
            style["body"])]
    for number, section in enumerate(sections):
        story.append(para(f"{CHINESE_NUMERALS[number % 10]}、{section.title}", style["heading"]))
        records = content["sections"][section.name]
        if not records:
            story.append(para("无。", style["body"]))
        for index, record in enumerate(records, start=1):
            # One record's heading and table on one page where they fit (no stranded heading or row).
            story.append(KeepTogether([
                para(f"（{index}）{section.heading(record)}", style["salutation"]),
                facts_table([(label, record[key]) for key, label in section.fields
                             if record.get(key) not in (None, "")], style)]))
    notes = [Spacer(1, 5 * mm), para("说明：", style["note"])]
    for line in (
        "1. 本报告仅反映出具时点湖南省交通运输信用信息管理系统中依法公开的信用信息，不含未公开或已届满公开期限的信息。",
        "2. 自然人公民身份号码已作脱敏处理。",
        "3. 本报告可通过页脚验证码或二维码在线核验；核验页面将提示报告出具后相关信用信息是否发生变化。",
    ):
        notes.append(para(line, style["note"]))
    story.append(closing(content, meta, style, keep=notes))
    return story


def report_facts(content: dict) -> list:
    kind = SubjectKind(content["identifier_kind"])
    facts = [(_l("Identifier"), content["identifier"])]
    name = content["name"]
    if name:
        facts.insert(0, (_l("Subject"), name))
    for section in _section_titles(content):
        facts.append((section.title, str(len(content["sections"][section.name]))))
    facts.append((_l("Kind of subject"), SUBJECT_KIND_CN[kind]))
    return facts


def describe_report_change(target) -> object:
    return _l("The public credit information about this subject has changed since the report was made; "
              "ask for a new report to see the current information.")
