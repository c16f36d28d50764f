from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from registry.core.forms import DateField, select_choices


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(
        _l("This date is"),
        choices=select_choices(
            [("holiday", _l("a holiday (not a working day)")), ("workday", _l("a working day (调休)"))]
        ),
        validators=[DataRequired()],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
