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


class PermissionDenied(RegistryError):
    default_message = _l("You are not allowed to do this.")


class InvalidTransition(RegistryError):
    default_message = _l("This action is not possible in the record's current state.")


class StaleRecord(RegistryError):
    default_message = _l(
        "This item was changed by someone else since you opened it. Reload the page and try again."
    )


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
