"""Seed data and demo data, contributed by each package.

``flask seed`` runs every seed step (units, categories, measures...), ``flask demo`` every demo
step (accounts and records in every state).  Each step must be idempotent: running it again adds
nothing that is already there.  Steps run in ascending ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    run: Callable[[], object]


SEED_STEPS: list[Step] = []
DEMO_STEPS: list[Step] = []


def _register(steps: list[Step], order: int):
    def decorator(fn):
        if all(step.name != fn.__qualname__ or step.run.__module__ != fn.__module__ for step in steps):
            steps.append(Step(order, fn.__qualname__, fn))
            steps.sort(key=lambda step: step.order)
        return fn

    return decorator


def seed_step(order: int):
    return _register(SEED_STEPS, order)


def demo_step(order: int):
    return _register(DEMO_STEPS, order)


def demo_pdf(title: str, lines: list[str] | tuple[str, ...] = ()) -> bytes:
    """A small one-page PDF (a title and a few lines), for demo uploads: commitment letters,
    application forms, evidence.  The same text gives the same bytes."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from registry.core.pdf import cjk_font

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
