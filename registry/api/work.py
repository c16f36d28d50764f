"""API keys on the administrator's workbench: keys about to expire and keys nobody uses
(PRODUCT §11), each line counting what the keys page lists for it (``admin_views.shown_keys``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.api.admin_views import shown_keys
from registry.core.settings import get_setting
from registry.core.workbench import WorkLine, register_work_lines
from registry.extensions import db


def _count(show: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(shown_keys(show).order_by(None).subquery()))


@register_work_lines("system", "api_keys", order=30)
def api_key_lines(user, today):
    return [
        WorkLine(_l("API keys expiring within %(days)d days", days=get_setting("api_key_expiry_warning_days")),
                 _count("expiring"), url_for("api.apikeys.index", show="expiring"), tone="warning", order=1),
        WorkLine(_l("API keys without a request for %(days)d days", days=get_setting("api_key_unused_days")),
                 _count("unused"), url_for("api.apikeys.index", show="unused"), order=2),
    ]
