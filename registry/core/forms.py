"""Form helpers shared by every package."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import fields
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from registry.core.errors import ValidationErrors, ValidationFailed
from registry.core.identifiers import InvalidIdentifier, normalize


def select_choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms 3.3 wants them."""
    return [SelectChoice(value=str(value), label=label) for value, label in pairs]


def apply_error(form, error: ValidationFailed) -> bool:
    """Attach an operation's refusal to the form field it names; False when it names none.

    A ``ValidationErrors`` puts each of its refusals on its field; False when any names no field
    of the form (``unplaced`` gives those messages).
    """
    return not unplaced(form, error)


def unplaced(form, error: ValidationFailed) -> list[str]:
    """Put every refusal of ``error`` on the field of ``form`` it names; the messages that name none."""
    left = []
    for one in error.errors if isinstance(error, ValidationErrors) else [error]:
        field = getattr(form, one.field, None) if one.field else None
        if field is None or not hasattr(field, "errors"):
            left.append(str(one.message))
            continue
        message = str(one.message)
        if message not in (field.errors or []):
            field.errors = [*list(field.errors or []), message]
    return left


def submitted_and_valid(form, content_check) -> bool:
    """``form.validate_on_submit()``; when the form's own checks fail, the content rules too.

    ``content_check()`` runs the domain's validation on the form's data (reading only) and raises
    its refusals; they are put on the fields that have no error yet, so that a form shows every
    problem at once instead of the cross-field ones only on the next save.
    """
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    try:
        content_check()
    except ValidationFailed as error:
        for one in error.errors if isinstance(error, ValidationErrors) else [error]:
            field = getattr(form, one.field, None) if one.field else None
            if field is not None and hasattr(field, "errors") and not field.errors:
                field.errors = [str(one.message)]
    except ValueError:
        pass  # the form's data cannot be read as a whole yet: its own errors say why
    return False


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


class DateInput(TextInput):
    """A date typed as 年-月-日 (YYYY-MM-DD) whatever the browser's locale.

    Chromium draws ``<input type="date">`` in the browser's locale (mm/dd/yyyy in an English
    browser), so dates are text inputs with a pattern and a placeholder in the page's language.
    """

    def __call__(self, field, **kwargs) -> Markup:
        kwargs.pop("type", None)
        kwargs.setdefault("placeholder", str(_l("YYYY-MM-DD")))
        kwargs.setdefault("pattern", r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
        kwargs.setdefault("inputmode", "numeric")
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("maxlength", "10")
        kwargs.setdefault("class", "date")
        return super().__call__(field, **kwargs)


class DateField(fields.DateField):
    """WTForms' ``DateField`` drawn as ``DateInput`` (every date field of the registry)."""

    widget = DateInput()
