"""Helpers the notice modules share: the printed names of states, units, dates and periods."""

from __future__ import annotations

from datetime import date

from registry.accounts.issuers import department_issuer, issuer_of
from registry.core.pdf import DEPARTMENT, signature_block


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


# The keys of a notice's content that say who issued it (``issuer``; ``issuing_unit`` in notices
# issued before units had issuer settings): not facts of the record (``operations.verify``).
ISSUER_KEYS = ("issuer", "issuing_unit")
LEGACY_REMEDIES = "如对本决定不服，可依法申请行政复议或者提起行政诉讼。"


def issuer(unit=None) -> dict:
    """What a notice of ``unit`` states about its issuer (None: the department as a whole)."""
    return issuer_of(unit) if unit is not None else department_issuer()


def issuing_name(content: dict) -> str:
    """The name a notice is issued in, from its content (also for notices issued before issuers)."""
    return (content.get("issuer") or {}).get("name") or content.get("issuing_unit") or DEPARTMENT


# The prefix of the department's numbers, which documents issued before issuers had a prefix used.
DEPARTMENT_PREFIX = "湘交"


def number_prefix(content: dict) -> str:
    """The issuing authority's prefix that begins the document's number (湘交, 长交 …)."""
    return (content.get("issuer") or {}).get("prefix") or DEPARTMENT_PREFIX


def letterhead(content: dict) -> str:
    """The red letterhead: the issuing authority.  A document issued before the issuer's prefix was
    part of the content was printed under the department's letterhead, and is regenerated so."""
    found = content.get("issuer") or {}
    return found["name"] if found.get("prefix") else DEPARTMENT


def handled_by(content: dict) -> str | None:
    """承办单位: the division that handled a notice the department issues, or None."""
    found = content.get("issuer") or {}
    division, name = found.get("division"), found.get("name") or ""
    if not division:
        return None
    return division if division.startswith(name) else f"{name}{division}"


def remedies(content: dict, you: str = "你（单位）", what: str = "本决定") -> str:
    """The remedies clause: reconsideration within 60 days (《行政复议法》, 2023 revision) before
    the body the issuer's settings name, or a lawsuit within 6 months (《行政诉讼法》第四十六条)
    at the court they name.  A notice issued before issuers keeps the sentence it was issued with."""
    found = content.get("issuer")
    if not found:
        return LEGACY_REMEDIES.replace("本决定", what)
    return (f"{you}如对{what}不服，可以自收到{what}之日起六十日内，依照《中华人民共和国行政复议法》"
            f"向{found['reconsideration_body']}申请行政复议；也可以自收到{what}之日起六个月内，依照"
            f"《中华人民共和国行政诉讼法》第四十六条的规定，向{found['court']}提起行政诉讼。")


def closing(content: dict, meta, style, *, keep=(), on=None):
    """The signature block of a notice from its content: issuing name, date, seal, 承办单位;
    ``keep``: the closing lines that stay on the seal's page; ``on``: the date (default: of issue)."""
    found = content.get("issuer") or {}
    return signature_block(meta.issuing_unit, on or meta.issued_at, style, seal_text=found.get("seal"),
                           handled_by=handled_by(content), keep=keep)


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
