"""What objections and repair applications share: columns, files, receipts, access codes, throttling.

An application is filed by the public (no user account), so instead of ``ReviewedMixin`` it
carries its own handling columns: who accepted it, who prepared the decision and which reviewer
confirmed it.  The database holds the four-eyes rule (the confirming reviewer is not the
preparer) and that every final state has what it needs (a reason, an outcome, a date).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from registry.core import clock, throttle
from registry.core.db import str_enum
from registry.core.identifiers import SubjectKind, public_identifier
from registry.core.labels import register_state_labels
from registry.core.uploads import register_stored_uploads
from registry.extensions import db


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for the unit to accept it (or ask for material)
    MATERIAL_REQUESTED = "material_requested"  # the unit asked the applicant for more material
    ACCEPTED = "accepted"  # accepted; a decision is due
    PENDING_REVIEW = "pending_review"  # decision prepared, waiting for a reviewer to confirm it
    INADMISSIBLE = "inadmissible"  # rejected as inadmissible (final)
    DECIDED = "decided"  # decided and confirmed (final)


S = ApplicationStatus
OPEN_STATES = (S.SUBMITTED, S.MATERIAL_REQUESTED, S.ACCEPTED, S.PENDING_REVIEW)
FINAL_STATES = (S.INADMISSIBLE, S.DECIDED)
REJECTABLE_STATES = (S.SUBMITTED, S.MATERIAL_REQUESTED)  # where a rejection as inadmissible may be prepared
# The open states as an SQL list, for the partial indexes of the kinds of application.
OPEN_STATES_SQL = ", ".join(f"'{state.value}'" for state in OPEN_STATES)

STATUS_LABELS = {
    S.SUBMITTED: _l("Received, awaiting acceptance"),
    S.MATERIAL_REQUESTED: _l("More material requested"),
    S.ACCEPTED: _l("Accepted, being decided"),
    S.PENDING_REVIEW: _l("Decision awaiting confirmation"),
    S.INADMISSIBLE: _l("Rejected as inadmissible"),
    S.DECIDED: _l("Decided"),
}
# What the applicant sees: a prepared decision is not a decision until a reviewer confirms it.
PUBLIC_STATUS_LABELS = {**STATUS_LABELS, S.PENDING_REVIEW: STATUS_LABELS[S.ACCEPTED]}

APPLICANT_KINDS = (SubjectKind.ORGANISATION, SubjectKind.PERSON)
APPLICANT_KIND_LABELS = {SubjectKind.ORGANISATION: _l("Organisation"), SubjectKind.PERSON: _l("Natural person")}


# What each kind of uploaded file is, for the pages (the stored ``purpose`` is a code); a kind of
# application adds its own documents with ``register_file_purpose``.
FILE_PURPOSE_LABELS: dict[str, object] = {"evidence": _l("Supporting file"), "material": _l("Material sent later")}


def register_file_purpose(purpose: str, label) -> None:
    FILE_PURPOSE_LABELS[purpose] = label


def file_purpose_label(purpose: str):
    return FILE_PURPOSE_LABELS.get(purpose, _l("File"))


class ApplicationMixin:
    """The columns of a public application and its handling (four-eyes decision)."""

    __receipt_prefix__: str = ""
    __hold_kind__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    access_code_hash: Mapped[str] = mapped_column(sa.String(64))
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"), default=ApplicationStatus.SUBMITTED, index=True
    )
    version: Mapped[int] = mapped_column(default=1)

    applicant_kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind, "subject_kind"))
    applicant_name: Mapped[str] = mapped_column(sa.String(200))
    applicant_identifier: Mapped[str] = mapped_column(sa.String(18))
    phone: Mapped[str] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))

    filed_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    filed_on: Mapped[date]
    accept_due: Mapped[date | None]
    material_request: Mapped[str | None] = mapped_column(sa.Text)
    material_requested_on: Mapped[date | None]
    material_supplied_on: Mapped[date | None]
    accepted_on: Mapped[date | None]
    decide_due: Mapped[date | None]
    inadmissible_reason: Mapped[str | None] = mapped_column(sa.Text)
    decision_reasons: Mapped[str | None] = mapped_column(sa.Text)
    prepared_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    decided_on: Mapped[date | None]  # the day it was finished (decided, or rejected as inadmissible)

    @declared_attr
    def handled_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def prepared_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def reviewed_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def unit(cls):
        return relationship("Unit", foreign_keys=[cls.unit_id])

    @declared_attr
    def subject(cls):
        return relationship("Subject", foreign_keys=[cls.subject_id])

    @declared_attr
    def prepared_by(cls):
        return relationship("User", foreign_keys=[cls.prepared_by_id])

    @declared_attr
    def reviewed_by(cls):
        return relationship("User", foreign_keys=[cls.reviewed_by_id])

    @declared_attr
    def handled_by(cls):
        return relationship("User", foreign_keys=[cls.handled_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def rejection_prepared(self) -> bool:
        """An officer prepared a rejection as inadmissible; a reviewer has yet to confirm it.

        It needs no state of its own: the application stays where it was (received, or material
        requested) with the reasons and the preparer filled in, until a reviewer confirms
        (``inadmissible``) or returns it (the reasons are cleared again).
        """
        return self.status in REJECTABLE_STATES and self.inadmissible_reason is not None

    @classmethod
    def rejection_prepared_sql(cls):
        """SQL for ``rejection_prepared``."""
        return sa.and_(cls.status.in_(REJECTABLE_STATES), cls.inadmissible_reason.is_not(None))

    @property
    def public_applicant_identifier(self) -> str:
        return public_identifier(self.applicant_kind, self.applicant_identifier)

    @property
    def due(self) -> date | None:
        """The deadline of the step the unit must take next (None when none is due)."""
        if self.status is S.SUBMITTED:
            return self.accept_due
        if self.status in (S.ACCEPTED, S.PENDING_REVIEW):
            return self.decide_due
        return None


def application_constraints(table: str, outcomes: tuple[str, ...]) -> tuple:
    """CHECK constraints every application table carries; ``outcomes`` are its decision values."""
    outcome_sql = ", ".join(f"'{value}'" for value in outcomes)
    return (
        sa.CheckConstraint(
            "reviewed_by_id IS NULL OR (prepared_by_id IS NOT NULL AND reviewed_by_id <> prepared_by_id)",
            name="four_eyes",
        ),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({outcome_sql})", name="outcome_known"),
        sa.CheckConstraint(
            "status NOT IN ('pending_review', 'decided') "
            "OR (outcome IS NOT NULL AND decision_reasons IS NOT NULL AND prepared_by_id IS NOT NULL)",
            name="decision_prepared",
        ),
        sa.CheckConstraint(
            "status <> 'decided' "
            "OR (reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL AND decided_on IS NOT NULL)",
            name="decided_confirmed",
        ),
        sa.CheckConstraint(
            "status <> 'inadmissible' OR (inadmissible_reason IS NOT NULL AND decided_on IS NOT NULL)",
            name="inadmissible_has_reason",
        ),
        # A rejection as inadmissible is a decision too: prepared by one officer, confirmed by another.
        sa.CheckConstraint(
            "status <> 'inadmissible' OR (prepared_by_id IS NOT NULL AND reviewed_by_id IS NOT NULL)",
            name="inadmissible_confirmed",
        ),
        sa.CheckConstraint(
            "inadmissible_reason IS NULL OR status NOT IN ('submitted', 'material_requested') "
            "OR prepared_by_id IS NOT NULL",
            name="prepared_rejection_has_preparer",
        ),
        sa.CheckConstraint(
            "status NOT IN ('accepted', 'pending_review', 'decided') "
            "OR (accepted_on IS NOT NULL AND decide_due IS NOT NULL)",
            name="accepted_has_dates",
        ),
        sa.CheckConstraint("status <> 'material_requested' OR material_request IS NOT NULL", name="request_has_text"),
        sa.CheckConstraint("length(receipt_number) = 15", name="receipt_format"),
        sa.CheckConstraint("decided_on IS NULL OR decided_on >= filed_on", name="decided_after_filed"),
        sa.Index(f"ix_{table}_record", "record_type", "record_id"),
        sa.Index(f"ix_{table}_unit_status", "unit_id", "status"),  # the workbench's and the queue's counts
    )


# ---------------------------------------------------------------------------------------------
# Files


class ApplicationFile(db.Model):
    """A file an applicant uploaded, stored under a random name (``core.uploads``)."""

    __tablename__ = "application_files"
    __table_args__ = (
        sa.CheckConstraint("application_kind IN ('objection', 'repair')", name="kind_known"),
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="type_allowed"),
        sa.Index("ix_application_files_application", "application_kind", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_kind: Mapped[str] = mapped_column(sa.String(20))
    application_id: Mapped[int]
    purpose: Mapped[str] = mapped_column(sa.String(40))
    stored_name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())


register_stored_uploads("application_files.stored_name", ApplicationFile.stored_name)


def files_of(kind: str, application_id: int) -> list[ApplicationFile]:
    return list(db.session.scalars(
        sa.select(ApplicationFile)
        .where(ApplicationFile.application_kind == kind, ApplicationFile.application_id == application_id)
        .order_by(ApplicationFile.uploaded_at, ApplicationFile.id)
    ))


def file_of(kind: str, application_id: int, file_id: int) -> ApplicationFile | None:
    row = db.session.get(ApplicationFile, file_id)
    if row is None or row.application_kind != kind or row.application_id != application_id:
        return None
    return row


# ---------------------------------------------------------------------------------------------
# Receipt numbers and access codes

# Crockford's base32 (no I, L, O, U): a code read aloud or typed is not mistaken.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits, and lookups are throttled


def new_access_code() -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalize_access_code(text: str | None) -> str:
    if not text:
        return ""
    return "".join(text.split()).replace("-", "").upper().translate(str.maketrans("OIL", "011"))[:40]


def hash_access_code(receipt_number: str, code: str) -> str:
    """The stored form of a code: SHA-256 over the receipt (a per-application salt) and the code."""
    text = f"{receipt_number}:{normalize_access_code(code)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_matches(application, code: str | None) -> bool:
    return hmac.compare_digest(application.access_code_hash, hash_access_code(application.receipt_number, code or ""))


def normalize_receipt(text: str | None) -> str:
    return "".join((text or "").split()).upper()[:20]


def insert_with_receipt(application, *, attempts: int = 8) -> None:
    """Give ``application`` the next receipt number of the day (``YY20261127-0001``) and insert it.

    The number is unique in the database; when a concurrent filing took it, take the next one.
    """
    model = type(application)
    stem = f"{model.__receipt_prefix__}{application.filed_on:%Y%m%d}-"
    for _attempt in range(attempts):
        last = db.session.scalar(
            sa.select(sa.func.max(model.receipt_number)).where(model.receipt_number.like(f"{stem}%"))
        )
        serial = int(last[len(stem):]) + 1 if last else 1
        application.receipt_number = f"{stem}{serial:04d}"
        try:
            with db.session.begin_nested():
                db.session.add(application)
                db.session.flush()
        except IntegrityError:
            db.session.expunge(application) if application in db.session else None
            continue
        return
    raise RuntimeError("could not allocate a receipt number")


# ---------------------------------------------------------------------------------------------
# Throttling wrong access codes: per client address, with growing waits.  Never per
# receipt: receipt numbers follow each other, and wrong codes from strangers must not shut the
# applicant out.  The 60 random bits of the code are what protect an application.

LOOKUP_POLICY = throttle.Policy(free=20, first_wait=timedelta(minutes=1), longest_wait=timedelta(hours=1),
                                memory=timedelta(hours=24))


def _client_key(client: str) -> str:
    return throttle.key("status lookup", client)


def lookup_wait(client: str) -> timedelta:
    """How long this client must wait before its next status lookup (zero: none)."""
    return throttle.wait_left(_client_key(client), LOOKUP_POLICY)


def record_lookup_failure(client: str) -> None:
    throttle.note_failure(_client_key(client))


def find_application(model, receipt_text: str | None, code_text: str | None):
    """The application with this receipt number if the access code is right; None otherwise.

    An unknown receipt and a wrong code give the same None (the caller answers both alike).
    """
    receipt = normalize_receipt(receipt_text)
    application = db.session.scalar(sa.select(model).where(model.receipt_number == receipt)) if receipt else None
    if application is None:
        hash_access_code(receipt, code_text or "")  # the same work either way
        return None
    return application if code_matches(application, code_text) else None


register_state_labels("objection", STATUS_LABELS)
