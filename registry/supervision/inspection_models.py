"""Random inspections (双随机、一公开, 国发〔2019〕5号; PRODUCT §16): each unit's list of inspection
items, its plans (four-eyes approved) and their draws.

A draw freezes its population: every member with the class it had at the draw, whether it was
left out (inspected recently) and whether it was drawn, with the SHA-256 of the whole list, so
that anyone can recompute the selection from the plan, the seed and the list (``draw.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.core.db import CreatedAtMixin, str_enum
from registry.core.labels import register_state_labels
from registry.core.workflow import ReviewedMixin, review_constraints
from registry.extensions import db


class InspectionItem(CreatedAtMixin, db.Model):
    """One item of a unit's random-inspection list (随机抽查事项清单), shown publicly."""

    __tablename__ = "inspection_items"
    __audit_type__ = "inspection_item"
    __table_args__ = (sa.UniqueConstraint("unit_id", "name", name="uq_inspection_items_unit_name"),
                      sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # 抽查事项
    legal_basis: Mapped[str] = mapped_column(sa.Text)  # 检查依据
    party_kind: Mapped[str] = mapped_column(sa.String(200))  # 检查对象
    method: Mapped[str] = mapped_column(sa.String(200))  # 检查方式
    is_active: Mapped[bool] = mapped_column(default=True)

    unit = relationship("Unit", lazy="joined")


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"  # its seed is fixed and published; the draw may be made
    DRAWN = "drawn"


class PopulationKind(StrEnum):
    LICENSED = "licensed"  # holders of a licence the unit granted (its published licence disclosures)
    REGION = "region"  # subjects registered in the unit's city (a city bureau's region)
    LIST = "list"  # an uploaded list of identifiers


PLAN_STATUS_LABELS = {
    PlanStatus.DRAFT: _l("Draft"), PlanStatus.PENDING_REVIEW: _l("Pending review"),
    PlanStatus.APPROVED: _l("Approved, not drawn yet"), PlanStatus.DRAWN: _l("Drawn"),
}
POPULATION_LABELS = {
    PopulationKind.LICENSED: _l("Holders of a licence the unit granted"),
    PopulationKind.REGION: _l("Subjects registered in the unit's city"),
    PopulationKind.LIST: _l("A list of identifiers"),
}

plan_items = sa.Table(
    "inspection_plan_items", db.metadata,
    sa.Column("plan_id", sa.ForeignKey("inspection_plans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("inspection_items.id"), primary_key=True, index=True),
)


class InspectionPlan(ReviewedMixin, db.Model):
    """A random-inspection plan (抽查计划): what, on whom, how many of each class."""

    __tablename__ = "inspection_plans"
    __audit_type__ = "inspection_plan"
    __table_args__ = (
        *review_constraints(),
        sa.CheckConstraint("period_end >= period_start", name="period_in_order"),
        sa.CheckConstraint("inspectors_per_inspection >= 2", name="two_inspectors_at_least"),
        sa.CheckConstraint("exclude_months >= 0", name="exclude_months_not_negative"),
        sa.CheckConstraint("status IN ('draft', 'pending_review') OR (seed IS NOT NULL AND reviewed_by_id IS NOT NULL)",
                           name="approved_has_seed"),
        sa.CheckConstraint("population_kind <> 'list' OR identifiers IS NOT NULL", name="list_has_identifiers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "inspection_plan_status"),
                                               default=PlanStatus.DRAFT)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    period_start: Mapped[date]
    period_end: Mapped[date]
    population_kind: Mapped[PopulationKind] = mapped_column(str_enum(PopulationKind, "inspection_population_kind"))
    identifiers: Mapped[str | None] = mapped_column(sa.Text)  # the uploaded list, one normalised id a line
    ratios: Mapped[str] = mapped_column(sa.Text)  # JSON {class: percent}
    minimums: Mapped[str] = mapped_column(sa.Text)  # JSON {class: count}
    key_ratio: Mapped[int]  # percent for subjects under key supervision (HB-04), at least their class's
    inspectors_per_inspection: Mapped[int] = mapped_column(default=2)
    exclude_months: Mapped[int] = mapped_column(default=12)
    seed: Mapped[str | None] = mapped_column(sa.String(64))  # the next draw's: fixed at approval or redraw request
    # A redraw asked for (reason, by whom) and waiting for a second officer's confirmation.
    redraw_reason: Mapped[str | None] = mapped_column(sa.Text)
    redraw_requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    items = relationship("InspectionItem", secondary=plan_items, order_by="InspectionItem.id")
    redraw_requested_by = relationship("User", foreign_keys=[redraw_requested_by_id])
    draws = relationship("PlanDraw", order_by="PlanDraw.number", back_populates="plan")

    @property
    def current_draw(self):
        return self.draws[-1] if self.draws else None

    def __str__(self) -> str:
        return self.name


class PlanDraw(db.Model):
    """One draw of a plan; a second one needs a reason and a second officer (both shown)."""

    __tablename__ = "inspection_draws"
    __audit_type__ = "inspection_draw"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "number", name="uq_inspection_draws_plan_number"),
        sa.CheckConstraint("number = 1 OR (redraw_reason IS NOT NULL AND confirmed_by_id IS NOT NULL "
                           "AND confirmed_by_id <> drawn_by_id)", name="redraw_has_reason_and_second_officer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_plans.id"), index=True)
    number: Mapped[int]
    seed: Mapped[str] = mapped_column(sa.String(64))
    population_hash: Mapped[str] = mapped_column(sa.String(64))
    population_size: Mapped[int]
    selected_count: Mapped[int]
    drawn_on: Mapped[date]
    drawn_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    drawn_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    redraw_reason: Mapped[str | None] = mapped_column(sa.Text)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    plan = relationship("InspectionPlan", back_populates="draws")
    drawn_by = relationship("User", foreign_keys=[drawn_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])


class DrawMember(db.Model):
    """One member of a draw's frozen population."""

    __tablename__ = "inspection_draw_members"
    __table_args__ = (sa.UniqueConstraint("draw_id", "subject_id", name="uq_inspection_draw_members_subject"),
                      sa.Index("ix_inspection_draw_members_subject_selected", "subject_id", "selected"))

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_draws.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"))
    identifier: Mapped[str] = mapped_column(sa.String(20))
    class_code: Mapped[str] = mapped_column(sa.String(8))
    key_supervision: Mapped[bool] = mapped_column(default=False)
    excluded: Mapped[bool] = mapped_column(default=False)  # inspected in the last N months (never class D)
    selected: Mapped[bool] = mapped_column(default=False)

    subject = relationship("Subject", lazy="joined")


register_state_labels("inspection_plan", PLAN_STATUS_LABELS)


class ResultKind(StrEnum):
    NO_PROBLEM = "no_problem"  # 未发现问题
    RECTIFICATION_ORDERED = "rectification_ordered"  # 发现问题已责令整改
    HANDLED_BY_LAW = "handled_by_law"  # 发现问题依法处理 (a penalty disclosure)
    NOT_FOUND = "not_found"  # 未发现检查对象


RESULT_LABELS = {
    ResultKind.NO_PROBLEM: _l("No problem found"),
    ResultKind.RECTIFICATION_ORDERED: _l("Problem found, rectification ordered"),
    ResultKind.HANDLED_BY_LAW: _l("Problem found, handled according to law"),
    ResultKind.NOT_FOUND: _l("Party not found"),
}
# The national wording, printed on the public page whatever the reader's language.
RESULT_CN = {ResultKind.NO_PROBLEM: "未发现问题", ResultKind.RECTIFICATION_ORDERED: "发现问题已责令整改",
             ResultKind.HANDLED_BY_LAW: "发现问题依法处理", ResultKind.NOT_FOUND: "未发现检查对象"}


class InspectionResult(db.Model):
    """The result of one inspection of a drawn party, public once recorded (一公开)."""

    __tablename__ = "inspection_results"
    __audit_type__ = "inspection_result"
    __table_args__ = (
        sa.CheckConstraint("result <> 'handled_by_law' OR penalty_disclosure_id IS NOT NULL",
                           name="handled_by_law_has_penalty"),
        sa.CheckConstraint("length(trim(inspectors)) > 0", name="inspectors_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_draw_members.id"), unique=True)
    inspected_on: Mapped[date]
    inspectors: Mapped[str] = mapped_column(sa.String(300))  # the inspectors' names and certificate numbers
    result: Mapped[ResultKind] = mapped_column(str_enum(ResultKind, "inspection_result_kind"))
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    penalty_disclosure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("disclosures.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    published_on: Mapped[date]  # recorded = published on the public page
    published_on_time: Mapped[bool]  # within the publication deadline (working days after the inspection)

    member = relationship("DrawMember", lazy="joined")
