"""Data exchange: imports of officers' spreadsheets, the change feed's consumers, monthly batches."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.exchange import checks, cli, models, views, work

    wiring.include(
        app, __name__,
        declares=(models, checks, views, work),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
