"""Credit evaluation results (信用评价, seed task 14): one grade per subject, field and year.

Each field has its own grade scale, held by a CHECK constraint as well as by the operations:
公路建设 and 水运工程 use AA/A/B/C/D (the Ministry's construction-market credit rules);
道路运输 uses AAA/AA/A/B (道路运输企业质量信誉考核); 安全生产 uses A/B/C/D (诚信, 基本诚信,
失信, 严重失信), the four-level scale of the work-safety credit rules, chosen here because the
2019 task list only says the evaluation is "started".  A D grade (where the scale has one) is the
serious-dishonesty grade that may lead to a black list entry, always through a reviewer's choice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import str_enum
from registry.core.labels import register_state_labels
from registry.core.workflow import ReviewedMixin, review_constraints
from registry.extensions import db


class EvaluationField(StrEnum):
    HIGHWAY = "highway_construction"  # 公路建设
    WATERWAY = "waterway_construction"  # 水运工程
    ROAD_TRANSPORT = "road_transport"  # 道路运输
    WORK_SAFETY = "work_safety"  # 安全生产


class EvaluationStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # taken off the public pages on a second reviewer's confirmation (core.removals)


GRADE_SCALES: dict[EvaluationField, tuple[str, ...]] = {
    EvaluationField.HIGHWAY: ("AA", "A", "B", "C", "D"),
    EvaluationField.WATERWAY: ("AA", "A", "B", "C", "D"),
    EvaluationField.ROAD_TRANSPORT: ("AAA", "AA", "A", "B"),
    EvaluationField.WORK_SAFETY: ("A", "B", "C", "D"),
}

# The black list category a D grade of the field points to (seeded by the listing package).
D_GRADE_CATEGORIES: dict[EvaluationField, str] = {
    EvaluationField.HIGHWAY: "公路建设市场严重失信",
    EvaluationField.WATERWAY: "水运工程建设市场严重失信",
    EvaluationField.WORK_SAFETY: "安全生产失信",
}

FIELD_LABELS = {
    EvaluationField.HIGHWAY: _l("Highway construction"),
    EvaluationField.WATERWAY: _l("Waterway construction"),
    EvaluationField.ROAD_TRANSPORT: _l("Road transport"),
    EvaluationField.WORK_SAFETY: _l("Work safety"),
}
# The Chinese names used in import files and the public catalogue, whatever the reader's language.
FIELD_NAMES_ZH = {
    EvaluationField.HIGHWAY: "公路建设",
    EvaluationField.WATERWAY: "水运工程",
    EvaluationField.ROAD_TRANSPORT: "道路运输",
    EvaluationField.WORK_SAFETY: "安全生产",
}
STATUS_LABELS = {
    EvaluationStatus.DRAFT: _l("Draft"),
    EvaluationStatus.PENDING_REVIEW: _l("Pending review"),
    EvaluationStatus.PUBLISHED: _l("Published"),
    EvaluationStatus.WITHDRAWN: _l("Withdrawn"),
}

MIN_YEAR = 2000


def _grade_check() -> str:
    parts = [
        f"(field = '{field.value}' AND grade IN ({', '.join(repr(g) for g in grades)}))"
        for field, grades in GRADE_SCALES.items()
    ]
    return " OR ".join(parts)


class CreditEvaluation(ReviewedMixin, db.Model):
    """One subject's evaluation result in one field for one year."""

    __tablename__ = "credit_evaluations"
    __audit_type__ = "credit_evaluation"
    __table_args__ = (
        *review_constraints(),
        # One result per subject, field and year; a withdrawn (wrong) result leaves room for the right one.
        sa.Index("uq_credit_evaluations_subject_field_year", "subject_id", "field", "year", unique=True,
                 sqlite_where=sa.text("status <> 'withdrawn'"), postgresql_where=sa.text("status <> 'withdrawn'")),
        sa.CheckConstraint(_grade_check(), name="grade_in_scale"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        sa.Index("ix_credit_evaluations_unit_status", "unit_id", "status"),  # the review queue's counts
        sa.CheckConstraint(f"year >= {MIN_YEAR} AND year <= 2200", name="year_range"),
        sa.CheckConstraint("status = 'draft' OR submitted_by_id IS NOT NULL", name="submitted_has_submitter"),
        sa.CheckConstraint("status <> 'published' OR reviewed_by_id IS NOT NULL", name="published_was_reviewed"),
        sa.CheckConstraint(
            "(NOT directly_determined AND direct_reason IS NULL) "
            "OR (directly_determined AND direct_reason IS NOT NULL AND length(trim(direct_reason)) > 0)",
            name="direct_grade_has_reason",
        ),
        sa.Index("ix_credit_evaluations_status_subject", "status", "subject_id"),
        sa.Index("ix_credit_evaluations_public", "status", "field", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    field: Mapped[EvaluationField] = mapped_column(str_enum(EvaluationField, "evaluation_field"))
    year: Mapped[int]
    grade: Mapped[str] = mapped_column(sa.String(3))
    score: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    evaluating_unit: Mapped[str] = mapped_column(sa.String(200))
    # 直接认定: a grade set by a rule regardless of the score (e.g. D for serious misconduct), with
    # its reason; any other grade lies in its score band (``evaluations.bands``).
    directly_determined: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    direct_reason: Mapped[str | None] = mapped_column(sa.Text)
    published_on: Mapped[date]  # the date the evaluating body announced the result (公布日期)
    document_number: Mapped[str | None] = mapped_column(sa.String(100))  # 公布文号
    status: Mapped[EvaluationStatus] = mapped_column(
        str_enum(EvaluationStatus, "evaluation_status"), default=EvaluationStatus.DRAFT
    )
    # The black list draft a reviewer prepared from a D grade (never made automatically).
    black_list_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("list_entries.id"), unique=True)

    subject = relationship("Subject", lazy="joined")

    @property
    def field_label(self):
        return FIELD_LABELS[self.field]

    @property
    def is_returned(self) -> bool:
        return self.status is EvaluationStatus.DRAFT and bool(self.review_comment)

    @property
    def offers_black_list_draft(self) -> bool:
        """A published D grade whose field has a black list category, not yet drafted."""
        return (self.status is EvaluationStatus.PUBLISHED and self.grade == "D"
                and self.field in D_GRADE_CATEGORIES and self.black_list_entry_id is None)

    def __str__(self) -> str:
        return f"{self.year} {FIELD_NAMES_ZH[self.field]} {self.grade}"


register_state_labels("credit_evaluation", STATUS_LABELS)
