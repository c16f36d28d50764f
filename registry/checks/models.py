from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

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
