from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from registry.core.forms import DateField


class ReportForm(FlaskForm):
    month = SelectField(_l("Month reported on"), coerce=int, validate_choice=False, validators=[InputRequired()])
    progress = TextAreaField(_l("Progress this month"), validators=[DataRequired(), Length(max=4000)])


class AcknowledgeForm(FlaskForm):
    revision = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class TaskForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired()])
    number = IntegerField(_l("Task number"), validators=[InputRequired()])
    goal = StringField(_l("Goal"), validators=[Optional(), Length(max=200)])
    title = TextAreaField(_l("Task"), validators=[DataRequired(), Length(max=4000)])
    deadline = DateField(_l("Deadline (empty: ongoing all year)"), validators=[Optional()])
    deadline_text = StringField(_l("Deadline as the list words it"), validators=[Optional(), Length(max=100)])
    first_month = IntegerField(_l("First month with a report due"), default=1,
                               validators=[InputRequired(), NumberRange(1, 12)])
    lead_unit_id = SelectField(_l("Lead unit"), coerce=lambda v: int(v) if v else None, validate_choice=False)
    unit_ids = SelectMultipleField(_l("Responsible units"), coerce=int, validate_choice=False)
    duty = SelectField(_l("Duty the registry checks for the responsible units"), validate_choice=False)


class CopyYearForm(FlaskForm):
    # A range, not only a number: a 40-digit year would overflow the database's integer.
    from_year = IntegerField(_l("Copy the list of year"), validators=[InputRequired(), NumberRange(2000, 2200)])
    to_year = IntegerField(_l("into year"), validators=[InputRequired(), NumberRange(2000, 2200)])
