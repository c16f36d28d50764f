"""The list entries' numbers an administrator may change (PRODUCT §3; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# 公示期: a black-list entry is published for comment before it takes effect (PRODUCT §3).
register_setting(SettingSpec("publicity_working_days", 5, _l("Publicity period of list entries (working days)"), 1, 60))
