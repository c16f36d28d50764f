"""The alerts' numbers an administrator may change (PRODUCT §9; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# How early a deadline's alert warns; the disclosures and the applications read it.
register_setting(SettingSpec("alert_lead_working_days", 2, _l("Warn this many working days before a deadline"), 0, 30))
