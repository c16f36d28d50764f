"""Credit repair (信用修复): ending a black list entry or a published penalty early (PRODUCT §7).

Built on ``registry.applications.models``: the same receipt, access code, files, handling steps and
four-eyes decision, with eligibility checked before anything is stored.
"""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.repairs import calendar, documents, models, operations, seed, settings, views

    wiring.include(
        app, __name__,
        declares=(models, settings, seed, documents, calendar, operations, views),
        blueprints=(views.bp,),
    )
