"""Red and black list entries (红黑名单): categories, measures, the verify-then-publish workflow."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.listing import (
        calendar,
        checks,
        cli,
        documents,
        models,
        removals,
        seed,
        settings,
        targets,
        views,
        work,
    )

    wiring.include(
        app, __name__,
        declares=(models, settings, seed, checks, documents, targets, calendar, removals, views, work),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
