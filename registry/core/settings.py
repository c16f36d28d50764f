"""Rules the department may change without a release (SPEC: "numbers are defaults").

Each setting has its default and type here; a row in ``settings`` overrides it.  Changes are made
through ``set_setting`` so that they are validated and audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import ValidationFailed
from registry.core.registry import Registry
from registry.extensions import db


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: int | str
    label: object
    minimum: int = 0
    maximum: int = 3650  # for a text setting: its most characters
    text: bool = False  # a text (e.g. a contact) rather than a whole number


SPECS: Registry[SettingSpec] = Registry("setting", key=lambda spec: spec.key)


def register_setting(spec: SettingSpec) -> SettingSpec:
    """Make a number an administrator may change known to the settings page (audited changes).

    Each package registers its own in its ``settings.py`` (e.g. ``listing.settings``), which its
    ``register(app)`` loads; the core owns no setting."""
    return SPECS.add(spec)


@dataclass(frozen=True)
class SettingsCheck:
    """A rule several settings must keep together (e.g. grade bands that neither overlap nor leave
    a gap): ``check()`` reads the settings as changed and raises ``ValidationFailed`` on its field."""

    name: str
    check: object


SETTINGS_CHECKS: Registry[SettingsCheck] = Registry("settings check", key=lambda item: item.name)


def register_settings_check(name: str):
    def decorator(fn):
        SETTINGS_CHECKS.add(SettingsCheck(name, fn))
        return fn

    return decorator


def check_together() -> None:
    """Run every rule settings keep together, on the values as changed (before the commit)."""
    try:
        for item in SETTINGS_CHECKS.values():
            item.check()
    except ValidationFailed:
        # The caller rolls the changes back: the values read for the check must not outlive them.
        if has_app_context():
            g.pop("registry_settings", None)
        raise


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


def _stored() -> dict[str, object]:
    if has_app_context() and "registry_settings" in g:
        return g.registry_settings
    values = {key: json.loads(value) for key, value in db.session.execute(sa.select(Setting.key, Setting.value))}
    if has_app_context():
        g.registry_settings = values
    return values


def get_setting(key: str) -> int | str:
    spec = SPECS[key]
    return _stored().get(key, spec.default)


def all_settings() -> list[tuple[SettingSpec, int]]:
    stored = _stored()
    return [(spec, stored.get(key, spec.default)) for key, spec in SPECS.items()]


def set_setting(key: str, value, actor) -> None:
    """Change one setting after checking its range; audited with the old and new value."""
    spec = SPECS.get(key)
    if spec is None:
        raise ValidationFailed(_l("Unknown setting %(key)s.", key=key), field="key")
    number = _checked_text(spec, value) if spec.text else _checked_number(spec, value)
    before = get_setting(key)
    if before == number:
        return
    row = db.session.get(Setting, key) or Setting(key=key)
    row.value, row.updated_at, row.updated_by_id = json.dumps(number), clock.utcnow(), getattr(actor, "id", None)
    db.session.add(row)
    db.session.flush()
    record_event(
        "settings.change", actor=actor, object_type="setting", details={"key": key, "from": before, "to": number}
    )
    if has_app_context():
        g.pop("registry_settings", None)


def _checked_text(spec: SettingSpec, value) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > spec.maximum:
        raise ValidationFailed(_l("%(field)s may have at most %(n)d characters.", field=spec.label, n=spec.maximum),
                               field=spec.key)
    return text


def _checked_number(spec: SettingSpec, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("%(label)s must be a whole number.", label=spec.label), field=spec.key) from None
    if not spec.minimum <= number <= spec.maximum:
        raise ValidationFailed(
            _l("%(label)s must be between %(min)d and %(max)d.", label=spec.label, min=spec.minimum, max=spec.maximum),
            field=spec.key,
        )
    return number
