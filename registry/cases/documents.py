"""联合奖惩案例通报: the notice of a joint reward or punishment actually applied (PRODUCT §5, §12).

Issued when the case is published (its approval), dated that day, by ``operations.approve_case``
; later downloads return that document.  It states the listed subject (a person's
name as the public may see it), the list entry the measures rest on, the measures applied, by
whom, in what matter, and the effect.  Printed texts are Chinese literals: the department issues
its documents in Chinese.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.cases.models import Case, CaseStatus
from registry.cases.public import public_subject_name
from registry.core.identifiers import SubjectKind
from registry.core.pdf import facts_table, para
from registry.documents.kinds import DecisionIssue, NoticeKind, RecordRef, register_notice_kind
from registry.documents.printing import chinese_iso, closing, iso, issuer, issuing_name
from registry.documents.report import IDENTIFIER_LABEL_CN, ReportSection, register_report_section
from registry.extensions import db

KIND_NAME = "case"
KIND_CN = {"red": "联合激励", "black": "联合惩戒"}


def case_content(case) -> dict:
    entry = case.entry
    subject = entry.subject
    return {
        "subject": {"name": public_subject_name(subject, entry), "kind": subject.kind.value,
                    "identifier": subject.public_identifier},
        "list": entry.list_kind.value,
        "category": entry.category.name,
        "entry_decision_number": entry.decision_number,
        "case_date": iso(case.case_date),
        "applying_party": case.applying_party,
        "matter": case.matter,
        "effect": case.effect,
        "measures": [{"code": m.code, "description": m.description} for m in case.measures],
        "typical": case.is_typical,
        "issuer": issuer(case.unit),
        "published": case.status.value == "published" and case.basis_withdrawn_at is None,
    }


# A case once published: its publication was decided, and its notice issued then.
DECIDED_STATES = (CaseStatus.PUBLISHED, CaseStatus.WITHDRAWN)


def decided_at(case):
    return case.reviewed_at if case.status in DECIDED_STATES else None


def decision_content(case) -> dict:
    """The content as the case was published: published, not (yet) marked typical."""
    return {**case_content(case), "published": True, "typical": False}


def render_case(content: dict, meta, style) -> list:
    subject = content["subject"]
    kind = KIND_CN.get(content["list"], "联合奖惩")
    story = [
        para(f"现将{kind}案例通报如下{'（典型案例）' if content['typical'] else ''}：", style["body"]),
        para("一、基本情况", style["heading"]),
        facts_table([
            ("主体名称", subject["name"]),
            (IDENTIFIER_LABEL_CN[SubjectKind(subject["kind"])], subject["identifier"]),
            ("名单类别", content["category"]),
            ("认定文书号", content["entry_decision_number"]),
            ("实施日期", chinese_iso(content["case_date"])),
            ("实施单位", content["applying_party"]),
            ("事项", content["matter"]),
        ], style),
        para(f"二、实施的{kind}措施", style["heading"]),
    ]
    for index, measure in enumerate(content["measures"] or [{"code": "", "description": "—"}], start=1):
        code = f"（{measure['code']}）" if measure["code"] else ""
        story.append(para(f"{index}. {measure['description']}{code}", style["body"]))
    story += [
        para("三、实施成效", style["heading"]),
        para(content["effect"], style["body"]),
        closing(content, meta, style, keep=[para("特此通报。", style["body"])]),
    ]
    return story


def case_facts(content: dict) -> list:
    return [
        (_l("Subject"), content["subject"]["name"]),
        (_l("Identifier"), content["subject"]["identifier"]),
        (_l("Category"), content["category"]),
        (_l("Date"), chinese_iso(content["case_date"])),
        (_l("Applied by"), content["applying_party"]),
    ]


def describe_case_change(case):
    if case is not None and case.basis_withdrawn_at is not None:
        return _l("The list entry this case rests on was withdrawn or revoked as wrong: the case no longer stands.")
    if case is None or case.status.value != "published":
        return _l("The case this notice reports is no longer published.")
    return _l("The case has been changed since this notice was issued.")


register_notice_kind(NoticeKind(
    name=KIND_NAME,
    title="联合奖惩案例通报",
    label=_l("Joint reward or punishment case notice"),
    number_code="信案例",
    record_type=Case.__audit_type__,
    load=lambda document: db.session.get(Case, document.record_id),
    record_ref=lambda case: RecordRef(record_id=case.id, subject_id=case.entry.subject_id, unit_id=case.unit_id),
    content=case_content,
    render=render_case,
    issuing_unit=issuing_name,
    key_facts=case_facts,
    describe_change=describe_case_change,
    decision=DecisionIssue(at=decided_at, content=decision_content,
                           records=lambda: sa.select(Case).where(Case.status.in_(DECIDED_STATES))),
))


# --- the credit report's section ----------------------------------------------------------------


def case_rows(records) -> list[dict]:
    """The subject's published cases (latest first), as the subject page lists them."""
    return [{
        "id": case.id,
        "list": case.entry.list_kind.value,
        "category": case.entry.category.name,
        "entry_decision_number": case.entry.decision_number,
        "case_date": chinese_iso(iso(case.case_date)),
        "applying_party": case.applying_party,
        "matter": case.matter,
        "measures": "；".join(f"{m.code} {m.description}" for m in case.measures) or None,
        "effect": case.effect,
        "typical": "典型案例" if case.is_typical else None,
    } for case in records.cases]


register_report_section(ReportSection(
    name="cases", order=40, title="联合奖惩案例信息", rows=case_rows,
    fields=[("case_date", "实施日期"), ("applying_party", "实施单位"), ("matter", "事项"), ("measures", "实施措施"),
            ("effect", "实施成效"), ("category", "名单类别"), ("entry_decision_number", "认定文书号"),
            ("typical", "提示")],
    heading=lambda row: f"{KIND_CN.get(row['list'], '联合奖惩')}案例",
))
