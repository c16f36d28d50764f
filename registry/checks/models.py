from __future__ import annotations

import json
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.extensions import db


class CheckRun(db.Model):
    """One completed run of one check (rolled back with it when the check fails)."""

    __tablename__ = "check_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), index=True)
    run_for: Mapped[date]
    started_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    counts: Mapped[str | None] = mapped_column(sa.Text)  # JSON
    duration_seconds: Mapped[float | None]  # wall time of the check, up to its commit


class Alert(db.Model):
    """A condition someone must act on: a deadline near or past, a unit that went quiet.

    At most one *open* alert per (kind, record): the partial unique index enforces it on both
    databases.  ``sync_alerts`` raises and resolves them; nobody edits them by hand.  Alerts
    with no unit concern the administrators (the working-day calendar, for example).
    """

    __tablename__ = "alerts"
    __table_args__ = (
        sa.Index(
            "uq_alerts_open_kind_record", "kind", "record_type", "record_id", unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"), postgresql_where=sa.text("resolved_at IS NULL"),
        ),
        sa.Index("ix_alerts_unit_open", "unit_id", "resolved_at"),
        sa.CheckConstraint("resolved_at IS NULL OR resolved_at >= raised_at", name="resolved_after_raised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subjects.id"))
    due_date: Mapped[date | None]
    raised_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    params: Mapped[str | None] = mapped_column(sa.Text)  # JSON: values for the kind's message

    unit = relationship("Unit", lazy="joined")

    @property
    def params_dict(self) -> dict:
        return json.loads(self.params) if self.params else {}

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
