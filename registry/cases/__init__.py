"""Joint reward and punishment cases (联合奖惩案例), the measures list and object list (PRODUCT §5)."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.cases import (
        basis,
        checks,
        cli,
        documents,
        effectiveness,
        models,
        removals,
        seed,
        settings,
        views,
        work,
    )

    wiring.include(
        app, __name__,
        declares=(models, settings, seed, checks, basis, documents, effectiveness, removals, views, work),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
