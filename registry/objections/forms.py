"""The forms of objections: the public filing form and the decision form with its effect on a disclosure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length

from registry.applications.forms import ApplicantFields, DecisionForm


class ObjectionForm(ApplicantFields):
    grounds = TextAreaField(_l("Grounds of the objection"), validators=[Length(max=4000)])
    files = MultipleFileField(_l("Supporting files"))


class ObjectionDecisionForm(DecisionForm):
    disclosure_effect = RadioField(_l("For an upheld objection to a disclosure"), validate_choice=False, choices=[])
    correction_id = SelectField(_l("Corrected version (submitted for review)"), validate_choice=False, choices=[])
