"""双公示 disclosures: administrative licensing and penalty decisions (PRODUCT §4).

The columns are the national 双公示 data items.  The database holds the rules that must always be
true whatever code writes the row: fines only on penalties and never negative, licence validity
in order, a published record has its publish date, a minor (轻微) penalty is never public, and a
decision number is used once per unit (a correction carries its original's number and points to
it, so only originals are counted).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import str_enum
from registry.core.identifiers import SubjectKind, public_identifier, register_stored_identifiers
from registry.core.labels import register_state_labels
from registry.core.workflow import ReviewedMixin, review_constraints
from registry.extensions import db


class DisclosureKind(StrEnum):
    LICENCE = "licence"  # 行政许可
    PENALTY = "penalty"  # 行政处罚


class DisclosureStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    NOT_PUBLIC = "not_public"  # verified minor penalty: recorded, never published
    CORRECTED = "corrected"  # replaced by a corrected version (``superseded_by``)
    EXPIRED = "expired"  # disclosure period or licence validity ended
    REMOVED = "removed"  # left public view early: repaired or revoked (``removal_reason``)


class PartyCategory(StrEnum):
    ORGANISATION = "organisation"  # 法人及非法人组织
    PERSON = "person"  # 自然人
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户

    @property
    def subject_kind(self) -> SubjectKind:
        """Persons are keyed by resident ID; organisations and individual businesses by USCC."""
        return SubjectKind.PERSON if self is PartyCategory.PERSON else SubjectKind.ORGANISATION


class PenaltyType(StrEnum):
    WARNING = "warning"  # 警告
    FINE = "fine"  # 罚款
    CONFISCATION = "confiscation"  # 没收违法所得
    LICENCE_SUSPENSION = "licence_suspension"  # 暂扣或吊销许可证
    BUSINESS_SUSPENSION = "business_suspension"  # 责令停产停业
    DETENTION = "detention"  # 行政拘留
    OTHER = "other"  # 其他


class Severity(StrEnum):
    MINOR = "minor"  # 轻微: never published
    GENERAL = "general"  # 一般
    SERIOUS = "serious"  # 严重


class LicenceType(StrEnum):
    GENERAL = "general"  # 普通
    SPECIAL = "special"  # 特许
    RECOGNITION = "recognition"  # 认可
    APPROVAL = "approval"  # 核准
    REGISTRATION = "registration"  # 登记
    OTHER = "other"  # 其他


class RemovalReason(StrEnum):
    REPAIRED = "repaired"  # credit repair approved (PRODUCT §7)
    REVOKED = "revoked"  # the decision was revoked, or an objection upheld


# Labels in the reader's language (the national Chinese vocabulary for data is below).
KIND_LABELS = {
    DisclosureKind.LICENCE: _l("Administrative licence"), DisclosureKind.PENALTY: _l("Administrative penalty"),
}
STATUS_LABELS = {
    DisclosureStatus.DRAFT: _l("Draft"),
    DisclosureStatus.PENDING_REVIEW: _l("Pending review"),
    DisclosureStatus.PUBLISHED: _l("Published"),
    DisclosureStatus.NOT_PUBLIC: _l("Verified, not published (minor)"),
    DisclosureStatus.CORRECTED: _l("Corrected by a new version"),
    DisclosureStatus.EXPIRED: _l("Disclosure period ended"),
    DisclosureStatus.REMOVED: _l("Removed from public view"),
}
PARTY_CATEGORY_LABELS = {
    PartyCategory.ORGANISATION: _l("Legal person or unincorporated organisation"),
    PartyCategory.PERSON: _l("Natural person"),
    PartyCategory.INDIVIDUAL_BUSINESS: _l("Individual business"),
}
PENALTY_TYPE_LABELS = {
    PenaltyType.WARNING: _l("Warning"),
    PenaltyType.FINE: _l("Fine"),
    PenaltyType.CONFISCATION: _l("Confiscation of illegal gains"),
    PenaltyType.LICENCE_SUSPENSION: _l("Suspension or revocation of a licence"),
    PenaltyType.BUSINESS_SUSPENSION: _l("Order to stop production or business"),
    PenaltyType.DETENTION: _l("Administrative detention"),
    PenaltyType.OTHER: _l("Other"),
}
SEVERITY_LABELS = {
    Severity.MINOR: _l("Minor"),
    Severity.GENERAL: _l("General"),
    Severity.SERIOUS: _l("Serious"),
}
LICENCE_TYPE_LABELS = {
    LicenceType.GENERAL: _l("Ordinary licence"),
    LicenceType.SPECIAL: _l("Franchise"),
    LicenceType.RECOGNITION: _l("Recognition"),
    LicenceType.APPROVAL: _l("Approval"),
    LicenceType.REGISTRATION: _l("Registration"),
    LicenceType.OTHER: _l("Other"),
}
REMOVAL_REASON_LABELS = {RemovalReason.REPAIRED: _l("Credit repaired"), RemovalReason.REVOKED: _l("Revoked")}

# The national vocabulary (国家双公示数据标准): import files and exchange payloads use these words,
# whatever language the officer reads the pages in.
KIND_CN = {DisclosureKind.LICENCE: "行政许可", DisclosureKind.PENALTY: "行政处罚"}
PARTY_CATEGORY_CN = {
    PartyCategory.ORGANISATION: "法人及非法人组织", PartyCategory.PERSON: "自然人",
    PartyCategory.INDIVIDUAL_BUSINESS: "个体工商户",
}
PENALTY_TYPE_CN = {
    PenaltyType.WARNING: "警告", PenaltyType.FINE: "罚款", PenaltyType.CONFISCATION: "没收违法所得",
    PenaltyType.LICENCE_SUSPENSION: "暂扣或吊销许可证", PenaltyType.BUSINESS_SUSPENSION: "责令停产停业",
    PenaltyType.DETENTION: "行政拘留", PenaltyType.OTHER: "其他",
}
SEVERITY_CN = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SERIOUS: "严重"}
LICENCE_TYPE_CN = {
    LicenceType.GENERAL: "普通", LicenceType.SPECIAL: "特许", LicenceType.RECOGNITION: "认可",
    LicenceType.APPROVAL: "核准", LicenceType.REGISTRATION: "登记", LicenceType.OTHER: "其他",
}

# States in which the record has been public (so it has a publish date).
PUBLISHED_STATES = (
    DisclosureStatus.PUBLISHED, DisclosureStatus.CORRECTED, DisclosureStatus.EXPIRED, DisclosureStatus.REMOVED,
)
_PUBLISHED_SQL = ", ".join(f"'{state.value}'" for state in PUBLISHED_STATES)


class Disclosure(ReviewedMixin, db.Model):
    """One licensing or penalty decision, disclosed after a reviewer verified it."""

    __tablename__ = "disclosures"
    __audit_type__ = "disclosure"
    __table_args__ = (
        *review_constraints(),
        sa.CheckConstraint("fine_amount IS NULL OR fine_amount >= 0", name="fine_not_negative"),
        sa.CheckConstraint("kind = 'penalty' OR fine_amount IS NULL", name="fine_only_on_penalty"),
        sa.CheckConstraint(
            "kind <> 'penalty' OR (penalty_type IS NOT NULL AND severity IS NOT NULL)", name="penalty_has_type"
        ),
        sa.CheckConstraint(
            "kind <> 'licence' OR (penalty_type IS NULL AND severity IS NULL)", name="licence_has_no_penalty"
        ),
        sa.CheckConstraint("penalty_type IS NULL OR penalty_type <> 'fine' OR fine_amount > 0", name="fine_has_amount"),
        sa.CheckConstraint(
            "licence_valid_to IS NULL OR licence_valid_from IS NULL OR licence_valid_to >= licence_valid_from",
            name="licence_dates_ordered",
        ),
        sa.CheckConstraint("decision_date >= '2000-01-01'", name="decision_date_from_2000"),
        sa.CheckConstraint(f"status NOT IN ({_PUBLISHED_SQL}) OR published_on IS NOT NULL", name="published_has_date"),
        sa.CheckConstraint(f"severity IS NULL OR severity <> 'minor' OR status NOT IN ({_PUBLISHED_SQL})",
                           name="minor_never_published"),
        sa.CheckConstraint(
            "(severity = 'minor' AND publication_deadline IS NULL) "
            "OR ((severity IS NULL OR severity <> 'minor') AND publication_deadline IS NOT NULL)",
            name="deadline_unless_minor",
        ),
        sa.CheckConstraint("status <> 'corrected' OR superseded_by_id IS NOT NULL", name="corrected_has_successor"),
        sa.CheckConstraint("status <> 'removed' OR removal_reason IS NOT NULL", name="removed_has_reason"),
        sa.CheckConstraint("corrects_id IS NULL OR corrects_id <> id", name="not_own_correction"),
        sa.CheckConstraint(
            "status NOT IN ('draft', 'pending_review') OR published_on IS NULL", name="unpublished_has_no_date"
        ),
        # A decision number once per unit; corrections carry their original's number.
        sa.Index(
            "uq_disclosures_unit_decision_number", "unit_id", "decision_number", unique=True,
            sqlite_where=sa.text("corrects_id IS NULL"), postgresql_where=sa.text("corrects_id IS NULL"),
        ),
        sa.Index("ix_disclosures_public", "status", "kind", "decision_date"),
        sa.Index("ix_disclosures_unit_deadline", "unit_id", "publication_deadline"),
        sa.Index("ix_disclosures_unit_status", "unit_id", "status"),  # the workbench's and the queue's counts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DisclosureKind] = mapped_column(str_enum(DisclosureKind, "disclosure_kind"))
    status: Mapped[DisclosureStatus] = mapped_column(
        str_enum(DisclosureStatus, "disclosure_status"), default=DisclosureStatus.DRAFT, index=True
    )
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)

    # The party (行政相对人), as the decision names it.
    party_name: Mapped[str] = mapped_column(sa.String(200))
    party_category: Mapped[PartyCategory] = mapped_column(str_enum(PartyCategory, "party_category"))
    party_identifier: Mapped[str] = mapped_column(sa.String(20), index=True)  # normalised USCC or resident ID
    legal_representative: Mapped[str | None] = mapped_column(sa.String(100))

    decision_number: Mapped[str] = mapped_column(sa.String(100))  # 决定书文号
    decision_date: Mapped[date]
    authority_name: Mapped[str] = mapped_column(sa.String(200))  # 决定机关
    authority_uscc: Mapped[str] = mapped_column(sa.String(18))
    source_unit_name: Mapped[str] = mapped_column(sa.String(200))  # 数据来源单位

    # Penalties (行政处罚)
    violation_type: Mapped[str | None] = mapped_column(sa.String(200))
    violation_facts: Mapped[str | None] = mapped_column(sa.Text)
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    penalty_type: Mapped[PenaltyType | None] = mapped_column(str_enum(PenaltyType, "penalty_type"))
    penalty_content: Mapped[str | None] = mapped_column(sa.Text)
    fine_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 6))  # 万元
    severity: Mapped[Severity | None] = mapped_column(str_enum(Severity, "penalty_severity"))

    # Licences (行政许可)
    licence_type: Mapped[LicenceType | None] = mapped_column(str_enum(LicenceType, "licence_type"))
    licence_number: Mapped[str | None] = mapped_column(sa.String(100))
    licence_content: Mapped[str | None] = mapped_column(sa.Text)
    licence_valid_from: Mapped[date | None]
    licence_valid_to: Mapped[date | None]

    # Publication
    publication_deadline: Mapped[date | None] = mapped_column(index=True)  # None for minor penalties
    published_on: Mapped[date | None]
    published_on_time: Mapped[bool | None]
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("disclosures.id"), index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("disclosures.id"))
    ended_at: Mapped[datetime | None]  # left public view (expired or removed)
    removal_reason: Mapped[RemovalReason | None] = mapped_column(str_enum(RemovalReason, "disclosure_removal_reason"))

    subject = relationship("Subject", lazy="joined")
    corrects = relationship("Disclosure", remote_side=[id], foreign_keys=[corrects_id])
    superseded_by = relationship("Disclosure", remote_side=[id], foreign_keys=[superseded_by_id])

    @property
    def is_editable(self) -> bool:
        return self.status is DisclosureStatus.DRAFT

    @property
    def public_party_identifier(self) -> str:
        return public_identifier(self.party_category.subject_kind, self.party_identifier)

    @property
    def title(self) -> str:
        return f"{self.decision_number} · {self.party_name}"

    def __str__(self) -> str:
        return self.title


register_state_labels("disclosure", STATUS_LABELS)
register_stored_identifiers("disclosures.party_identifier", row_id=Disclosure.id, value=Disclosure.party_identifier,
                            kind=Disclosure.party_category, kind_of=lambda category: category.subject_kind)
register_stored_identifiers("disclosures.authority_uscc", row_id=Disclosure.id, value=Disclosure.authority_uscc,
                            kind=SubjectKind.ORGANISATION)
