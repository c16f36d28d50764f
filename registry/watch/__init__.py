"""Watchlists of API keys and the signed change notifications sent to their endpoints."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.watch import checks, cli, models, operations, views

    wiring.include(
        app, __name__,
        declares=(models, operations, checks, views),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
