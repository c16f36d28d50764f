"""The list of scheduled checks.  Each package registers the checks it owns here.

A check is a function ``check(today: date) -> dict[str, int]`` that selects what is due with
set-based SQL, changes it through operations, and returns counts.  It must be idempotent and must
not commit: ``run_check`` commits once per check, after it succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from registry.core.registry import Registry


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[date], dict]
    schedule: dict  # APScheduler cron fields, Asia/Shanghai
    order: int


CHECKS: Registry[Check] = Registry("scheduled check", sort_key=lambda check: (check.order, check.name))


def register_check(name: str, *, order: int, **schedule):
    def decorator(fn):
        CHECKS.add(Check(name, fn, schedule, order))
        return fn

    return decorator


def ordered_checks() -> list[Check]:
    return CHECKS.ordered()
