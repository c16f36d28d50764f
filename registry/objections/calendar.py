"""Objection deadlines follow the working-day calendar (PRODUCT §6, §8)
(``applications.deadlines.recount_application_deadlines``)."""

from __future__ import annotations

from registry.applications.deadlines import recount_application_deadlines
from registry.core.signals import calendar_changed
from registry.objections.models import Objection


@calendar_changed.connect
def recount_objection_deadlines(sender, *, before, after, actor=None, **_extra) -> int:
    return recount_application_deadlines(Objection, before, after, actor)
