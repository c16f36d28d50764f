"""The cases' numbers an administrator may change (PRODUCT §5; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# Each unit records verified cases every month (PRODUCT §5), warned from a day of the month on.
register_setting(SettingSpec("case_quota_per_month", 1, _l("Verified cases each unit records per month"), 0, 100))
register_setting(SettingSpec(
    "case_quota_warning_day", 20, _l("Warn units short of their case quota from day"), 1, 28))
