"""Who may do what: one set of predicates that views, templates and operations share.

Roles (PRODUCT §1): clerks and reviewers work inside their own unit; reviewers also approve or
return what someone else in their unit submitted; admins run the configuration of every unit;
auditors read everything and change nothing.  A record of another unit is *not found* for a
clerk or reviewer (404, not 403), so that its existence does not leak.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.core.editors import editor_ids
from registry.extensions import login_manager


class Role(StrEnum):
    CLERK = "clerk"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    AUDITOR = "auditor"


ROLE_LABELS = {
    Role.CLERK: _l("Clerk"),
    Role.REVIEWER: _l("Reviewer"),
    Role.ADMIN: _l("Administrator"),
    Role.AUDITOR: _l("Auditor"),
}

UNIT_ROLES = frozenset({Role.CLERK, Role.REVIEWER})
SEE_ALL_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})


def _role(user) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Role(user.role)


def is_officer(user) -> bool:
    return _role(user) is not None


def can_see_unit(user, unit_id: int | None) -> bool:
    """Whether ``user`` may read records that belong to ``unit_id``."""
    role = _role(user)
    if role is None:
        return False
    return role in SEE_ALL_ROLES or user.unit_id == unit_id


def can_edit_unit(user, unit_id: int | None) -> bool:
    """Whether ``user`` may create and change drafts of ``unit_id``."""
    role = _role(user)
    return role in UNIT_ROLES and user.unit_id == unit_id


def can_review(user, record) -> bool:
    """Whether ``user`` may approve or return ``record``: four-eyes within the record's unit.

    A reviewer who created, submitted or changed the content of the record (one of its
    ``core.editors``) prepared it and may not decide on it.
    """
    if _role(user) is not Role.REVIEWER or user.unit_id != record.unit_id:
        return False
    if user.id in {record.created_by_id, getattr(record, "submitted_by_id", None)}:
        return False
    return not is_editor(user, record)


def is_editor(user, record) -> bool:
    """Whether ``user`` created or changed the content of ``record`` (``core.editors``)."""
    return getattr(user, "id", None) in editor_ids(record)


def is_admin(user) -> bool:
    return _role(user) is Role.ADMIN


def can_read_audit(user) -> bool:
    return _role(user) in SEE_ALL_ROLES


def roles_required(*roles: Role):
    """View decorator: sign-in required, and one of ``roles`` (any officer role when none given)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and _role(current_user) not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


officer_required = roles_required()


def ensure_can_see(record, user=None) -> None:
    """404 unless the user may read ``record`` (its unit's officers, admins, auditors)."""
    user = user or current_user
    if record is None or not can_see_unit(user, record.unit_id):
        abort(404)


def scope_to_user(statement, unit_column, user=None):
    """Restrict a query to the user's unit unless the user sees all units."""
    user = user or current_user
    if _role(user) in SEE_ALL_ROLES:
        return statement
    return statement.where(unit_column == user.unit_id)


def template_helpers() -> dict:
    return {
        "can_see_unit": can_see_unit,
        "can_edit_unit": can_edit_unit,
        "can_review": can_review,
        "is_editor": is_editor,
        "is_admin": is_admin,
        "is_officer": is_officer,
        "can_read_audit": can_read_audit,
        "Role": Role,
        "ROLE_LABELS": ROLE_LABELS,
    }
