"""The decision notices of applications, issued through ``registry.documents`` (PRODUCT §12).

Each kind registers its own through ``register_application_notice``: 异议处理答复书 in
``registry.objections.documents``, 信用修复决定书 in ``registry.repairs.documents``.  Issued when the application is
finished (decided, or rejected as inadmissible); the content is what the notice prints, with
person ID numbers masked, so that regenerating it gives the same bytes.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.applications import targets
from registry.applications.models import ApplicationStatus
from registry.core import clock
from registry.core.pdf import facts_table, para
from registry.documents.kinds import DecisionIssue, NoticeKind, RecordRef, register_notice_kind
from registry.documents.printing import chinese_iso, closing, iso, issuer, issuing_name, remedies
from registry.extensions import db

FINISHED = (ApplicationStatus.DECIDED, ApplicationStatus.INADMISSIBLE)
RECORD_KIND_CN = {"list_entry": "信用名单记录", "disclosure": "行政处罚（许可）公示信息"}
IDENTIFIER_CN = {"organisation": "统一社会信用代码", "person": "公民身份号码"}


def application_content(application, *, kind_cn: str, outcome_cn: dict, effect_cn) -> dict:
    record = targets.load_record(application.record_type, application.record_id)
    title = targets.summary(record).title if record is not None else ""
    finished = application.status is ApplicationStatus.DECIDED
    return {
        "receipt_number": application.receipt_number,
        "kind_cn": kind_cn,
        "applicant": {"name": application.applicant_name, "kind": application.applicant_kind.value,
                      "identifier": application.public_applicant_identifier},
        "record": {"type": application.record_type, "title": title, "subject": application.subject.name},
        "filed_on": iso(application.filed_on),
        "decided_on": iso(application.decided_on),
        "result": (outcome_cn[application.outcome.value] if finished else "不予受理"),
        "effect": effect_cn(application) if finished else None,
        "reasons": application.decision_reasons if finished else application.inadmissible_reason,
        "issuer": issuer(application.unit),
    }


def render_application(content: dict, meta, style) -> list:
    applicant = content["applicant"]
    record = content["record"]
    story = [
        para(f"{applicant['name']}：", style["salutation"]),
        para(f"你（单位）于{chinese_iso(content['filed_on'])}提交的{content['kind_cn']}申请"
             f"（受理编号：{content['receipt_number']}）收悉。经审查，现答复如下：", style["body"]),
        facts_table([
            ("申请人", applicant["name"]),
            (IDENTIFIER_CN.get(applicant["kind"], "证件号码"), applicant["identifier"]),
            ("所涉信息", f"{RECORD_KIND_CN.get(record['type'], '')}：{record['title']}"),
            ("信用主体", record["subject"]),
            ("处理结果", content["result"]),
            ("处理日期", chinese_iso(content["decided_on"])),
        ], style),
        para("一、理由", style["heading"]),
        para(content["reasons"] or "—", style["body"]),
    ]
    if content["effect"]:
        story += [para("二、处理措施", style["heading"]), para(content["effect"], style["body"])]
    story.append(closing(content, meta, style, keep=[para(remedies(content, what="本答复"), style["body"]),
                                                     para("特此告知。", style["body"])]))
    return story


def decided_at(application):
    """When the decision was confirmed (the day it was finished, for one without a time)."""
    if application.status not in FINISHED:
        return None
    if application.reviewed_at is not None:
        return application.reviewed_at
    return clock.local_midnight_utc(application.decided_on) if application.decided_on else None


def application_facts(content: dict) -> list:
    return [
        (_l("Receipt number"), content["receipt_number"]),
        (_l("Applicant"), content["applicant"]["name"]),
        (_l("Record"), content["record"]["title"]),
        (_l("Result"), content["result"]),
        (_l("Date"), chinese_iso(content["decided_on"])),
    ]


def register_application_notice(*, name: str, title: str, label, number_code: str, model, kind_cn: str,
                                outcome_cn: dict, effect_cn) -> NoticeKind:
    return register_notice_kind(NoticeKind(
        name=name, title=title, label=label, number_code=number_code, record_type=model.__audit_type__,
        load=lambda document: db.session.get(model, document.record_id),
        record_ref=lambda app: RecordRef(record_id=app.id, subject_id=app.subject_id, unit_id=app.unit_id),
        content=lambda app: application_content(app, kind_cn=kind_cn, outcome_cn=outcome_cn, effect_cn=effect_cn),
        render=render_application,
        issuing_unit=issuing_name,
        key_facts=application_facts,
        decision=DecisionIssue(at=decided_at, records=lambda: sa.select(model).where(model.status.in_(FINISHED))),
    ))
