"""The public repair application form (the applicant fields are shared with objections)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length

from registry.applications.forms import ApplicantFields, DecisionForm
from registry.core.forms import select_choices
from registry.repairs.models import DOCUMENTS, ROLE_LABELS

_LABELS = {name: label for name, label, _required in DOCUMENTS}


class RepairForm(ApplicantFields):
    representative_name = StringField(_l("Legal representative or authorised agent"), validators=[Length(max=100)])
    representative_role = RadioField(
        _l("Acting as"), validate_choice=False,
        choices=select_choices([(role.value, label) for role, label in ROLE_LABELS.items()]),
    )
    statement = TextAreaField(_l("Statement of correction (整改情况)"), validators=[Length(max=4000)])
    application_form = FileField(_LABELS["application_form"])
    commitment_letter = FileField(_LABELS["commitment_letter"])
    fulfilment_proof = FileField(_LABELS["fulfilment_proof"])
    training_certificate = FileField(_LABELS["training_certificate"])


class RepairDecisionForm(DecisionForm):
    pass
