from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from registry.catalogue.models import FREQUENCY_LABELS, OPENNESS_LABELS, SOURCE_LABELS
from registry.core.forms import select_choices


class ItemForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Information item"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    source = SelectField(_l("Held in"), validate_choice=False,
                         choices=select_choices((k.value, v) for k, v in SOURCE_LABELS.items()))
    match_value = StringField(_l("Disclosure kind (licence/penalty) or list category"),
                              validators=[Optional(), Length(max=100)])
    frequency = SelectField(_l("Update frequency"), validate_choice=False,
                            choices=select_choices((k.value, v) for k, v in FREQUENCY_LABELS.items()))
    openness = SelectField(_l("Openness"), validate_choice=False,
                           choices=select_choices((k.value, v) for k, v in OPENNESS_LABELS.items()))
    unit_ids = SelectMultipleField(_l("Supplying units"), coerce=int, validate_choice=False)
    display_order = IntegerField(_l("Order"), default=0, validators=[Optional()])
    is_active = BooleanField(_l("Listed in the catalogue"), default=True)
