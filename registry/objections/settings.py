"""The objections' numbers an administrator may change (PRODUCT §6; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# The unit's handling deadlines (PRODUCT §6).
register_setting(SettingSpec(
    "objection_accept_working_days", 3, _l("Accept or reject an objection within (working days)"), 1, 60))
register_setting(SettingSpec(
    "objection_decide_working_days", 10, _l("Decide an objection within (working days)"), 1, 90))
