"""列入名单决定书: the notice that tells a subject it has been put on the red or black list.

Issued when the entry is approved (the decision that starts its publicity), dated that day, by
``operations.approve_entry``; every later download returns that document.  Its
content is the decision as approved plus the entry's *standing* (in force when issued), so the
verification page can say when an entry was later withdrawn, revoked or removed by repair;
moving from publicity to published is not a change of the decision.  It is issued in the name of
the authority that decided (the unit's issuing settings: the department for a division, with the
division as 承办单位; a city bureau in its own).  The printed texts are Chinese literals:
the department issues its documents in Chinese whatever the reader's language.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.identifiers import SubjectKind
from registry.core.pdf import facts_table, para
from registry.documents.kinds import DecisionIssue, NoticeKind, RecordRef, register_notice_kind
from registry.documents.printing import (
    chinese_iso,
    closing,
    duration,
    iso,
    issuer,
    issuing_name,
    months_duration,
    period,
    remedies,
)
from registry.documents.report import IDENTIFIER_LABEL_CN, ReportSection, hold_marker, register_report_section
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry
from registry.listing.panels import register_entry_link

KIND_NAME = "list_entry"
LIST_TITLE_CN = {"red": "守信联合激励对象名单（红名单）", "black": "失信联合惩戒对象名单（黑名单）"}
MEASURE_HEADING_CN = {"red": "联合激励措施", "black": "联合惩戒措施"}


def _standing(entry) -> str:
    status = entry.status.value
    if status in ("in_publicity", "published"):
        return "in_force"
    if status == "removed":
        return f"removed_{entry.removal_reason.value}"
    return status


def entry_content(entry) -> dict:
    subject = entry.subject
    category = entry.category
    return {
        "subject": {"name": subject.name, "kind": subject.kind.value, "identifier": subject.public_identifier},
        "list": entry.list_kind.value,
        "category": category.name,
        "reason": entry.reason,
        "legal_basis": entry.legal_basis,
        "decision_number": entry.decision_number,
        "deciding_unit": entry.deciding_unit,
        "decision_date": iso(entry.decision_date),
        "measures": [{"code": m.code, "description": m.description} for m in entry.measures],
        "publicity_start": iso(entry.publicity_start),
        "publicity_end": iso(entry.publicity_end),
        "validity_months": category.validity_months,
        "repair_allowed": category.repair_allowed,
        "repair_min_months": category.repair_min_months,
        "issuer": issuer(entry.unit),
        "standing": _standing(entry),
    }


# Notices issued before periods were counted in calendar months state them in days.
_DAYS_PER_MONTH = 30.4375  # 365.25 / 12, the conversion of the migration to months


def _period(content: dict, name: str) -> str:
    if f"{name}_months" in content:
        return months_duration(content[f"{name}_months"])
    return duration(content[f"{name}_days"])


def recompute_entry(entry, stored: dict) -> dict:
    """The content ``entry`` gives today, in the form ``stored`` was issued in.

    A notice issued while the category's periods were day counts is not "changed" because the
    migration restated 1,095 days as 36 months: if the stored days convert to today's months, the
    stored day counts stand in for them.
    """
    content = entry_content(entry)
    # A notice issued while the deciding unit was the division's own name ("基建处") states the same
    # decision as the entry corrected to its authority's name (``flask listing deciding-units``).
    if stored.get("deciding_unit") == entry.unit.name and content["deciding_unit"] == entry.unit.issuing_name:
        content["deciding_unit"] = stored["deciding_unit"]
    for name in ("validity", "repair_min"):
        days = stored.get(f"{name}_days")
        if days is not None and round(days / _DAYS_PER_MONTH) == content[f"{name}_months"]:
            content[f"{name}_days"] = days
            del content[f"{name}_months"]
    return content


def _addressee(subject: dict) -> tuple[str, str]:
    """How the notice addresses the subject, and how it says "you"."""
    if subject["kind"] == SubjectKind.PERSON.value:
        return f"{subject['name']}：", "你"
    if subject["kind"] == SubjectKind.VEHICLE.value:
        return f"{subject['name']}（{subject['identifier']}）所有人：", "你方"
    return f"{subject['name']}：", "你单位"


# The states of an entry that was approved: its listing was decided (and its notice issued).
DECIDED_STATES = (EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED, EntryStatus.WITHDRAWN, EntryStatus.EXPIRED,
                  EntryStatus.REMOVED)


def decided_at(entry) -> datetime | None:
    """When the entry was approved (its publicity's first day, for an approval without a time)."""
    if entry.status not in DECIDED_STATES:
        return None
    if entry.reviewed_at is not None:
        return entry.reviewed_at
    return clock.local_midnight_utc(entry.publicity_start) if entry.publicity_start else None


def decision_content(entry) -> dict:
    """The content as the entry was decided: the notice states the decision, in force when issued."""
    return {**entry_content(entry), "standing": "in_force"}


def render_entry(content: dict, meta, style) -> list:
    subject = content["subject"]
    list_kind = content["list"]
    salutation, you = _addressee(subject)
    list_title = LIST_TITLE_CN.get(list_kind, list_kind)
    verb = "经查" if list_kind == "black" else "经审核"
    story = [
        para(salutation, style["salutation"]),
        para(f"{verb}，{you}存在以下情形：{content['reason']}", style["body"]),
        para(f"依据{content['legal_basis']}，经{content['deciding_unit']}认定（认定文书号：{content['decision_number']}，"
             f"认定日期：{chinese_iso(content['decision_date'])}），现决定将{you}列入{list_title}"
             f"（{content['category']}类），并按规定实施相应措施。具体如下：", style["body"]),
        para("一、基本信息", style["heading"]),
        facts_table([
            ("主体名称", subject["name"]),
            (IDENTIFIER_LABEL_CN[SubjectKind(subject["kind"])], subject["identifier"]),
            ("名单类别", f"{list_title} · {content['category']}"),
            ("认定事由", content["reason"]),
            ("认定依据", content["legal_basis"]),
            ("认定单位", content["deciding_unit"]),
            ("认定文书号", content["decision_number"]),
            ("公示期", period(content["publicity_start"], content["publicity_end"])),
            ("有效期", f"自公示期满正式发布之日起{_period(content, 'validity')}"),
        ], style),
        para(f"二、{MEASURE_HEADING_CN.get(list_kind, '措施')}", style["heading"]),
    ]
    measures = content["measures"] or [{"code": "", "description": "按照国家和本省有关规定执行。"}]
    for index, measure in enumerate(measures, start=1):
        code = f"（{measure['code']}）" if measure["code"] else ""
        story.append(para(f"{index}. {measure['description']}{code}", style["body"]))
    story.append(para("三、权利告知", style["heading"]))
    story.append(para(
        f"{you}如对本决定有异议，可在公示期内（{period(content['publicity_start'], content['publicity_end'])}）"
        "通过湖南省交通运输信用信息管理系统在线提出异议申请，并提交相关证明材料。", style["body"]))
    if list_kind == "black":
        if content["repair_allowed"]:
            story.append(para(
                f"列入名单满{_period(content, 'repair_min')}后，{you}已纠正失信行为、履行相关义务的，"
                "可依法申请信用修复。", style["body"]))
        else:
            story.append(para("本类别名单不适用信用修复，有效期届满后自动移出。", style["body"]))
    story.append(closing(content, meta, style, keep=[para(remedies(content, you), style["body"]),
                                                     para("特此告知。", style["body"])]))
    return story


def entry_facts(content: dict) -> list:
    subject = content["subject"]
    return [
        (_l("Subject"), subject["name"]),
        (_l("Identifier"), subject["identifier"]),
        (_l("List"), LIST_TITLE_CN.get(content["list"], content["list"])),
        (_l("Category"), content["category"]),
        (_l("Decision number"), content["decision_number"]),
        (_l("Decision date"), chinese_iso(content["decision_date"])),
    ]


def describe_entry_change(entry):
    if entry is None:
        return _l("The list entry this notice concerns no longer exists.")
    standing = _standing(entry)
    when = entry.removal_date.isoformat() if entry.removal_date else ""
    return {
        "withdrawn": _l("The entry was withdrawn during its publicity period."),
        "expired": _l("The entry has expired and left the list."),
        "removed_repaired": _l("The entry was removed from the list on %(date)s after credit repair.", date=when),
        "removed_revoked": _l("The entry was revoked and removed from the list on %(date)s.", date=when),
    }.get(standing, _l("The entry has been changed since this notice was issued."))


register_notice_kind(NoticeKind(
    name=KIND_NAME,
    title="列入名单决定书",
    label=_l("List entry decision"),
    number_code="信列决",
    record_type=ListEntry.__audit_type__,
    load=lambda document: db.session.get(ListEntry, document.record_id),
    record_ref=lambda entry: RecordRef(record_id=entry.id, subject_id=entry.subject_id, unit_id=entry.unit_id),
    content=entry_content,
    render=render_entry,
    issuing_unit=issuing_name,
    key_facts=entry_facts,
    describe_change=describe_entry_change,
    recompute=recompute_entry,
    decision=DecisionIssue(at=decided_at, content=decision_content,
                           records=lambda: sa.select(ListEntry).where(ListEntry.status.in_(DECIDED_STATES))),
))

# On the officer page of a list entry that was approved (its notice was issued then).
register_entry_link(
    "decision_notice", order=20, label=_l("Decision notice (PDF)"),
    url=lambda entry: url_for("documents.officer_notice", kind_name=KIND_NAME, record_id=entry.id),
    visible=lambda entry, user: entry.status in DECIDED_STATES,
)


# --- the credit report's section ----------------------------------------------------------------

REPORT_LIST_CN = {"red": "红名单（守信联合激励对象）", "black": "黑名单（失信联合惩戒对象）"}
ENTRY_STATE_CN = {"in_publicity": "公示中", "published": "已发布"}


def entry_rows(records) -> list[dict]:
    """The subject's public entries (in publicity or published, within validity), as the page
    lists them."""
    return [{
        "id": entry.id,
        "list": entry.list_kind.value,
        "category": entry.category.name,
        "status": ENTRY_STATE_CN[entry.status.value],
        "reason": entry.reason,
        "legal_basis": entry.legal_basis,
        "decision_number": entry.decision_number,
        "deciding_unit": entry.deciding_unit,
        "decision_date": chinese_iso(iso(entry.decision_date)),
        "publicity": period(iso(entry.publicity_start), iso(entry.publicity_end)),
        "validity": period(iso(entry.valid_from), iso(entry.valid_until)) if entry.valid_from else None,
        "measures": "；".join(f"{m.code} {m.description}" for m in entry.measures) or None,
        "marker": hold_marker(records, ListEntry.__audit_type__, entry.id),
    } for entry in records.entries]


register_report_section(ReportSection(
    name="list_entries", order=10, title="红黑名单信息", rows=entry_rows,
    fields=[("category", "名单类别"), ("status", "状态"), ("reason", "认定事由"), ("legal_basis", "认定依据"),
            ("deciding_unit", "认定单位"), ("decision_number", "认定文书号"), ("decision_date", "认定日期"),
            ("publicity", "公示期"), ("validity", "有效期"), ("measures", "奖惩措施"), ("marker", "提示")],
    heading=lambda row: REPORT_LIST_CN.get(row["list"], row["list"]),
))
