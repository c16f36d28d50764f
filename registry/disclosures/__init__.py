"""双公示: administrative licensing and penalty disclosures (PRODUCT §4)."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.disclosures import (
        calendar,
        checks,
        cli,
        documents,
        models,
        operations,
        removals,
        seed,
        settings,
        severity,
        targets,
        views,
        work,
    )

    wiring.include(
        app, __name__,
        declares=(models, settings, severity, seed, checks, documents, targets, calendar, operations, removals,
                  views, work),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
