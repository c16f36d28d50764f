from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from registry.core.forms import DateField, select_choices
from registry.supervision.classes import supervision_classes
from registry.supervision.models import CONDITION_LABELS, RuleCondition


class RuleSetForm(FlaskForm):
    """A new version of the rules: a class (or none) per condition, the default class, when."""

    effective_from = DateField(_l("In force from"), validators=[InputRequired()])
    default_class = SelectField(_l("Class when no rule applies"), validate_choice=False, validators=[DataRequired()])
    comment = TextAreaField(_l("Why the rules change"), validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, rule_set=None, **kwargs):
        super().__init__(*args, **kwargs)
        classes = [(code, f"{code} {name}") for code, name in supervision_classes()]
        self.default_class.choices = select_choices(classes)
        for condition in RuleCondition:
            self[condition.value].choices = select_choices([("", _l("— not applied —")), *classes])
            if rule_set is not None and not self.is_submitted():
                self[condition.value].data = rule_set.class_for(condition) or ""
        if rule_set is not None and not self.is_submitted():
            self.default_class.data = rule_set.default_class

    def condition_fields(self):
        return [self[condition.value] for condition in RuleCondition]

    def rules(self) -> dict[RuleCondition, str | None]:
        return {condition: (self[condition.value].data or None) for condition in RuleCondition}


for _condition in RuleCondition:
    setattr(RuleSetForm, _condition.value, SelectField(CONDITION_LABELS[_condition], validate_choice=False))
