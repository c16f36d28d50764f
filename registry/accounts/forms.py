from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from registry.core.forms import select_choices
from registry.core.permissions import ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _role_choices():
    return select_choices((role.value, label) for role, label in ROLE_LABELS.items())


class UserEditForm(FlaskForm):
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    is_active = BooleanField(_l("Account active"))

    def set_choices(self, units) -> None:
        self.unit.choices = select_choices((u.code, u.name) for u in units)
        self.role.choices = _role_choices()


class UserCreateForm(UserEditForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=200)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=10, max=200)])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])


class UnitIssuerForm(FlaskForm):
    """Who the unit's documents speak for (accounts.issuers)."""

    issuing_name = StringField(_l("Issuing name"), validators=[DataRequired(), Length(max=100)])
    seal_text = StringField(_l("Seal text"), validators=[DataRequired(), Length(max=100)])
    document_prefix = StringField(_l("Document number prefix"), validators=[DataRequired(), Length(max=10)])
    reconsideration_body = StringField(_l("Administrative reconsideration body"),
                                       validators=[DataRequired(), Length(max=100)])
    court = StringField(_l("Court"), validators=[DataRequired(), Length(max=100)])
