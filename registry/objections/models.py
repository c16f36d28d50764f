"""Objections (PRODUCT §6): one row per objection, with its handling and four-eyes decision."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registry.applications.models import ApplicationFile, ApplicationMixin, application_constraints
from registry.core.db import str_enum
from registry.core.holds import HoldKind
from registry.core.identifiers import register_stored_identifiers
from registry.extensions import db

__all__ = ["ApplicationFile", "DisclosureEffect", "Objection", "ObjectionOutcome"]


class ObjectionOutcome(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class DisclosureEffect(StrEnum):
    """What an upheld objection does to a disclosure: a corrected version, or it leaves public view."""

    CORRECT = "correct"
    REMOVE = "remove"


OUTCOME_LABELS = {ObjectionOutcome.UPHELD: _l("Upheld"), ObjectionOutcome.DISMISSED: _l("Dismissed")}
EFFECT_LABELS = {
    DisclosureEffect.CORRECT: _l("Publish the corrected version prepared in the disclosures"),
    DisclosureEffect.REMOVE: _l("Take the disclosure out of public view (revoked)"),
}


class Objection(ApplicationMixin, db.Model):
    __tablename__ = "objections"
    __audit_type__ = "objection"
    __receipt_prefix__ = "YY"
    __hold_kind__ = HoldKind.OBJECTION
    __table_args__ = (
        *application_constraints("objections", tuple(o.value for o in ObjectionOutcome)),
        sa.CheckConstraint("record_type IN ('list_entry', 'disclosure')", name="record_type_known"),
        sa.CheckConstraint(
            "disclosure_effect IS NULL OR (record_type = 'disclosure' AND outcome = 'upheld')",
            name="effect_only_for_upheld_disclosure",
        ),
        sa.CheckConstraint("disclosure_effect IS NULL OR disclosure_effect <> 'correct' OR correction_id IS NOT NULL",
                           name="correction_named"),
    )

    grounds: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[ObjectionOutcome | None] = mapped_column(str_enum(ObjectionOutcome, "objection_outcome"))
    disclosure_effect: Mapped[DisclosureEffect | None] = mapped_column(
        str_enum(DisclosureEffect, "objection_disclosure_effect")
    )
    correction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("disclosures.id"))


register_stored_identifiers("objections.applicant_identifier", row_id=Objection.id,
                            value=Objection.applicant_identifier, kind=Objection.applicant_kind)
