"""Seed data and demo data, contributed by each package.

``flask seed`` runs every seed step (units, categories, measures...), ``flask demo`` every demo
step (accounts and records in every state).  Each step must be idempotent: running it again adds
nothing that is already there.  Steps run in ascending ``order``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from registry.core import clock
from registry.core.pdf import cjk_font
from registry.core.registry import Registry


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    run: Callable[[], object]


def _step_key(step: Step) -> str:
    return f"{step.run.__module__}.{step.name}"


SEED_STEPS: Registry[Step] = Registry("seed step", key=_step_key)
DEMO_STEPS: Registry[Step] = Registry("demo step", key=_step_key)


def _register(steps: Registry[Step], order: int):
    def decorator(fn):
        steps.add(Step(order, fn.__qualname__, fn))
        return fn

    return decorator


def seed_step(order: int):
    return _register(SEED_STEPS, order)


def demo_step(order: int):
    return _register(DEMO_STEPS, order)


def demo_pdf(title: str, lines: list[str] | tuple[str, ...] = ()) -> bytes:
    """A small one-page PDF (a title and a few lines), for demo uploads: commitment letters,
    application forms, evidence.  The same text gives the same bytes."""
    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(title)
    width, height = A4
    canvas.setFont(font, 18)
    canvas.drawCentredString(width / 2, height - 90, title)
    canvas.setFont(font, 11)
    for number, line in enumerate(lines):
        canvas.drawString(70, height - 140 - number * 20, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def on_day(day: date):
    """Freeze the clock on ``day`` for a demo step, never later than now.

    ``clock.frozen_at(day)`` is 10:00 that day in Asia/Shanghai: for today, before 10:00, that is a
    moment still to come, and the audit log would show events that have not happened yet.
    """
    if isinstance(day, datetime):
        return clock.frozen_at(day)
    moment = datetime(day.year, day.month, day.day, 10, 0, tzinfo=clock.LOCAL_TZ)
    return clock.frozen_at(min(moment, clock.utcnow()) if day == clock.today() else moment)
