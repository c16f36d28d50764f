"""The credit report's sections for the packages that hold public records (when they exist)."""

from __future__ import annotations

from registry.documents.notices import optional_module
from registry.documents.notices._common import chinese_iso, iso, period
from registry.documents.report import ReportSection, register_report_section

listing_models = optional_module("registry.listing.models")
disclosure_queries = optional_module("registry.disclosures.queries")

LIST_CN = {"red": "红名单（守信联合激励对象）", "black": "黑名单（失信联合惩戒对象）"}
ENTRY_STATE_CN = {"in_publicity": "公示中", "published": "已发布"}
HOLD_CN = {"objection": "异议处理中", "repair": "信用修复中"}


def _markers(record_type: str, ids) -> dict:
    from registry.core.holds import open_holds

    return {record_id: "、".join(sorted(HOLD_CN[kind.value] for kind in kinds)) or None
            for record_id, kinds in open_holds(record_type, ids).items()}


if listing_models is not None:
    import sqlalchemy as sa

    from registry.extensions import db

    ListEntry = listing_models.ListEntry

    def collect_entries(subject, today) -> list[dict]:
        """Entries the public sees: in publicity or published (never drafts or ended entries)."""
        entries = db.session.scalars(
            sa.select(ListEntry).where(ListEntry.subject_id == subject.id, listing_models.publicly_shown(today))
            .order_by(ListEntry.decision_date, ListEntry.id)
        ).all()
        markers = _markers(ListEntry.__audit_type__, [entry.id for entry in entries])
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
            "marker": markers.get(entry.id),
        } for entry in entries]

    register_report_section(ReportSection(
        name="list_entries", order=10, title="红黑名单信息", collect=collect_entries,
        fields=[("category", "名单类别"), ("status", "状态"), ("reason", "认定事由"), ("legal_basis", "认定依据"),
                ("deciding_unit", "认定单位"), ("decision_number", "认定文书号"), ("decision_date", "认定日期"),
                ("publicity", "公示期"), ("validity", "有效期"), ("measures", "奖惩措施"), ("marker", "提示")],
        heading=lambda row: LIST_CN.get(row["list"], row["list"]),
    ))


if disclosure_queries is not None:
    import sqlalchemy as sa

    from registry.extensions import db

    Disclosure = disclosure_queries.Disclosure

    def collect_disclosures(subject, today) -> list[dict]:
        """Published disclosures within their disclosure period, as the public payload shows them."""
        disclosures = db.session.scalars(
            sa.select(Disclosure).where(Disclosure.subject_id == subject.id,
                                        disclosure_queries.publicly_visible(today))
            .order_by(Disclosure.decision_date, Disclosure.id)
        ).all()
        markers = _markers(Disclosure.__audit_type__, [item.id for item in disclosures])
        rows = []
        for disclosure in disclosures:
            payload = disclosure_queries.public_payload(disclosure)
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
                "marker": markers.get(disclosure.id),
            })
        return rows

    register_report_section(ReportSection(
        name="disclosures", order=20, title="行政许可和行政处罚信息", collect=collect_disclosures,
        fields=[("party_name", "行政相对人"), ("party_identifier", "证件号码"), ("decision_number", "决定书文号"),
                ("decision_date", "决定日期"), ("authority", "决定机关"), ("violation_type", "违法行为类型"),
                ("violation_facts", "违法事实"), ("legal_basis", "处罚依据"), ("penalty_type", "处罚类别"),
                ("penalty_content", "处罚内容"), ("fine", "罚款金额"), ("severity", "违法情节"),
                ("licence_type", "许可类别"), ("licence_number", "许可证书编号"), ("licence_content", "许可内容"),
                ("licence_validity", "许可有效期"), ("visible_until", "公示截止"), ("marker", "提示")],
        heading=lambda row: row["kind"],
    ))
