"""Forms of the case and measures pages.  They read input; the operations decide what is allowed.

Measure and category choices are not checked against their lists here (``validate_choice=False``):
the operations refuse a measure of the other list, or a category a measure does not apply to,
with a message that says which.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from registry.cases.models import STATUS_LABELS, CaseStatus
from registry.core.forms import DateField, select_choices
from registry.extensions import db
from registry.listing.forms import MultiCheckboxField, list_choices
from registry.listing.models import LIST_KIND_SHORT, ListCategory, ListEntry, Measure, category_measures


def measure_choices(entry: ListEntry | None = None, keep_ids=()):
    """Active measures: those the object list applies to the entry's category when it is known."""
    statement = sa.select(Measure).where(sa.or_(Measure.is_active, Measure.id.in_(list(keep_ids) or [-1])))
    if entry is not None:
        statement = statement.join(category_measures, category_measures.c.measure_id == Measure.id).where(
            category_measures.c.category_id == entry.category_id
        )
    rows = db.session.scalars(statement.order_by(Measure.code))
    return select_choices((m.id, f"{m.code} {m.description} ({LIST_KIND_SHORT[m.list_kind]})") for m in rows)


class CaseForm(FlaskForm):
    version = HiddenField()
    entry_ref = StringField(
        _l("List entry (decision document number)"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("The 认定文书号 of the published red or black list entry, or its number as #123."),
    )
    measure_ids = MultiCheckboxField(_l("Measures applied"), coerce=str, validate_choice=False)
    applying_party = StringField(
        _l("Applying unit or partner department"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Your unit, or the partner department that applied the measure."),
    )
    case_date = DateField(_l("Date applied"), validators=[InputRequired()])
    matter = TextAreaField(
        _l("Matter (a bid, a licence, a toll exemption …)"), validators=[DataRequired(), Length(max=1000)]
    )
    effect = TextAreaField(_l("Effect (成效)"), validators=[DataRequired(), Length(max=4000)])

    def __init__(self, *args, entry: ListEntry | None = None, keep_measure_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_ids.choices = measure_choices(entry, keep_measure_ids)

    def case_fields(self) -> dict:
        return {
            "entry_ref": self.entry_ref.data,
            "measure_ids": list(self.measure_ids.data or ()),
            "applying_party": self.applying_party.data,
            "case_date": self.case_date.data,
            "matter": self.matter.data,
            "effect": self.effect.data,
        }


class DecisionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=select_choices([("", _l("All"))] + [(s.value, STATUS_LABELS[s]) for s in CaseStatus]),
        validators=[Optional()],
        validate_choice=False,
    )
    month = StringField(_l("Month (YYYY-MM)"), validators=[Optional(), Length(max=7)])


class MonthForm(FlaskForm):
    class Meta:
        csrf = False

    month = StringField(_l("Month (YYYY-MM)"), validators=[Optional(), Length(max=20)])


def category_choices():
    rows = db.session.scalars(sa.select(ListCategory).order_by(ListCategory.list_kind, ListCategory.display_order))
    return select_choices((c.id, f"{LIST_KIND_SHORT[c.list_kind]} · {c.name}") for c in rows)


class MeasureForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    list_kind = SelectField(_l("List"), choices=list_choices(), validators=[DataRequired()], validate_choice=False)
    description = StringField(_l("Description"), validators=[DataRequired(), Length(max=300)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[DataRequired(), Length(max=2000)])
    implementing_department = StringField(
        _l("Implementing department"), validators=[DataRequired(), Length(max=200)]
    )
    is_active = BooleanField(_l("Active (offered for new entries and cases)"), default=True)
    category_ids = MultiCheckboxField(
        _l("Applies to the categories (object list)"), coerce=str, validate_choice=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_ids.choices = category_choices()

    def measure_fields(self) -> dict:
        return {
            "code": self.code.data,
            "list_kind": self.list_kind.data,
            "description": self.description.data,
            "legal_basis": self.legal_basis.data,
            "implementing_department": self.implementing_department.data,
            "is_active": self.is_active.data,
            "category_ids": list(self.category_ids.data or ()),
        }
