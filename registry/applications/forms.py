"""The forms every kind of application shares: the applicant, finding the record, the status lookup,
material, and the unit's handling steps.

The forms collect; the operations check (so the same rules hold whatever calls them) and their
refusals are put on the field they name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from registry.applications.models import APPLICANT_KIND_LABELS
from registry.core.forms import select_choices

MAX_UPLOAD_HINT = _l("PDF, JPEG or PNG, at most 5 files of 10 MB each; the content is checked, not the name.")


class ApplicantFields(FlaskForm):
    record = HiddenField()
    upload_token = HiddenField()  # the files held from a refused submission (applications.held)
    applicant_kind = SelectField(
        _l("The applicant is"), validate_choice=False,
        choices=select_choices([(kind.value, label) for kind, label in APPLICANT_KIND_LABELS.items()]),
    )
    applicant_name = StringField(_l("Name of the applicant (organisation or person)"), validators=[Length(max=200)])
    applicant_identifier = StringField(_l("Unified social credit code or resident ID number"),
                                       validators=[Length(max=40)])
    phone = StringField(_l("Contact phone"), validators=[Length(max=30)])
    email = StringField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])


class FindRecordForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET): nothing is changed

    identifier = StringField(_l("Unified social credit code, resident ID number or plate number"),
                             validators=[Length(max=40)])


class LookupForm(FlaskForm):
    receipt_number = StringField(_l("Receipt number"), validators=[Length(max=40)])
    access_code = StringField(_l("Access code"), validators=[Length(max=40)])


class MaterialForm(FlaskForm):
    files = MultipleFileField(_l("Files to add"))
    note = TextAreaField(_l("Note to the unit (optional)"), validators=[Optional(), Length(max=2000)])


class VersionForm(FlaskForm):
    version = HiddenField()


class ReasonForm(VersionForm):
    reason = TextAreaField(_l("Reasons (the applicant will read them)"), validators=[Length(max=2000)])


class RequestMaterialForm(VersionForm):
    note = TextAreaField(_l("What material is missing (the applicant will read it)"), validators=[Length(max=2000)])


class DecisionForm(VersionForm):
    outcome = RadioField(_l("Decision"), validate_choice=False, choices=[])
    reasons = TextAreaField(_l("Reasons for the decision (printed in the notice)"), validators=[Length(max=4000)])
