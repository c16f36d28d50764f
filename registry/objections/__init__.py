"""Objections (异议): the public's challenge to a list entry or a published disclosure (PRODUCT §6).

``common`` holds what objections and repair applications share (receipt numbers, access codes,
files, the handling steps and four-eyes decisions, deadlines); the repairs package builds on it.
"""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.objections import calendar, documents, models, operations, seed, settings, views

    wiring.include(
        app, __name__,
        declares=(models, settings, seed, documents, calendar, operations, views),
        blueprints=(views.bp,),
    )
