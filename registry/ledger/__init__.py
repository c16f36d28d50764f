"""The work ledger of seed tasks, monthly progress reports, the quarterly bulletin, and who carries a
duty the registry checks (``duties``)."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.ledger import bulletin, checks, models, operations, seed, views

    wiring.include(
        app, __name__,
        declares=(models, seed, checks, operations, bulletin, views),
        blueprints=(views.bp,),
    )
