"""Joint reward and punishment cases (联合奖惩案例, PRODUCT §5).

A case records a reward or punishment actually applied to a subject on a published list entry:
which measures of the measures list, who applied them, when, in what matter, and to what effect.
The measures list and the object list themselves are listing's tables (``Measure``,
``category_measures``); this package maintains them.

The database holds what must always be true of a case: four-eyes review, a submitted case has
its submitter, a published one its reviewer, only a published case is typical (and says who
marked it), and a case has a matter and an effect.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import str_enum
from registry.core.labels import register_state_labels
from registry.core.workflow import ReviewedMixin, review_constraints
from registry.extensions import db


class CaseStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # taken off the public pages on a second reviewer's confirmation (core.removals)


STATUS_LABELS = {
    CaseStatus.DRAFT: _l("Draft"),
    CaseStatus.PENDING_REVIEW: _l("Pending review"),
    CaseStatus.PUBLISHED: _l("Published"),
    CaseStatus.WITHDRAWN: _l("Withdrawn"),
}

case_measures = sa.Table(
    "case_measures",
    db.metadata,
    sa.Column("case_id", sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("measure_id", sa.ForeignKey("measures.id"), primary_key=True, index=True),
)


class Case(ReviewedMixin, db.Model):
    """One reward or punishment applied to a listed subject, from draft to published."""

    __tablename__ = "cases"
    __audit_type__ = "case"
    __table_args__ = (
        *review_constraints(),
        sa.CheckConstraint("status = 'draft' OR submitted_by_id IS NOT NULL", name="submitted_has_submitter"),
        sa.CheckConstraint(
            "status <> 'published' OR reviewed_by_id IS NOT NULL", name="published_has_reviewer"
        ),
        sa.CheckConstraint(
            "NOT is_typical OR (status = 'published' AND typical_marked_by_id IS NOT NULL "
            "AND typical_marked_at IS NOT NULL)",
            name="typical_only_published",
        ),
        sa.CheckConstraint("length(trim(matter)) > 0", name="matter_not_empty"),
        sa.CheckConstraint("length(trim(effect)) > 0", name="effect_not_empty"),
        sa.CheckConstraint("length(trim(applying_party)) > 0", name="applying_party_not_empty"),
        sa.CheckConstraint(
            "(basis_withdrawn_at IS NULL AND basis_withdrawal_reason IS NULL) "
            "OR (basis_withdrawn_at IS NOT NULL AND basis_withdrawal_reason IS NOT NULL "
            "AND length(trim(basis_withdrawal_reason)) > 0)",
            name="basis_withdrawal_has_reason",
        ),
        sa.Index("ix_cases_status_case_date", "status", "case_date"),
        sa.Index("ix_cases_unit_status", "unit_id", "status"),  # the workbench's and the queue's counts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("list_entries.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "case_status"), default=CaseStatus.DRAFT)
    case_date: Mapped[date]  # the day the measure was applied (Asia/Shanghai calendar date)
    applying_party: Mapped[str] = mapped_column(sa.String(200))  # 实施单位或联合奖惩部门
    matter: Mapped[str] = mapped_column(sa.Text)  # 事项: a bid, a licence, a toll exemption …
    effect: Mapped[str] = mapped_column(sa.Text)  # 成效
    is_typical: Mapped[bool] = mapped_column(default=False)  # 典型案例
    typical_marked_at: Mapped[datetime | None]
    typical_marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The list entry the case rests on was withdrawn or removed as wrong (docs/RULES.md §2): the
    # case leaves the public pages, the effectiveness list and the quota, and cannot be approved.
    basis_withdrawn_at: Mapped[datetime | None]
    basis_withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)

    entry = relationship("ListEntry", lazy="joined")
    measures = relationship("Measure", secondary=case_measures, order_by="Measure.code")
    typical_marked_by = relationship("User", foreign_keys=[typical_marked_by_id])

    @property
    def is_returned(self) -> bool:
        """A draft that a reviewer sent back (its comment says what to fix)."""
        return self.status is CaseStatus.DRAFT and bool(self.review_comment)

    @property
    def basis_withdrawn(self) -> bool:
        return self.basis_withdrawn_at is not None

    @property
    def subject(self):
        return self.entry.subject if self.entry is not None else None

    def __str__(self) -> str:
        return f"{self.case_date.isoformat()} {self.subject.name if self.subject else ''}"


def counted():
    """SQL: the case counts (public pages, effectiveness list, quota): published, and its basis was
    not withdrawn or removed as wrong."""
    return sa.and_(Case.status == CaseStatus.PUBLISHED, Case.basis_withdrawn_at.is_(None))


register_state_labels("case", STATUS_LABELS)
