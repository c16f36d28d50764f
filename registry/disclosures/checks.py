"""Nightly: penalties past their disclosure period and lapsed licences leave public view."""

from __future__ import annotations

from datetime import date

from registry.checks.registry import register_check
from registry.disclosures.operations import expire_past_period


@register_check("disclosure_visibility", order=20, hour=0, minute=30)
def disclosure_visibility(today: date) -> dict:
    return {"expired": expire_past_period(today)}
