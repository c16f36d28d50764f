"""The repair decision notice, 信用修复决定书 (PRODUCT §7, §12), issued through the applications' notice
machinery."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.applications.notices import register_application_notice
from registry.applications.receipts import register_application_receipt
from registry.listing.public import RECORD_TYPE as LIST_ENTRY
from registry.repairs.models import RepairApplication, RepairOutcome


def _repair_effect(application) -> str | None:
    if application.outcome is not RepairOutcome.APPROVED:
        return "维持原信息，继续按规定公示。"
    if application.record_type == LIST_ENTRY:
        return "准予信用修复，将相关记录移出失信联合惩戒对象名单（黑名单）。"
    return "准予信用修复，相关行政处罚信息停止公示。"


register_application_notice(
    name="repair_decision", title="信用修复决定书", label=_l("Credit repair decision"), number_code="信修决",
    model=RepairApplication, kind_cn="信用修复", outcome_cn={"approved": "准予信用修复", "rejected": "不予信用修复"},
    effect_cn=_repair_effect,
)

register_application_receipt(
    name="repair_receipt", title="信用修复申请回执", label=_l("Credit repair receipt"), number_code="信修回",
    model=RepairApplication, kind="repair", kind_cn="信用修复", statement=lambda application: application.statement,
    status_path="/repairs/status",
)
