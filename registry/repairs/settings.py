"""Credit repair's numbers an administrator may change (PRODUCT §7; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# When a published penalty may be repaired, in calendar months (core.periods), as the NDRC
# credit-repair measures (国家发展改革委《信用修复管理办法》) state them.
register_setting(SettingSpec(
    "penalty_general_repair_after_months", 3, _l("General penalty repairable after (months)"), 0, 120))
register_setting(SettingSpec(
    "penalty_serious_repair_after_months", 12, _l("Serious penalty repairable after (months)"), 0, 120))
# The unit's handling deadlines (PRODUCT §7).
register_setting(SettingSpec(
    "repair_accept_working_days", 5, _l("Check a repair application within (working days)"), 1, 60))
register_setting(SettingSpec(
    "repair_decide_working_days", 10, _l("Decide a repair application within (working days)"), 1, 90))
