from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from registry.core.forms import ValidIdentifier, select_choices
from registry.core.identifiers import SubjectKind

SUBJECT_KIND_LABELS = {
    SubjectKind.ORGANISATION: _l("Organisation (unified social credit code)"),
    SubjectKind.PERSON: _l("Person (resident ID number)"),
    SubjectKind.VEHICLE: _l("Vehicle (plate number)"),
}


class SubjectForm(FlaskForm):
    kind = SelectField(
        _l("Kind of subject"),
        choices=select_choices((kind.value, label) for kind, label in SUBJECT_KIND_LABELS.items()),
        validators=[DataRequired()],
    )
    identifier = StringField(_l("Identifier"), validators=[DataRequired(), Length(max=40), ValidIdentifier("kind")])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    legal_representative = StringField(_l("Legal representative"), validators=[Optional(), Length(max=100)])
    owner_identifier = StringField(
        _l("Owner's identifier (vehicles)"), validators=[Optional(), Length(max=40)]
    )
