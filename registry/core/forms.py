"""Form helpers shared by every package."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from registry.core.errors import ValidationFailed
from registry.core.identifiers import InvalidIdentifier, normalize


def select_choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms 3.3 wants them."""
    return [SelectChoice(value=str(value), label=label) for value, label in pairs]


def apply_error(form, error: ValidationFailed) -> bool:
    """Attach an operation's refusal to the form field it names; False when it names none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [*list(field.errors or []), str(error.message)]
    return True


class ValidIdentifier:
    """Validator: the field holds a valid identifier of the kind given by ``kind_field``."""

    def __init__(self, kind_field: str = "kind"):
        self.kind_field = kind_field

    def __call__(self, form, field) -> None:
        kind = getattr(form, self.kind_field).data
        try:
            field.data = normalize(kind, field.data or "")
        except (InvalidIdentifier, ValueError) as error:
            raise ValidationError(str(getattr(error, "message", _l("Invalid identifier.")))) from None
