"""Exceptions that operations raise and views turn into messages.

Operations never return error codes: they raise one of these with a message a user can read,
naming the field where there is one.  Views catch ``RegistryError`` (see ``core.web.perform``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class RegistryError(Exception):
    """A refusal with a user-readable message; nothing has been stored."""

    default_message = _l("The request could not be carried out.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))


class ValidationFailed(RegistryError):
    default_message = _l("The input is not valid.")


class ValidationErrors(ValidationFailed):
    """Several refusals found in one pass over a form's input, each naming its field.

    ``message`` and ``field`` are the first refusal's, so a caller that knows only one still says
    something right; ``core.forms.apply_error`` puts every one on its field.
    """

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(self.errors[0].message, field=self.errors[0].field)


class Problems:
    """Collects the refusals of a form's checks so that all are reported together.

    ``value = problems.check(clean_text, text, "field", label, limit=100)`` returns the checked
    value, or None after keeping the refusal; ``problems.raise_any()`` raises what was kept (one
    ``ValidationFailed``, or a ``ValidationErrors`` for several).
    """

    def __init__(self):
        self.errors: list[ValidationFailed] = []

    def add(self, error: ValidationFailed) -> None:
        self.errors.extend(error.errors if isinstance(error, ValidationErrors) else [error])

    def check(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationFailed as error:
            self.add(error)
            return None

    def failed(self, field: str) -> bool:
        return any(error.field == field for error in self.errors)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ValidationErrors(self.errors)


class PermissionDenied(RegistryError):
    default_message = _l("You are not allowed to do this.")


class InvalidTransition(RegistryError):
    default_message = _l("This action is not possible in the record's current state.")


class StaleRecord(RegistryError):
    default_message = _l(
        "This item was changed by someone else since you opened it. Reload the page and try again."
    )


class StorageFull(RegistryError):
    """The database's or the server's disk is full: nothing was stored (``core.web.refusing_a_full_disk``)."""

    default_message = _l("The server's storage is full, so nothing was stored. Please try again later, or tell "
                         "the administrator.")


class NotFound(RegistryError):
    default_message = _l("Not found.")


def clean_text(value: str | None, field: str, label, *, limit: int, required: bool = True) -> str | None:
    """``value`` stripped; a refusal naming ``label`` when it is empty (and required) or too long."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed(_l("Enter %(field)s.", field=label), field=field)
        return None
    if len(text) > limit:
        raise ValidationFailed(_l("%(field)s may have at most %(n)d characters.", field=label, n=limit), field=field)
    return text
