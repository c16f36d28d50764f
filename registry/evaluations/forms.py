"""Forms of the evaluation pages: they read input; the operations decide what is allowed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from registry.core.forms import DateField, select_choices
from registry.evaluations.models import FIELD_LABELS, GRADE_SCALES, EvaluationField


def field_choices():
    return select_choices([("", _l("— choose —"))] + [(f.value, FIELD_LABELS[f]) for f in EvaluationField])


def grade_choices():
    grades = sorted({g for scale in GRADE_SCALES.values() for g in scale}, key=lambda g: (-len(g), g))
    return select_choices([("", _l("— choose —"))] + [(g, g) for g in grades])


class EvaluationForm(FlaskForm):
    subject_identifier = StringField(_l("Subject's identifier (USCC or resident ID)"),
                                     validators=[DataRequired(), Length(max=40)])
    subject_name = StringField(_l("Subject's name (when not yet registered)"), validators=[Optional(), Length(max=200)])
    field = SelectField(_l("Field"), choices=field_choices(), validators=[DataRequired()], validate_choice=False)
    year = IntegerField(_l("Year evaluated"), validators=[InputRequired()])
    grade = SelectField(_l("Grade"), choices=grade_choices(), validators=[DataRequired()], validate_choice=False)
    score = DecimalField(_l("Score (0–100)"), places=None, validators=[InputRequired()])
    evaluating_unit = StringField(_l("Evaluating unit"), validators=[DataRequired(), Length(max=200)])
    published_on = DateField(_l("Date the result was published"), validators=[InputRequired()])
    document_number = StringField(_l("Document number of the publication"), validators=[Optional(), Length(max=100)])
    directly_determined = BooleanField(_l("Directly determined grade (直接认定)"))
    direct_reason = TextAreaField(_l("Reason for the directly determined grade"),
                                  validators=[Optional(), Length(max=1000)])
    version = HiddenField()

    def values(self) -> dict:
        return {"field": self.field.data, "year": self.year.data, "grade": self.grade.data, "score": self.score.data,
                "evaluating_unit": self.evaluating_unit.data, "published_on": self.published_on.data,
                "document_number": self.document_number.data,
                "directly_determined": self.directly_determined.data, "direct_reason": self.direct_reason.data}


class ActionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
