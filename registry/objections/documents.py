"""The objections' decision notice, 异议处理答复书 (PRODUCT §6, §12), issued through the applications'
notice machinery."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.applications.notices import register_application_notice
from registry.applications.receipts import register_application_receipt
from registry.objections.models import Objection


def _objection_effect(objection) -> str | None:
    if objection.outcome.value != "upheld":
        return "维持原信息。"
    if objection.record_type == "list_entry":
        return "撤销相关信用名单记录（公示期内的予以撤回，已发布的予以移出）。"
    if objection.disclosure_effect is not None and objection.disclosure_effect.value == "correct":
        return "更正相关公示信息，以更正后的版本予以公示。"
    return "撤销相关公示信息，停止公示。"


register_application_notice(
    name="objection_decision", title="异议处理答复书", label=_l("Objection decision"),
    number_code="信异复", model=Objection, kind_cn="异议",
    outcome_cn={"upheld": "异议成立", "dismissed": "异议不成立"}, effect_cn=_objection_effect,
)

register_application_receipt(
    name="objection_receipt", title="异议申请回执", label=_l("Objection receipt"), number_code="信异回",
    model=Objection, kind="objection", kind_cn="异议", statement=lambda objection: objection.grounds,
    status_path="/objections/status",
)
