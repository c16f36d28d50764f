from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from registry.commitments.models import KIND_LABELS
from registry.core.forms import DateField, select_choices


class CommitmentForm(FlaskForm):
    subject_identifier = StringField(_l("Subject's identifier (USCC or resident ID)"),
                                     validators=[DataRequired(), Length(max=40)])
    subject_name = StringField(_l("Subject's name (when not yet registered)"), validators=[Optional(), Length(max=200)])
    kind = SelectField(
        _l("Kind of commitment"), validate_choice=False, validators=[DataRequired()],
        choices=select_choices([("", _l("— choose —"))] + [(k.value, v) for k, v in KIND_LABELS.items()]),
    )
    signed_on = DateField(_l("Signed on"), validators=[InputRequired()])
    matter = StringField(_l("Matter (licence, bid or repair concerned)"), validators=[Optional(), Length(max=300)])
    file = FileField(_l("Signed commitment (PDF, JPEG or PNG, at most 10 MB)"), validators=[FileRequired()])


class BreachForm(FlaskForm):
    breached_on = DateField(_l("Date of the breach"), validators=[InputRequired()])
    note = TextAreaField(_l("What was breached"), validators=[DataRequired(), Length(max=2000)])


class LinkForm(FlaskForm):
    entry_id = IntegerField(_l("Black list entry number"), validators=[InputRequired()])
