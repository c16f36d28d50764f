"""The disclosures' section of the subject credit report (PRODUCT §10, §12)."""

from __future__ import annotations

from registry.disclosures.models import Disclosure
from registry.disclosures.public import public_payload
from registry.documents.printing import chinese_iso, period
from registry.documents.report import ReportSection, hold_marker, register_report_section


def disclosure_rows(records) -> list[dict]:
    """The subject's publicly visible disclosures, as the public payload shows them."""
    rows = []
    for disclosure in records.disclosures:
        payload = public_payload(disclosure)
        fine = payload.get("fine_amount")
        rows.append({
            "id": payload["id"],
            "kind": payload["kind_label"],
            "party_name": payload["party_name"],
            "party_identifier": payload["party_identifier"],
            "decision_number": payload["decision_number"],
            "decision_date": chinese_iso(payload["decision_date"]),
            "authority": payload["authority_name"],
            "violation_type": payload.get("violation_type"),
            "violation_facts": payload.get("violation_facts"),
            "legal_basis": payload.get("legal_basis"),
            "penalty_type": payload.get("penalty_type_label"),
            "penalty_content": payload.get("penalty_content"),
            "fine": f"{fine}万元" if fine else None,
            "severity": payload.get("severity_label"),
            "licence_type": payload.get("licence_type_label"),
            "licence_number": payload.get("licence_number"),
            "licence_content": payload.get("licence_content"),
            "licence_validity": period(payload.get("licence_valid_from"), payload.get("licence_valid_to"))
            if payload.get("licence_valid_from") or payload.get("licence_valid_to") else None,
            "visible_until": chinese_iso(payload["visible_until"]) if payload.get("visible_until") else "长期",
            "marker": hold_marker(records, Disclosure.__audit_type__, disclosure.id),
        })
    return rows

register_report_section(ReportSection(
    name="disclosures", order=20, title="行政许可和行政处罚信息", rows=disclosure_rows,
    fields=[("party_name", "行政相对人"), ("party_identifier", "证件号码"), ("decision_number", "决定书文号"),
            ("decision_date", "决定日期"), ("authority", "决定机关"), ("violation_type", "违法行为类型"),
            ("violation_facts", "违法事实"), ("legal_basis", "处罚依据"), ("penalty_type", "处罚类别"),
            ("penalty_content", "处罚内容"), ("fine", "罚款金额"), ("severity", "违法情节"),
            ("licence_type", "许可类别"), ("licence_number", "许可证书编号"), ("licence_content", "许可内容"),
            ("licence_validity", "许可有效期"), ("visible_until", "公示截止"), ("marker", "提示")],
    heading=lambda row: row["kind"],
))
