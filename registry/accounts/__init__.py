"""Units, officers, sign-in, and (later) API keys."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.accounts import apikeys, cli, issuers, models, seed, settings, views

    wiring.include(
        app, __name__,
        declares=(models, settings, issuers, apikeys, seed, views),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
