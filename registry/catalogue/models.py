"""The credit information catalogue (信用信息目录, seed task 8): the kinds of credit information the
registry holds, who supplies each, how often it is updated, and whether it is public or shared
only between departments.  Maintained by administrators; counts come from the real tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.core.db import str_enum
from registry.extensions import db


class Source(StrEnum):
    """Where the registry holds the item (what its counts are computed from)."""

    DISCLOSURE = "disclosure"  # change feed record type "disclosure", matched on its kind
    LIST_ENTRY = "list_entry"  # change feed "list_entry", matched on its category
    CASE = "case"
    EVALUATION = "credit_evaluation"
    COMMITMENT = "credit_commitment"  # not in the public feed: counted from its own table
    OTHER = "other"  # held elsewhere: no counts


class Frequency(StrEnum):
    AS_OCCURS = "as_occurs"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Openness(StrEnum):
    PUBLIC = "public"
    SHARED = "shared_only"


SOURCE_LABELS = {
    Source.DISCLOSURE: _l("Disclosures (licensing and penalties)"), Source.LIST_ENTRY: _l("Red and black lists"),
    Source.CASE: _l("Joint reward and punishment cases"), Source.EVALUATION: _l("Credit evaluations"),
    Source.COMMITMENT: _l("Credit commitments"), Source.OTHER: _l("Other"),
}
FREQUENCY_LABELS = {
    Frequency.AS_OCCURS: _l("As it occurs"), Frequency.DAILY: _l("Daily"), Frequency.WEEKLY: _l("Weekly"),
    Frequency.MONTHLY: _l("Monthly"), Frequency.QUARTERLY: _l("Quarterly"), Frequency.YEARLY: _l("Yearly"),
}
FREQUENCY_CN = {Frequency.AS_OCCURS: "随时更新", Frequency.DAILY: "每日", Frequency.WEEKLY: "每周",
                Frequency.MONTHLY: "每月", Frequency.QUARTERLY: "每季度", Frequency.YEARLY: "每年"}
OPENNESS_LABELS = {Openness.PUBLIC: _l("Public"), Openness.SHARED: _l("Shared between departments only")}
OPENNESS_CN = {Openness.PUBLIC: "社会公开", Openness.SHARED: "政务共享"}

catalogue_item_units = sa.Table(
    "catalogue_item_units",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("catalogue_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("units.id"), primary_key=True, index=True),
)


class CatalogueItem(db.Model):
    __tablename__ = "catalogue_items"
    __audit_type__ = "catalogue_item"
    __table_args__ = (
        sa.CheckConstraint("source IN ('disclosure', 'list_entry') OR match_value IS NULL",
                           name="match_only_where_meaningful"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[Source] = mapped_column(str_enum(Source, "catalogue_source"))
    # For disclosures the kind (licence / penalty), for list entries the category name.
    match_value: Mapped[str | None] = mapped_column(sa.String(100))
    frequency: Mapped[Frequency] = mapped_column(str_enum(Frequency, "catalogue_frequency"))
    openness: Mapped[Openness] = mapped_column(str_enum(Openness, "catalogue_openness"))
    display_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    units = relationship("Unit", secondary=catalogue_item_units, order_by="Unit.sort_order")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
