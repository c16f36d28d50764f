"""Repair application deadlines follow the working-day calendar (PRODUCT §7, §8), as objections' do."""

from __future__ import annotations

from registry.applications.deadlines import recount_application_deadlines
from registry.core.signals import calendar_changed
from registry.repairs.models import RepairApplication


@calendar_changed.connect
def recount_repair_deadlines(sender, *, before, after, actor=None, **_extra) -> int:
    return recount_application_deadlines(RepairApplication, before, after, actor)
