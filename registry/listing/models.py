"""Red and black list entries, their categories, and the measures list (PRODUCT §3, §5).

The database holds what must always be true of an entry: four-eyes review, a published entry has
its validity start, a removed one its reason and date, dates in order, and the category belongs
to the entry's list (a composite foreign key on ``(category_id, list_kind)``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import CreatedAtMixin, str_enum
from registry.core.labels import register_state_labels
from registry.core.workflow import ReviewedMixin, review_constraints
from registry.extensions import db


class ListKind(StrEnum):
    RED = "red"
    BLACK = "black"


class EntryStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    IN_PUBLICITY = "in_publicity"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    REMOVED = "removed"


class RemovalReason(StrEnum):
    REPAIRED = "repaired"
    REVOKED = "revoked"
    BLACKLISTED = "blacklisted"  # a red entry whose subject was put on the black list (``listing.redlist``)


LIST_KIND_LABELS = {
    ListKind.RED: _l("Red list (trustworthy)"),
    ListKind.BLACK: _l("Black list (seriously untrustworthy)"),
}
LIST_KIND_SHORT = {ListKind.RED: _l("Red list"), ListKind.BLACK: _l("Black list")}
STATUS_LABELS = {
    EntryStatus.DRAFT: _l("Draft"),
    EntryStatus.PENDING_REVIEW: _l("Pending review"),
    EntryStatus.IN_PUBLICITY: _l("In publicity"),
    EntryStatus.PUBLISHED: _l("Published"),
    EntryStatus.WITHDRAWN: _l("Withdrawn"),
    EntryStatus.EXPIRED: _l("Expired"),
    EntryStatus.REMOVED: _l("Removed"),
}
REMOVAL_LABELS = {RemovalReason.REPAIRED: _l("credit repaired"), RemovalReason.REVOKED: _l("revoked"),
                  RemovalReason.BLACKLISTED: _l("put on the black list")}

# States whose entries the public sees (PRODUCT §3: in publicity marked 公示中, then published).
PUBLIC_STATES = (EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED)
# The longest validity or minimum repair period a category may set, in calendar months (ten years).
MAX_CATEGORY_MONTHS = 120


# The object list (对象清单): which categories each measure applies to.  The same rows are the
# category's default measures, offered pre-ticked when a clerk drafts an entry of that category.
category_measures = sa.Table(
    "list_category_measures",
    db.metadata,
    sa.Column("category_id", sa.ForeignKey("list_categories.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("measure_id", sa.ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
)

entry_measures = sa.Table(
    "list_entry_measures",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("list_entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("measure_id", sa.ForeignKey("measures.id"), primary_key=True, index=True),
)


class Measure(CreatedAtMixin, db.Model):
    """One measure of the measures list (措施清单): a reward (red) or a restriction (black)."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    list_kind: Mapped[ListKind] = mapped_column(str_enum(ListKind, "list_kind"))
    description: Mapped[str] = mapped_column(sa.String(300))
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    implementing_department: Mapped[str] = mapped_column(sa.String(200))
    is_active: Mapped[bool] = mapped_column(default=True)

    categories = relationship(
        "ListCategory",
        secondary=category_measures,
        back_populates="measures",
        order_by="ListCategory.display_order",
    )

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ListCategory(CreatedAtMixin, db.Model):
    """A category of the red or black list with its validity and repair rules (PRODUCT §3)."""

    __tablename__ = "list_categories"
    __table_args__ = (
        sa.UniqueConstraint("id", "list_kind", name="uq_list_categories_id_list_kind"),
        sa.CheckConstraint(f"validity_months BETWEEN 1 AND {MAX_CATEGORY_MONTHS}", name="validity_months_in_range"),
        sa.CheckConstraint(
            f"repair_min_months BETWEEN 0 AND {MAX_CATEGORY_MONTHS}", name="repair_min_months_in_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    list_kind: Mapped[ListKind] = mapped_column(str_enum(ListKind, "list_kind"))
    # Calendar months (core.periods): the rules state these periods in months and years.
    validity_months: Mapped[int]
    repair_allowed: Mapped[bool] = mapped_column(default=True)
    repair_min_months: Mapped[int] = mapped_column(default=12)
    display_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    measures = relationship(
        "Measure", secondary=category_measures, back_populates="categories", order_by="Measure.code"
    )

    def __str__(self) -> str:
        return self.name


class ListEntry(ReviewedMixin, db.Model):
    """One entry of the red or black list, from draft to its end (PRODUCT §3)."""

    __tablename__ = "list_entries"
    __audit_type__ = "list_entry"
    __table_args__ = (
        *review_constraints(),
        sa.ForeignKeyConstraint(
            ["category_id", "list_kind"],
            ["list_categories.id", "list_categories.list_kind"],
            name="fk_list_entries_category_of_list",
        ),
        sa.CheckConstraint(
            "status NOT IN ('published', 'expired', 'removed') OR valid_from IS NOT NULL",
            name="published_has_valid_from",
        ),
        sa.CheckConstraint(
            "status NOT IN ('in_publicity', 'published', 'expired', 'removed', 'withdrawn') "
            "OR (publicity_start IS NOT NULL AND publicity_end IS NOT NULL AND reviewed_by_id IS NOT NULL)",
            name="approved_has_publicity",
        ),
        sa.CheckConstraint(
            "(status = 'removed' AND removal_reason IS NOT NULL AND removal_date IS NOT NULL) "
            "OR (status <> 'removed' AND removal_reason IS NULL AND removal_date IS NULL)",
            name="removed_has_reason",
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="validity_in_order"
        ),
        sa.CheckConstraint(
            "publicity_end IS NULL OR publicity_start IS NULL OR publicity_end >= publicity_start",
            name="publicity_in_order",
        ),
        sa.CheckConstraint("status = 'draft' OR submitted_by_id IS NOT NULL", name="submitted_has_submitter"),
        sa.Index("ix_list_entries_status_publicity_end", "status", "publicity_end"),
        sa.Index("ix_list_entries_status_valid_until", "status", "valid_until"),
        sa.Index("ix_list_entries_unit_status", "unit_id", "status"),  # the workbench's and the queue's counts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_kind: Mapped[ListKind] = mapped_column(str_enum(ListKind, "list_kind"))
    category_id: Mapped[int] = mapped_column(index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    status: Mapped[EntryStatus] = mapped_column(
        str_enum(EntryStatus, "list_entry_status"), default=EntryStatus.DRAFT
    )
    reason: Mapped[str] = mapped_column(sa.Text)  # 认定事由
    legal_basis: Mapped[str] = mapped_column(sa.Text)  # 认定依据
    decision_number: Mapped[str] = mapped_column(sa.String(100), index=True)  # 认定文书号
    deciding_unit: Mapped[str] = mapped_column(sa.String(200))
    decision_date: Mapped[date]
    publicity_start: Mapped[date | None]
    publicity_end: Mapped[date | None]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    removal_reason: Mapped[RemovalReason | None] = mapped_column(
        str_enum(RemovalReason, "list_removal_reason")
    )
    removal_date: Mapped[date | None]

    category = relationship("ListCategory", lazy="joined", viewonly=True)
    subject = relationship("Subject", lazy="joined")
    measures = relationship("Measure", secondary=entry_measures, order_by="Measure.code")

    @property
    def is_returned(self) -> bool:
        """A draft that a reviewer sent back (its comment says what to fix)."""
        return self.status is EntryStatus.DRAFT and bool(self.review_comment)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATES

    def is_shown_on(self, today: date) -> bool:
        """``publicly_shown`` for one loaded entry: public state and not past its validity."""
        return self.is_public and (self.valid_until is None or self.valid_until >= today)

    def __str__(self) -> str:
        return f"{self.decision_number} {self.subject.name if self.subject else ''}"


register_state_labels("list_entry", STATUS_LABELS)
