"""Forms of the officer pages.  They type the input; the rules live in ``validation``."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from registry.core.forms import DateField, select_choices
from registry.core.tabular import parse_decimal
from registry.disclosures.models import (
    KIND_LABELS,
    LICENCE_TYPE_LABELS,
    PARTY_CATEGORY_LABELS,
    PENALTY_TYPE_LABELS,
    SEVERITY_LABELS,
    DisclosureKind,
    LicenceType,
    PartyCategory,
    PenaltyType,
    Severity,
)
from registry.disclosures.validation import DisclosureData

_NONE = ("", "—")


def _choices(labels: dict, optional: bool = False):
    pairs = [(member.value, label) for member, label in labels.items()]
    return select_choices(([_NONE] if optional else []) + pairs)


def _enum(enum_cls, value):
    return enum_cls(value) if value else None


class DisclosureForm(FlaskForm):
    version = HiddenField()
    kind = SelectField(_l("Kind of decision"), choices=_choices(KIND_LABELS), validators=[DataRequired()])
    party_name = StringField(_l("Party name"), validators=[DataRequired(), Length(max=200)])
    party_category = SelectField(_l("Party category"), choices=_choices(PARTY_CATEGORY_LABELS),
                                 validators=[DataRequired()])
    party_identifier = StringField(_l("Unified social credit code or resident ID number"),
                                   validators=[DataRequired(), Length(max=40)])
    legal_representative = StringField(_l("Legal representative"), validators=[Optional(), Length(max=100)])
    decision_number = StringField(_l("Decision document number"), validators=[DataRequired(), Length(max=100)])
    decision_date = DateField(_l("Date of the decision"), validators=[DataRequired()])
    authority_name = StringField(_l("Deciding authority"), validators=[DataRequired(), Length(max=200)])
    authority_uscc = StringField(_l("Deciding authority's unified social credit code"),
                                 validators=[DataRequired(), Length(max=40)])
    source_unit_name = StringField(_l("Data source unit"), validators=[DataRequired(), Length(max=200)])

    violation_type = StringField(_l("Type of violation"), validators=[Optional(), Length(max=200)])
    violation_facts = TextAreaField(_l("Facts of the violation"), validators=[Optional(), Length(max=4000)])
    legal_basis = TextAreaField(_l("Legal basis of the penalty"), validators=[Optional(), Length(max=4000)])
    penalty_type = SelectField(_l("Penalty type"), choices=_choices(PENALTY_TYPE_LABELS, True), validate_choice=False)
    penalty_content = TextAreaField(_l("Content of the penalty"), validators=[Optional(), Length(max=4000)])
    fine_amount = StringField(_l("Fine (10,000 yuan)"), validators=[Optional(), Length(max=30)])
    severity = SelectField(_l("Severity"), choices=_choices(SEVERITY_LABELS, True), validate_choice=False)

    licence_type = SelectField(_l("Licence type"), choices=_choices(LICENCE_TYPE_LABELS, True), validate_choice=False)
    licence_number = StringField(_l("Licence number"), validators=[Optional(), Length(max=100)])
    licence_content = TextAreaField(_l("Content of the licence"), validators=[Optional(), Length(max=4000)])
    licence_valid_from = DateField(_l("Valid from"), validators=[Optional()])
    licence_valid_to = DateField(_l("Valid until"), validators=[Optional()])

    def validate_fine_amount(self, field) -> None:
        if field.data and field.data.strip():
            try:
                parse_decimal(field.data)
            except ValueError as error:
                raise ValidationError(str(error.args[0])) from None

    def to_data(self, lenient: bool = False) -> DisclosureData:
        """The form's data; ``lenient``: a fine that is no number is left out (its field says why)."""
        fine = self.fine_amount.data.strip() if self.fine_amount.data else ""
        if lenient and fine:
            try:
                parse_decimal(fine)
            except ValueError:
                fine = ""
        return DisclosureData(
            kind=_enum(DisclosureKind, self.kind.data),
            party_name=self.party_name.data,
            party_category=_enum(PartyCategory, self.party_category.data),
            party_identifier=self.party_identifier.data,
            legal_representative=self.legal_representative.data,
            decision_number=self.decision_number.data,
            decision_date=self.decision_date.data,
            authority_name=self.authority_name.data,
            authority_uscc=self.authority_uscc.data,
            source_unit_name=self.source_unit_name.data,
            violation_type=self.violation_type.data,
            violation_facts=self.violation_facts.data,
            legal_basis=self.legal_basis.data,
            penalty_type=_enum(PenaltyType, self.penalty_type.data),
            penalty_content=self.penalty_content.data,
            fine_amount=parse_decimal(fine) if fine else None,
            severity=_enum(Severity, self.severity.data),
            licence_type=_enum(LicenceType, self.licence_type.data),
            licence_number=self.licence_number.data,
            licence_content=self.licence_content.data,
            licence_valid_from=self.licence_valid_from.data,
            licence_valid_to=self.licence_valid_to.data,
        )

    def fill_from(self, disclosure) -> None:
        for name in DisclosureData.__dataclass_fields__:
            value = getattr(disclosure, name)
            if isinstance(value, Decimal):
                value = format(value.normalize(), "f")
            elif hasattr(value, "value"):
                value = value.value
            getattr(self, name).data = value
        self.version.data = str(disclosure.version)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file in the template"), validators=[FileRequired()])
    submit_for_review = BooleanField(_l("Submit the imported records for review at once"))


class ReturnForm(FlaskForm):
    version = HiddenField()
    comment = TextAreaField(_l("What must be fixed"), validators=[DataRequired(), Length(max=2000)])


class PublicSearchForm(FlaskForm):
    """The public search (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Party name or identifier"), validators=[Optional(), Length(max=100)])
    unit = SelectField(_l("Unit"), validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS, True), validators=[Optional()],
                       validate_choice=False)

    def validate_unit(self, field) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("Not one of the allowed values."))

    def validate_kind(self, field) -> None:
        if field.data and field.data not in DisclosureKind._value2member_map_:
            raise ValidationError(_l("Not one of the allowed values."))
    date_from = DateField(_l("Decided from"), validators=[Optional()])
    date_to = DateField(_l("Decided until"), validators=[Optional()])
