"""The admin form that issues an API key."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from registry.accounts.apikeys import DEFAULT_RATE, MAX_NAME
from registry.core.forms import DateField


class KeyForm(FlaskForm):
    name = StringField(_l("System using the key"), validators=[DataRequired(), Length(max=MAX_NAME)])
    scopes = SelectMultipleField(
        _l("Scopes"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Choose at least one scope."))],
    )
    rate_limit = StringField(_l("Rate limit"), default=DEFAULT_RATE, validators=[DataRequired(), Length(max=100)])
    expires_on = DateField(_l("Last day the key works"), validators=[Optional()])
