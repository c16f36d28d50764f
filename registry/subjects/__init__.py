"""Subjects: the organisations, persons and vehicles that records are about."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.subjects import cli, models, seed, views

    wiring.include(
        app, __name__,
        declares=(models, seed, views),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
