"""The admin form of a key's notification endpoint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import StringField
from wtforms.validators import Length

from registry.watch.models import MAX_URL


class EndpointForm(FlaskForm):
    url = StringField(_l("Endpoint (https://…)"), validators=[Length(max=MAX_URL)],
                      description=_l("Leave empty to stop notifications; the key can still pull its changes."))
