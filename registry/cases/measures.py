"""The measures list (措施清单) and the object list (对象清单), maintained by admins (PRODUCT §5).

A measure belongs to the red or the black list; the object list says which list categories it
applies to, and only a category of the measure's own list may be among them.  Every change is
audited with what changed.  The tables are listing's (``Measure``, ``category_measures``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.cases.models import case_measures
from registry.core.audit import record_event
from registry.core.errors import PermissionDenied, ValidationFailed, clean_text
from registry.core.permissions import Role
from registry.extensions import db
from registry.listing.models import LIST_KIND_SHORT, ListCategory, ListKind, Measure, entry_measures

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
_TEXT_LIMITS = {"description": 300, "legal_basis": 2000, "implementing_department": 200}
_LABELS = {
    "description": _l("the description"),
    "legal_basis": _l("the legal basis"),
    "implementing_department": _l("the implementing department"),
}


def _text(name: str, value) -> str:
    return clean_text(value, name, _LABELS[name], limit=_TEXT_LIMITS[name])


def _code(measure: Measure | None, value) -> str:
    code = (value or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationFailed(
            _l("Enter a code of 1 to 20 letters, digits and hyphens (for example HB-09)."), field="code"
        )
    clash = db.session.scalar(sa.select(Measure.id).where(Measure.code == code))
    if clash is not None and (measure is None or clash != measure.id):
        raise ValidationFailed(_l("Another measure already has the code %(code)s.", code=code), field="code")
    return code


def _in_use(measure: Measure) -> bool:
    for table in (entry_measures, case_measures):
        used = db.session.scalar(sa.select(table.c.measure_id).where(table.c.measure_id == measure.id).limit(1))
        if used is not None:
            return True
    return False


def _categories(category_ids: Iterable, kind: ListKind) -> list[ListCategory]:
    try:
        wanted = {int(value) for value in category_ids or ()}
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Unknown category."), field="category_ids") from None
    if any(not 0 < value < 2**31 for value in wanted):
        raise ValidationFailed(_l("Unknown category."), field="category_ids")
    if not wanted:
        return []
    categories = list(
        db.session.scalars(
            sa.select(ListCategory).where(ListCategory.id.in_(wanted)).order_by(ListCategory.display_order)
        )
    )
    if len(categories) != len(wanted):
        raise ValidationFailed(_l("Unknown category: choose categories of the lists."), field="category_ids")
    other = [c.name for c in categories if c.list_kind is not kind]
    if other:
        raise ValidationFailed(
            _l(
                "The category %(names)s is not of the %(list)s: a measure applies only to categories of its own list.",
                names="、".join(other),
                list=LIST_KIND_SHORT[kind],
            ),
            field="category_ids",
        )
    return categories


def _plain(value):
    return getattr(value, "value", value)


def _list_kind(measure: Measure | None, list_kind) -> ListKind:
    """The measure's list; a measure already applied keeps it."""
    try:
        kind = ListKind(list_kind)
    except ValueError:
        raise ValidationFailed(_l("Choose the red or the black list."), field="list_kind") from None
    if measure is not None and kind is not measure.list_kind and _in_use(measure):
        raise ValidationFailed(
            _l("The list of a measure that has been applied cannot change: deactivate it and add a new one."),
            field="list_kind",
        )
    return kind


def save_measure(
    measure: Measure | None,
    *,
    actor,
    code: str,
    list_kind,
    description: str,
    legal_basis: str,
    implementing_department: str,
    is_active: bool,
    category_ids: Iterable,
) -> Measure:
    """Create or change a measure and the categories it applies to (admins only; audited).

    A measure already applied in entries or cases keeps its list: changing it would turn past
    rewards into punishments.  Retire it (``is_active``) and add a new one instead.
    """
    if getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied(_l("Only an administrator can change the measures list."))
    code = _code(measure, code)
    kind = _list_kind(measure, list_kind)
    values = {
        "code": code,
        "list_kind": kind,
        "description": _text("description", description),
        "legal_basis": _text("legal_basis", legal_basis),
        "implementing_department": _text("implementing_department", implementing_department),
        "is_active": bool(is_active),
    }
    categories = _categories(category_ids, kind)
    before = {} if measure is None else {k: _plain(getattr(measure, k)) for k in values}
    before_categories = [] if measure is None else sorted(c.name for c in measure.categories)
    if measure is None:
        measure = Measure(**values)
        db.session.add(measure)
    else:
        for key, value in values.items():
            setattr(measure, key, value)
    measure.categories = categories
    db.session.flush()
    changes = {k: [before.get(k), _plain(v)] for k, v in values.items() if before.get(k) != _plain(v)}
    after_categories = sorted(c.name for c in categories)
    if after_categories != before_categories:
        changes["categories"] = [before_categories, after_categories]
    if changes:
        record_event(
            "measure.update" if before else "measure.create",
            actor=actor,
            object_type="measure",
            object_id=measure.id,
            details=changes,
        )
    return measure
