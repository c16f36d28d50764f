"""Every document the registry has issued, so that it can be verified and regenerated exactly.

A document is the rendering of a record's *content*: the canonical JSON of the facts the notice
states (``content_json``) and its SHA-256 (``content_hash``).  Regenerating the PDF from the
stored content gives the same bytes; recomputing the content from the record today and comparing
hashes tells whether the record has changed since the notice was issued.

The database holds that a document is issued once: ``issue_key`` is unique, the
hash of what makes a document the same one (a decision notice: its kind and record; any other:
its kind, record and content, and the day for a daily report), so two requests issuing it at the
same moment cannot take two numbers; and a number is unique within its issuer's prefix and year.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.extensions import db


class IssuedDocument(db.Model):
    __tablename__ = "issued_documents"
    __audit_type__ = "issued_document"
    __table_args__ = (
        sa.UniqueConstraint("prefix", "year", "serial", name="uq_issued_documents_prefix_year_serial"),
        sa.Index("ix_issued_documents_record", "record_type", "record_id"),
        sa.Index("ix_issued_documents_key", "record_type", "record_key"),
        sa.CheckConstraint("serial > 0", name="serial_positive"),
        sa.CheckConstraint("record_id IS NOT NULL OR record_key IS NOT NULL", name="names_its_record"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)  # 文号, e.g. 湘交信列决〔2026〕第0001号
    prefix: Mapped[str] = mapped_column(sa.String(40))  # the issuer's and the kind's: 湘交信列决, 长交信列决
    issue_key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # see the module's docstring
    year: Mapped[int]
    serial: Mapped[int]
    # The record the document is about: a row (``record_id``) or, for a credit report, the
    # normalised identifier it was asked for (``record_key``; never shown, persons included).
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int | None]
    record_key: Mapped[str | None] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    content_json: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    issued_by = relationship("User", foreign_keys=[issued_by_id])

    newly_issued = False  # not stored: set on the instance ``issue_document`` has just numbered

    @property
    def content(self) -> dict:
        return json.loads(self.content_json)

    def __str__(self) -> str:
        return self.number
