"""``flask supervision verify-draw PLAN`` and ``flask supervision recompute-classes``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from registry.core import clock
from registry.extensions import db
from registry.supervision import operations as class_ops
from registry.supervision import plans as ops
from registry.supervision.inspection_models import InspectionPlan, PlanDraw

group = AppGroup("supervision", help="Supervision classes and random inspections (PRODUCT §16).")


@group.command("verify-draw")
@click.argument("plan_id", type=int)
@click.option("--draw", "number", type=int, default=None, help="The draw's number (default: every draw).")
def verify_draw(plan_id: int, number: int | None) -> None:
    """Recompute a plan's draws from their frozen population and seed; exit 1 on any mismatch."""
    plan = db.session.get(InspectionPlan, plan_id)
    if plan is None:
        raise click.ClickException(f"No plan {plan_id}.")
    statement = sa.select(PlanDraw).where(PlanDraw.plan_id == plan.id).order_by(PlanDraw.number)
    if number is not None:
        statement = statement.where(PlanDraw.number == number)
    draws = db.session.scalars(statement).all()
    if not draws:
        raise click.ClickException(f"Plan {plan_id} has no draw{'' if number is None else f' {number}'}.")
    failed = False
    for draw in draws:
        check = ops.verify_draw(draw)
        ok = check["hash_matches"] and check["selection_matches"]
        failed = failed or not ok
        hash_word = "matches" if check["hash_matches"] else "DIFFERS"
        selection_word = "matches" if check["selection_matches"] else "DIFFERS"
        click.echo(f"draw {draw.number}: seed {draw.seed} population {draw.population_size} hash "
                   f"{check['population_hash']} {hash_word}; {len(check['selected'])} drawn, "
                   f"selection {selection_word}")
    if failed:
        raise SystemExit(1)


@group.command("recompute-classes")
def recompute_classes() -> None:
    """Recompute every subject's supervision class for today (what the nightly check does)."""
    changed = class_ops.recompute_all(clock.today())
    db.session.commit()
    click.echo(f"{changed} classes changed")


COMMANDS = [group]
