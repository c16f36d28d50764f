"""Forms of the list pages.  They read input; the operations decide what is allowed.

Category and measure choices are not checked against their lists here (``validate_choice=False``):
the operations refuse a category of the other list or an unknown measure with a message that
says which, rather than WTForms' generic "not a valid choice".
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from registry.core.datalabels import data_label
from registry.core.forms import DateField, ValidIdentifier, select_choices
from registry.extensions import db
from registry.listing.models import LIST_KIND_SHORT, MAX_CATEGORY_MONTHS, ListCategory, ListKind, Measure
from registry.subjects.forms import SUBJECT_KIND_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ints(values):
    return [number for number in (_int_or_none(v) for v in values or ()) if number is not None]


def list_choices():
    return select_choices((kind.value, LIST_KIND_SHORT[kind]) for kind in ListKind)


def category_choices(include_inactive_id: int | None = None):
    rows = db.session.scalars(sa.select(ListCategory).order_by(ListCategory.display_order, ListCategory.id))
    return select_choices(
        [("", _l("— choose —"))]
        + [
            (c.id, f"{LIST_KIND_SHORT[c.list_kind]} · {data_label(c.name)}")
            for c in rows
            if c.is_active or c.id == include_inactive_id
        ]
    )


def measure_choices():
    rows = db.session.scalars(sa.select(Measure).where(Measure.is_active).order_by(Measure.code))
    return select_choices((m.id, f"{m.code} {m.description} ({LIST_KIND_SHORT[m.list_kind]})") for m in rows)


class EntryForm(FlaskForm):
    version = HiddenField()
    subject_kind = SelectField(
        _l("Kind of subject"),
        choices=select_choices((kind.value, label) for kind, label in SUBJECT_KIND_LABELS.items()),
        validators=[DataRequired()],
    )
    subject_identifier = StringField(
        _l("Subject's identifier"),
        validators=[DataRequired(), Length(max=40), ValidIdentifier("subject_kind")],
        description=_l("Unified social credit code, resident ID number or plate number."),
    )
    subject_name = StringField(
        _l("Subject's name (only for a subject not registered yet)"), validators=[Optional(), Length(max=200)]
    )
    # No default list: a default would list a party on the wrong list unnoticed.
    list_kind = SelectField(
        _l("List"),
        choices=select_choices([("", _l("— choose —"))] + [(kind.value, LIST_KIND_SHORT[kind]) for kind in ListKind]),
        validators=[DataRequired(_l("Choose the red or the black list."))], validate_choice=False,
    )
    category_id = SelectField(_l("Category"), coerce=_int_or_none, validate_choice=False,
                              validators=[DataRequired(_l("Choose a category of the list."))])
    measure_ids = MultiCheckboxField(_l("Measures that apply"), coerce=str, validate_choice=False)
    reason = TextAreaField(_l("Reason for listing (认定事由)"), validators=[DataRequired(), Length(max=4000)])
    legal_basis = TextAreaField(_l("Legal basis (认定依据)"), validators=[DataRequired(), Length(max=2000)])
    decision_number = StringField(
        _l("Decision document number (认定文书号)"), validators=[DataRequired(), Length(max=100)]
    )
    decision_date = DateField(_l("Decision date"), validators=[InputRequired()])
    valid_until = DateField(
        _l("Valid until (only when the decision sets an end date)"),
        validators=[Optional()],
        description=_l("Leave empty to apply the category's validity from the publication date."),
    )

    def __init__(self, *args, include_inactive_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = category_choices(include_inactive_id)
        self.measure_ids.choices = measure_choices()

    def entry_fields(self) -> dict:
        return {
            "list_kind": self.list_kind.data,
            "category_id": self.category_id.data,
            "reason": self.reason.data,
            "legal_basis": self.legal_basis.data,
            "decision_number": self.decision_number.data,
            "decision_date": self.decision_date.data,
            "measure_ids": _ints(self.measure_ids.data),
            "valid_until": self.valid_until.data,
        }


class DecisionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class EntryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    list_kind = SelectField(_l("List"), validators=[Optional()], validate_choice=False)
    category_id = SelectField(
        _l("Category"), coerce=_int_or_none, validators=[Optional()], validate_choice=False
    )


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    list_kind = SelectField(
        _l("List"), choices=list_choices(), validators=[DataRequired()], validate_choice=False
    )
    validity_months = IntegerField(
        _l("Validity (months)"), validators=[InputRequired(), NumberRange(1, MAX_CATEGORY_MONTHS)]
    )
    repair_allowed = BooleanField(_l("Credit repair allowed"))
    repair_min_months = IntegerField(
        _l("Minimum period before repair (months)"), validators=[InputRequired(), NumberRange(0, MAX_CATEGORY_MONTHS)]
    )
    display_order = IntegerField(
        _l("Display order"), default=0, validators=[Optional(), NumberRange(0, 10000)]
    )
    is_active = BooleanField(_l("Active (offered for new entries)"), default=True)
    measure_ids = MultiCheckboxField(_l("Default measures (object list)"), coerce=str, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_ids.choices = measure_choices()

    def category_fields(self) -> dict:
        return {
            "name": self.name.data,
            "list_kind": self.list_kind.data,
            "validity_months": self.validity_months.data,
            "repair_allowed": self.repair_allowed.data,
            "repair_min_months": self.repair_min_months.data,
            "display_order": self.display_order.data or 0,
            "is_active": self.is_active.data,
            "measure_ids": _ints(self.measure_ids.data),
        }
