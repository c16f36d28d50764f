"""The filters of the public red and black list pages (read from the query string)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from registry.core.forms import DateField


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a valid choice: the choice check names the field


class ListFilterForm(Form):
    """Category, unit, city and a decision-date range; every choice checked against its list."""

    q = SearchField(_l("Name, code or decision number"), validators=[Optional(), Length(max=100)])
    category = SelectField(_l("Category"), coerce=_int_or_none, validators=[Optional()])
    unit = SelectField(_l("Unit"), coerce=_int_or_none, validators=[Optional()])
    city = SelectField(_l("City"), validators=[Optional()])
    date_from = DateField(_l("Decided from"), validators=[Optional()])
    date_to = DateField(_l("Decided until"), validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the date range is before its start."))
