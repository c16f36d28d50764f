"""Monthly exchange batches (PRODUCT §11): what was built for a month and whether it was delivered."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.core.db import str_enum
from registry.extensions import db


class BatchStatus(StrEnum):
    BUILT = "built"  # files built, not (or not since the last rebuild) delivered
    DELIVERED = "delivered"
    FAILED = "failed"  # the last delivery attempt failed; the next run retries


BATCH_STATUS_LABELS = {
    BatchStatus.BUILT: _l("Built, awaiting delivery"),
    BatchStatus.DELIVERED: _l("Delivered"),
    BatchStatus.FAILED: _l("Delivery failed"),
}


class ExchangeBatch(db.Model):
    """One month of the change feed.  The files are rebuilt from the feed whenever they are needed
    (they are deterministic); the manifest stored here says what they contain and their SHA-256."""

    __tablename__ = "exchange_batches"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("status <> 'delivered' OR delivered_at IS NOT NULL", name="delivered_has_time"),
        sa.CheckConstraint("status <> 'failed' OR last_error IS NOT NULL", name="failed_has_error"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7), unique=True)  # YYYY-MM, Asia/Shanghai
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    event_count: Mapped[int] = mapped_column(default=0)
    manifest: Mapped[str] = mapped_column(sa.Text)  # the manifest file's exact text
    manifest_sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[BatchStatus] = mapped_column(str_enum(BatchStatus, "exchange_batch_status"),
                                                default=BatchStatus.BUILT)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    destination: Mapped[str | None] = mapped_column(sa.String(500))
    built_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    @property
    def manifest_dict(self) -> dict:
        return json.loads(self.manifest)

    @property
    def files(self) -> list[dict]:
        return self.manifest_dict.get("files", [])
