"""The subject credit report (信用报告): everything public about a subject at a moment (SPEC §10).

Anyone may ask for it, for a registered subject or for any valid identifier; with nothing on
record the report certifies exactly that ("截至 … 未发现 … 公开信用记录").  What it lists comes
from report sections that the packages holding public records contribute::

    register_report_section(ReportSection(
        name="cases", order=30, title="联合奖惩案例信息",
        collect=lambda subject, today: [...],  # public rows only, as JSON values, persons masked
        fields=[("measure", "奖惩措施"), ("effect", "成效")],
        heading=lambda row: row["matter"],
    ))

Each domain registers its own section in its ``documents.py`` (list entries, disclosures).  A
report states only what its sections collected: nothing unpublished, person ID numbers masked, and
a person's name only where a public record names them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from registry.core import clock
from registry.core.identifiers import HUNAN_CITIES, SubjectKind, parse_identifier, public_identifier, region_code
from registry.core.pdf import chinese_datetime, facts_table, para
from registry.core.registry import Registry
from registry.documents.kinds import NoticeKind, RecordRef, register_notice_kind
from registry.documents.printing import closing, issuer, issuing_name
from registry.subjects.models import Subject
from registry.subjects.operations import get_by_identifier

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
    collect: Callable  # (subject, today) -> list[dict] of public rows
    fields: list = field(default_factory=list)  # [(key, printed label)]
    heading: Callable = lambda row: ""


REPORT_SECTIONS: Registry[ReportSection] = Registry("credit report section")


def register_report_section(section: ReportSection) -> ReportSection:
    return REPORT_SECTIONS.add(section)


@dataclass(frozen=True)
class ReportTarget:
    """Whom a report is about: an identifier, and the subject registered under it if any."""

    kind: SubjectKind
    identifier: str
    subject: Subject | None


def resolve_target(identifier_or_subject) -> ReportTarget:
    """The target of a report; raises ``InvalidIdentifier`` for text that is no valid identifier."""
    if isinstance(identifier_or_subject, Subject):
        subject = identifier_or_subject
        return ReportTarget(SubjectKind(subject.kind), subject.identifier, subject)
    readings = parse_identifier(str(identifier_or_subject))
    for reading in readings:
        subject = get_by_identifier(reading.kind, reading.value)
        if subject is not None:
            return ReportTarget(reading.kind, reading.value, subject)
    return ReportTarget(readings[0].kind, readings[0].value, None)


def report_content(target: ReportTarget, only: list[str] | None = None) -> dict:
    """The public facts about the target today, section by section.

    Without a public record the report names nobody and reads the same whether or not a subject
    is registered under the identifier: registration alone is not public information.
    """
    today = clock.today()
    sections = {}
    for section in REPORT_SECTIONS.ordered():
        if only is None or section.name in only:
            sections[section.name] = section.collect(target.subject, today) if target.subject else []
    region = HUNAN_CITIES.get((region_code(target.kind, target.identifier) or "")[:4])
    return {
        "identifier": public_identifier(target.kind, target.identifier),
        "identifier_kind": target.kind.value,
        "name": target.subject.name if any(sections.values()) else None,
        "region": region,
        "sections": sections,
        "issuer": issuer(),
    }


def has_public_records(subject: Subject) -> bool:
    target = ReportTarget(SubjectKind(subject.kind), subject.identifier, subject)
    return any(report_content(target)["sections"].values())


def _load(document) -> ReportTarget:
    kind = SubjectKind(document.content["identifier_kind"])
    return ReportTarget(kind, document.record_key, get_by_identifier(kind, document.record_key))


def _record_ref(target: ReportTarget) -> RecordRef:
    return RecordRef(record_key=target.identifier, subject_id=target.subject.id if target.subject else None)


def _section_titles(content: dict) -> list[ReportSection]:
    known = REPORT_SECTIONS
    return [known[name] for name in sorted(content["sections"], key=lambda n: known[n].order if n in known else 99)
            if name in known]


def _render(content: dict, meta, style) -> list:
    kind = SubjectKind(content["identifier_kind"])
    name = content["name"]
    moment = chinese_datetime(meta.issued_at)
    who = f"{name}（{IDENTIFIER_LABEL_CN[kind]}：{content['identifier']}）" if name else \
        f"{IDENTIFIER_LABEL_CN[kind]}为{content['identifier']}的信用主体"
    sections = _section_titles(content)
    covered = "、".join(section.title.removesuffix("信息") for section in sections) or "公开信用"
    story = [para(f"根据湖南省交通运输信用信息管理系统记录，截至{moment}，{who}的公开信用信息如下。", style["body"]),
             Spacer(1, 3 * mm)]
    rows = [("主体名称", name or "—"), ("主体类型", SUBJECT_KIND_CN[kind]),
            (IDENTIFIER_LABEL_CN[kind], content["identifier"])]
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


def _key_facts(content: dict) -> list:
    kind = SubjectKind(content["identifier_kind"])
    facts = [(_l("Identifier"), content["identifier"])]
    name = content["name"]
    if name:
        facts.insert(0, (_l("Subject"), name))
    for section in _section_titles(content):
        facts.append((section.title, str(len(content["sections"][section.name]))))
    facts.append((_l("Kind of subject"), SUBJECT_KIND_CN[kind]))
    return facts


def _describe_change(target) -> object:
    return _l("The public credit information about this subject has changed since the report was made; "
              "ask for a new report to see the current information.")


CREDIT_REPORT = register_notice_kind(NoticeKind(
    name=KIND_NAME,
    title="信用报告",
    label=_l("Credit report"),
    number_prefix="湘交信报",
    record_type=RECORD_TYPE,
    load=_load,
    record_ref=_record_ref,
    content=report_content,
    render=_render,
    issuing_unit=issuing_name,
    key_facts=_key_facts,
    describe_change=_describe_change,
    recompute=lambda target, stored: report_content(target, only=list(stored["sections"])),
    officer_download=False,
    daily=True,
))


def credit_report_pdf(identifier_or_subject, *, actor=None):
    """The credit report of a subject or identifier today: ``(pdf bytes, IssuedDocument)``.

    Raises ``InvalidIdentifier`` for text that is no valid identifier.  The caller commits.
    """
    from registry.documents.operations import document_pdf

    return document_pdf(KIND_NAME, resolve_target(identifier_or_subject), actor=actor)
