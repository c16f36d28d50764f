"""Helpers the notice modules share: the printed names of states, units, dates and periods."""

from __future__ import annotations

from datetime import date


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def chinese_iso(text: str | None) -> str:
    """2026-03-05 → 2026年3月5日 (content keeps ISO dates; documents print them the Chinese way)."""
    if not text:
        return "—"
    year, month, day = (int(part) for part in text.split("-"))
    return f"{year}年{month}月{day}日"


def period(start: str | None, end: str | None) -> str:
    if not start and not end:
        return "—"
    return f"{chinese_iso(start)}至{chinese_iso(end)}"


def unit_full_name(unit) -> str:
    """A unit's name as a document signs it: the department's divisions carry the department's name."""
    from registry.accounts.models import UnitKind
    from registry.core.pdf import DEPARTMENT

    if unit is None:
        return DEPARTMENT
    return unit.name if unit.kind is UnitKind.CITY else f"{DEPARTMENT}{unit.name}"


def duration(days: int) -> str:
    """730 → 2年, 90 → 90日: periods as notices issued before they were counted in months state them."""
    if days % 365 == 0:
        return f"{days // 365}年"
    return f"{days}日"


HOLD_CN = {"objection": "异议处理中", "repair": "信用修复中"}


def months_duration(months: int) -> str:
    """36 → 3年, 3 → 3个月: a period of calendar months (core.periods) as a notice states it."""
    if months and months % 12 == 0:
        return f"{months // 12}年"
    return f"{months}个月"
