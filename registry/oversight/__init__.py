"""Oversight: the compliance dashboard, its monthly and quarterly reports, and the check that every
unit keeps publishing (PRODUCT §9).  An aggregator: it reads the domains' published figures and the
change feed; no package imports it."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.oversight import checks, compliance, reports, settings, views, work

    wiring.include(app, __name__, declares=(settings, checks, compliance, reports, views, work), blueprints=(views.bp,))
