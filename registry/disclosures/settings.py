"""The disclosures' numbers an administrator may change (PRODUCT §4; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# 双公示: published within seven working days of the decision (PRODUCT §4).
register_setting(SettingSpec(
    "disclosure_deadline_working_days", 7, _l("Publish disclosures within (working days)"), 1, 60))
# How long a penalty stays public, in calendar months (core.periods), as the NDRC credit-repair
# measures (国家发展改革委《信用修复管理办法》) state them.
register_setting(SettingSpec(
    "penalty_general_visible_months", 12, _l("General penalty shown publicly for (months)"), 1, 120))
register_setting(SettingSpec(
    "penalty_serious_visible_months", 36, _l("Serious penalty shown publicly for (months)"), 1, 120))
