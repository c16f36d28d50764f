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


@dataclass(frozen=True)
class Job:
    """Work the scheduler process runs every ``seconds`` that manages its own transactions.

    For work that must not hold one transaction open for long (e.g. sending notifications over
    the network, committing as it goes): ``run()`` returns counts, commits itself, and must be
    safe to run again after a failure.  Never run by the web workers.
    """

    name: str
    run: Callable[[], dict]
    seconds: int


JOBS: Registry[Job] = Registry("scheduled job", key=lambda job: job.name, sort_key=lambda job: job.name)


def register_job(name: str, *, seconds: int):
    def decorator(fn):
        JOBS.add(Job(name, fn, seconds))
        return fn

    return decorator
