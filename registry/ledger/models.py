"""The annual work ledger (年度工作台账, seed task 2): the year's tasks, the units responsible for
each, and each unit's monthly progress report on each of its tasks, acknowledged by 法规处.

A second report for a month already reported is an amendment: the report keeps one row per
(assignment, month) with a revision number, and every earlier text is kept in
``LedgerReportRevision``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.core.db import str_enum
from registry.core.labels import register_state_labels
from registry.extensions import db


class Duty(StrEnum):
    """A duty the registry checks, carried by the units a task assigns (``ledger.duties``)."""

    CASE_QUOTA = "case_quota"  # seed task 18: at least N verified joint cases a month
    PUBLICATION = "publication"  # seed task 12: publish credit information at least every two weeks


DUTY_LABELS = {
    Duty.CASE_QUOTA: _l("Monthly joint reward and punishment case quota"),
    Duty.PUBLICATION: _l("Publication of credit information at least every two weeks"),
}


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"


REPORT_STATUS_LABELS = {ReportStatus.SUBMITTED: _l("Submitted"), ReportStatus.ACKNOWLEDGED: _l("Acknowledged")}
register_state_labels("ledger_report", REPORT_STATUS_LABELS)


class LedgerTask(db.Model):
    """One task of a year's task list (任务分解清单)."""

    __tablename__ = "ledger_tasks"
    __audit_type__ = "ledger_task"
    __table_args__ = (
        sa.UniqueConstraint("year", "number", name="uq_ledger_tasks_year_number"),
        sa.UniqueConstraint("year", "duty", name="uq_ledger_tasks_year_duty"),  # one task per duty and year
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("year >= 2000 AND year <= 2200", name="year_range"),
        sa.CheckConstraint("first_month >= 1 AND last_month <= 12 AND first_month <= last_month",
                           name="months_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    number: Mapped[int]
    goal: Mapped[str] = mapped_column(sa.String(200))  # 工作目标
    title: Mapped[str] = mapped_column(sa.Text)  # 工作任务
    deadline: Mapped[date | None]  # None: 常态化推进 (ongoing all year)
    deadline_text: Mapped[str] = mapped_column(sa.String(100))  # as the list words it
    # Months of the year for which monthly reports are due (last_month follows the deadline).
    first_month: Mapped[int] = mapped_column(default=1)
    last_month: Mapped[int] = mapped_column(default=12)
    lead_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    # The duty the registry holds the task's responsible units to (``ledger.duties``), if any.
    duty: Mapped[Duty | None] = mapped_column(str_enum(Duty, "ledger_duty"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    lead_unit = relationship("Unit", foreign_keys=[lead_unit_id])
    assignments = relationship("LedgerAssignment", back_populates="task", order_by="LedgerAssignment.id",
                               cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.year}-{self.number}"


class LedgerAssignment(db.Model):
    """A unit responsible for a task (责任单位): it reports on the task every month."""

    __tablename__ = "ledger_assignments"
    __table_args__ = (sa.UniqueConstraint("task_id", "unit_id", name="uq_ledger_assignments_task_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)

    task = relationship("LedgerTask", back_populates="assignments")
    unit = relationship("Unit", lazy="joined")


class LedgerReport(db.Model):
    """A unit's progress report on one task for one month (the latest revision)."""

    __tablename__ = "ledger_reports"
    __audit_type__ = "ledger_report"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "month", name="uq_ledger_reports_assignment_month"),
        sa.CheckConstraint("month >= 1 AND month <= 12", name="month_range"),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
        sa.CheckConstraint(
            "(status = 'acknowledged' AND acknowledged_by_id IS NOT NULL AND acknowledged_at IS NOT NULL) "
            "OR (status = 'submitted' AND acknowledged_by_id IS NULL AND acknowledged_at IS NULL)",
            name="acknowledged_has_who",
        ),
        sa.CheckConstraint("acknowledged_by_id IS NULL OR acknowledged_by_id <> submitted_by_id",
                           name="four_eyes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_assignments.id", ondelete="CASCADE"),
                                               index=True)
    month: Mapped[int]  # of the task's year
    progress: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, "ledger_report_status"),
                                                 default=ReportStatus.SUBMITTED)
    revision: Mapped[int] = mapped_column(default=1)
    first_submitted_at: Mapped[datetime]
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledgement_comment: Mapped[str | None] = mapped_column(sa.Text)

    assignment = relationship("LedgerAssignment", lazy="joined")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])
    revisions = relationship("LedgerReportRevision", order_by="LedgerReportRevision.revision",
                             cascade="all, delete-orphan")

    @property
    def unit_id(self) -> int:
        return self.assignment.unit_id


class LedgerReportRevision(db.Model):
    """An earlier text of a report, kept when the unit amended it."""

    __tablename__ = "ledger_report_revisions"
    __table_args__ = (sa.UniqueConstraint("report_id", "revision", name="uq_ledger_report_revisions_report_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_reports.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    progress: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, "ledger_report_status"))
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    submitted_by = relationship("User")
