"""Sign-in's numbers an administrator may change (PRODUCT §13; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# Sign-in is slowed down, never locked (accounts.operations.authenticate).
register_setting(SettingSpec(
    "login_max_failures", 5, _l("Failed sign-ins from one place before the next one must wait"), 1, 100))
register_setting(SettingSpec(
    "login_failure_window_minutes", 1440, _l("Remember failed sign-ins for (minutes)"), 1, 10080))
register_setting(SettingSpec("login_lockout_minutes", 15, _l("Longest wait after failed sign-ins (minutes)"), 1, 1440))
register_setting(SettingSpec(
    "login_help_contact", "",
    _l("Whom an officer who cannot sign in contacts (shown at sign-in; "
       "empty: the administrator of the officer's unit)"),
    0, 200, text=True))
