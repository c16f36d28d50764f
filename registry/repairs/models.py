"""Credit repair applications (PRODUCT §7), one row each, with handling and the four-eyes decision.

At most one open application per record: the database holds it with a partial unique index.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registry.applications.models import (
    OPEN_STATES_SQL,
    STATUS_LABELS,
    ApplicationMixin,
    application_constraints,
    register_file_purpose,
)
from registry.core.db import str_enum
from registry.core.holds import HoldKind
from registry.core.identifiers import register_stored_identifiers
from registry.core.labels import register_state_labels
from registry.extensions import db


class RepairOutcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class RepresentativeRole(StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人
    AGENT = "agent"  # 委托代理人


OUTCOME_LABELS = {RepairOutcome.APPROVED: _l("Repair approved"), RepairOutcome.REJECTED: _l("Repair rejected")}
ROLE_LABELS = {RepresentativeRole.LEGAL_REPRESENTATIVE: _l("Legal representative"),
               RepresentativeRole.AGENT: _l("Authorised agent")}

# The uploads of a repair application (PRODUCT §7): (form field, label, required)
DOCUMENTS = (
    ("application_form", _l("Repair application form (信用修复申请书)"), True),
    ("commitment_letter", _l("Signed commitment letter (信用承诺书)"), True),
    ("fulfilment_proof", _l("Proof that the penalty or obligation was fulfilled (履行证明)"), True),
    ("training_certificate", _l("Training certificate (培训证明, optional)"), False),
)
for _name, _label, _required in DOCUMENTS:
    register_file_purpose(_name, _label)


class RepairApplication(ApplicationMixin, db.Model):
    __tablename__ = "repair_applications"
    __audit_type__ = "repair"
    __receipt_prefix__ = "XF"
    __hold_kind__ = HoldKind.REPAIR
    __table_args__ = (
        *application_constraints("repair_applications", tuple(o.value for o in RepairOutcome)),
        sa.CheckConstraint("record_type IN ('list_entry', 'disclosure')", name="record_type_known"),
        sa.Index("uq_repair_applications_one_open", "record_type", "record_id", unique=True,
                 sqlite_where=sa.text(f"status IN ({OPEN_STATES_SQL})"),
                 postgresql_where=sa.text(f"status IN ({OPEN_STATES_SQL})")),
    )

    representative_name: Mapped[str] = mapped_column(sa.String(100))
    representative_role: Mapped[RepresentativeRole] = mapped_column(
        str_enum(RepresentativeRole, "repair_representative_role")
    )
    statement: Mapped[str] = mapped_column(sa.Text)  # 整改情况
    outcome: Mapped[RepairOutcome | None] = mapped_column(str_enum(RepairOutcome, "repair_outcome"))


register_state_labels("repair", STATUS_LABELS)

register_stored_identifiers("repair_applications.applicant_identifier", row_id=RepairApplication.id,
                            value=RepairApplication.applicant_identifier, kind=RepairApplication.applicant_kind)
