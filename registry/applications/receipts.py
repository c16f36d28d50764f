"""The receipt (回执) of an application, issued through ``registry.documents``.

An applicant who files an objection or a repair application gets, besides the confirmation page,
a numbered and verifiable PDF: the receipt number, what was filed (the record concerned, the
grounds, the files by name), the date, the handling unit, and how to follow the application (the
status page's address, the receipt number and the access code given at filing, which the receipt
does not repeat: it is stored only as a hash).  Each kind registers its own through
``register_application_receipt`` (``objections.documents``, ``repairs.documents``).

The content states the filing only, never the later handling, so downloading the receipt again
gives the same document and number; material sent later is not part of the filing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from registry.applications import models, targets
from registry.core.pdf import facts_table, para
from registry.documents.kinds import NoticeKind, RecordRef, register_notice_kind
from registry.documents.printing import chinese_iso, closing, iso, issuer, issuing_name
from registry.extensions import db

MATERIAL = "material"  # the purpose of files sent after filing, at the unit's request
RECORD_KIND_CN = {"list_entry": "信用名单记录", "disclosure": "行政处罚（许可）公示信息"}
IDENTIFIER_CN = {"organisation": "统一社会信用代码", "person": "公民身份号码"}


def receipt_content(application, *, kind: str, kind_cn: str, statement: Callable, status_path: str) -> dict:
    record = targets.load_record(application.record_type, application.record_id)
    files = [row.original_name for row in models.files_of(kind, application.id) if row.purpose != MATERIAL]
    return {
        "receipt_number": application.receipt_number,
        "kind_cn": kind_cn,
        "applicant": {"name": application.applicant_name, "kind": application.applicant_kind.value,
                      "identifier": application.public_applicant_identifier},
        "record": {"type": application.record_type, "subject": application.subject.name,
                   "title": targets.summary(record).title if record is not None else ""},
        "statement": statement(application),
        "files": files,
        "filed_on": iso(application.filed_on),
        "handling_unit": _handling_unit(issuer(application.unit)),
        "issuer": issuer(application.unit),
        "status_url": current_app.config["PUBLIC_BASE_URL"].rstrip("/") + status_path,
    }


def _handling_unit(found: dict) -> str:
    """The unit that handles the application, by its full name (湖南省交通运输厅基建处 for a division)."""
    return f"{found['name']}{found['division']}" if found.get("division") else found["name"]


def render_receipt(content: dict, meta, style) -> list:
    applicant = content["applicant"]
    record = content["record"]
    files = content["files"]
    return [
        para(f"{applicant['name']}：", style["salutation"]),
        para(f"你（单位）于{chinese_iso(content['filed_on'])}提交的{content['kind_cn']}申请已收到，"
             f"受理编号为{content['receipt_number']}。申请内容如下：", style["body"]),
        facts_table([
            ("受理编号", content["receipt_number"]),
            ("申请事项", f"{content['kind_cn']}申请"),
            ("申请人", applicant["name"]),
            (IDENTIFIER_CN.get(applicant["kind"], "证件号码"), applicant["identifier"]),
            ("所涉信息", f"{RECORD_KIND_CN.get(record['type'], '')}：{record['title']}"),
            ("信用主体", record["subject"]),
            ("申请事由", content["statement"] or "—"),
            ("提交材料", f"{len(files)}份：" + "、".join(files) if files else "无"),
            ("提交日期", chinese_iso(content["filed_on"])),
            ("办理单位", content["handling_unit"]),
        ], style),
        Spacer(1, 2 * mm),
        para(f"{content['handling_unit']}将在规定期限内决定是否受理。查询办理进度：请登录 {content['status_url']} ，"
             f"凭受理编号{content['receipt_number']}和提交申请时取得的查询码，查询办理进度、按要求补充材料并下载处理结果"
             "（查询码仅在提交申请时显示一次，请妥善保管）。特此回执。", style["body"]),
        closing(content, meta, style),
    ]


def receipt_facts(content: dict) -> list:
    return [
        (_l("Receipt number"), content["receipt_number"]),
        (_l("Application"), f"{content['kind_cn']}申请"),
        (_l("Applicant"), content["applicant"]["name"]),
        (_l("Record"), content["record"]["title"]),
        (_l("Filed on"), chinese_iso(content["filed_on"])),
    ]


def register_application_receipt(*, name: str, title: str, label, number_code: str, model, kind: str,
                                 kind_cn: str, statement: Callable, status_path: str) -> NoticeKind:
    return register_notice_kind(NoticeKind(
        name=name, title=title, label=label, number_code=number_code, record_type=model.__audit_type__,
        load=lambda document: db.session.get(model, document.record_id),
        record_ref=lambda app: RecordRef(record_id=app.id, subject_id=app.subject_id, unit_id=app.unit_id),
        content=lambda app: receipt_content(app, kind=kind, kind_cn=kind_cn, statement=statement,
                                            status_path=status_path),
        render=render_receipt,
        issuing_unit=issuing_name,
        key_facts=receipt_facts,
    ))
