"""Law-enforcement officers who may be drawn as inspectors (执法人员名录), their declared
conflicts with parties, and the inspectors drawn for each inspection (双随机: random inspectors)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.extensions import db


class LawEnforcementOfficer(db.Model):
    """A user marked as a law-enforcement officer, with the number of their certificate (执法证号)."""

    __tablename__ = "law_enforcement_officers"
    __audit_type__ = "law_enforcement_officer"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    certificate_number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    registered_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    user = relationship("User", lazy="joined")


class InspectorConflict(db.Model):
    """An officer's declared conflict of interest with a party: never drawn to inspect it."""

    __tablename__ = "inspector_conflicts"
    __table_args__ = (sa.UniqueConstraint("user_id", "subject_id", name="uq_inspector_conflicts_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    declared_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())


class DrawInspector(db.Model):
    """An inspector drawn for one drawn party."""

    __tablename__ = "inspection_draw_inspectors"
    __table_args__ = (sa.UniqueConstraint("member_id", "user_id", name="uq_inspection_draw_inspectors_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_draw_members.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    user = relationship("User", lazy="joined")
