"""Credit commitments (信用承诺, seed task 15): a subject's signed commitment letter, on file.

Commitments are recorded by officers and shown to officers only.  A breached commitment can be
cited as the reason of a black list entry: ``CommitmentBreach`` links the two.
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
from registry.core.uploads import register_stored_uploads
from registry.extensions import db


class CommitmentKind(StrEnum):
    LICENSING = "licensing"  # 行政许可
    REPAIR = "repair"  # 信用修复
    BIDDING = "bidding"  # 招投标


class CommitmentStatus(StrEnum):
    ACTIVE = "active"
    BREACHED = "breached"


KIND_LABELS = {
    CommitmentKind.LICENSING: _l("Administrative licensing"),
    CommitmentKind.REPAIR: _l("Credit repair"),
    CommitmentKind.BIDDING: _l("Bidding"),
}
STATUS_LABELS = {CommitmentStatus.ACTIVE: _l("In force"), CommitmentStatus.BREACHED: _l("Breached")}


class CreditCommitment(db.Model):
    __tablename__ = "credit_commitments"
    __audit_type__ = "credit_commitment"
    __table_args__ = (
        sa.CheckConstraint("file_size > 0", name="file_not_empty"),
        sa.CheckConstraint(
            "(status = 'breached' AND breached_on IS NOT NULL) OR (status = 'active' AND breached_on IS NULL)",
            name="breach_has_date",
        ),
        sa.CheckConstraint("breached_on IS NULL OR breached_on >= signed_on", name="breach_after_signing"),
        sa.CheckConstraint("file_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="file_type_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    kind: Mapped[CommitmentKind] = mapped_column(str_enum(CommitmentKind, "commitment_kind"))
    signed_on: Mapped[date]
    matter: Mapped[str | None] = mapped_column(sa.String(300))  # the licence, bid or repair it was given for
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.ACTIVE
    )
    breached_on: Mapped[date | None]
    breach_note: Mapped[str | None] = mapped_column(sa.Text)
    file_stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    file_original_name: Mapped[str] = mapped_column(sa.String(200))
    file_type: Mapped[str] = mapped_column(sa.String(40))
    file_size: Mapped[int]
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    subject = relationship("Subject", lazy="joined")
    unit = relationship("Unit", lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id])
    breaches = relationship("CommitmentBreach", back_populates="commitment", order_by="CommitmentBreach.id")

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    def __str__(self) -> str:
        return f"{self.subject.name} · {self.signed_on.isoformat()}"


class CommitmentBreach(db.Model):
    """A black list entry that cites a breached commitment as its reason."""

    __tablename__ = "commitment_breaches"
    __table_args__ = (sa.UniqueConstraint("commitment_id", "list_entry_id", name="uq_commitment_breaches_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_commitments.id"), index=True)
    list_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("list_entries.id"), index=True)
    linked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    commitment = relationship("CreditCommitment", back_populates="breaches")
    linked_by = relationship("User")


register_state_labels("credit_commitment", STATUS_LABELS)


register_stored_uploads("commitments.file_stored_name", CreditCommitment.file_stored_name)
