"""The default supervision rules (version 1, PRODUCT §16), seeded once."""

from __future__ import annotations

from registry.core import clock
from registry.core.seeding import demo_step, seed_step
from registry.supervision.operations import ensure_default_rules, recompute_all


@seed_step(88)
def seed_supervision_rules() -> None:
    ensure_default_rules()


@demo_step(95)
def demo_supervision_classes() -> None:
    """After the demo records: every demo subject's class for today."""
    recompute_all(clock.today())
