from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from registry.core.forms import DateField, select_choices
from registry.core.settings import get_setting
from registry.listing.forms import MultiCheckboxField
from registry.supervision.classes import supervision_classes
from registry.supervision.inspection_models import POPULATION_LABELS
from registry.supervision.plan_validation import default_ratios


class ItemForm(FlaskForm):
    name = StringField(_l("Inspection item"), validators=[DataRequired(), Length(max=200)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[DataRequired(), Length(max=2000)])
    party_kind = StringField(_l("Kind of party inspected"), validators=[DataRequired(), Length(max=200)])
    method = StringField(_l("Method"), validators=[DataRequired(), Length(max=200)])
    is_active = BooleanField(_l("In use"), default=True)


class PlanForm(FlaskForm):
    name = StringField(_l("Plan name"), validators=[DataRequired(), Length(max=200)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[DataRequired(), Length(max=2000)])
    item_ids = MultiCheckboxField(_l("Inspection items"), coerce=str, validate_choice=False)
    period_start = DateField(_l("Period from"), validators=[InputRequired()])
    period_end = DateField(_l("Period to"), validators=[InputRequired()])
    population_kind = SelectField(_l("Drawn from"), validate_choice=False, validators=[DataRequired()],
                                  choices=select_choices([(k.value, v) for k, v in POPULATION_LABELS.items()]))
    identifiers = TextAreaField(_l("Identifiers (for a list: one USCC or resident ID a line)"),
                                validators=[Optional(), Length(max=3_000_000)])
    key_ratio = IntegerField(_l("Ratio for key supervision (HB-04), percent"), validators=[InputRequired()])
    inspectors_per_inspection = IntegerField(_l("Inspectors per inspection"), default=2,
                                             validators=[InputRequired()])
    exclude_months = IntegerField(_l("Leave out parties drawn in the last (months), except the most severe class"),
                                  validators=[InputRequired()])

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_ids.choices = select_choices([(str(item.id), item.name) for item in items])
        if not self.is_submitted():
            self.key_ratio.data = get_setting("supervision_key_ratio")
            self.exclude_months.data = get_setting("supervision_exclude_months")
        self.class_codes = [code for code, _name in supervision_classes()]

    def class_rows(self, form_data) -> list[tuple[str, str, object, object]]:
        """(code, name, ratio, minimum) per class: what was submitted, or the settings' defaults."""
        ratios = default_ratios()
        return [(code, name, form_data.get(f"ratio_{code}", ratios.get(code, 0)), form_data.get(f"minimum_{code}", 0))
                for code, name in supervision_classes()]

    def plan_fields(self, form_data) -> dict:
        return {
            "name": self.name.data, "legal_basis": self.legal_basis.data, "period_start": self.period_start.data,
            "period_end": self.period_end.data, "population_kind": self.population_kind.data,
            "identifiers": self.identifiers.data, "key_ratio": self.key_ratio.data,
            "inspectors_per_inspection": self.inspectors_per_inspection.data,
            "exclude_months": self.exclude_months.data, "item_ids": list(self.item_ids.data or ()),
            "ratios": {code: form_data.get(f"ratio_{code}") for code in self.class_codes},
            "minimums": {code: form_data.get(f"minimum_{code}", 0) for code in self.class_codes},
        }
