"""Scheduled checks: deadlines, publication, expiry, alerts."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.checks import checks, cli, models, settings, views, work

    wiring.include(
        app, __name__,
        declares=(models, settings, checks, views, work),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
