"""Oversight's numbers an administrator may change (PRODUCT §9; core.settings keeps them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.settings import SettingSpec, register_setting

# The biweekly-publication check (oversight.checks): a unit that published nothing for this long.
register_setting(SettingSpec("publication_gap_days", 14, _l("Alert a unit that published nothing for (days)"), 1, 90))
