"""Public pages: the lookup, the lists, subject pages."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.public import audit_heads, evaluations, views

    wiring.include(app, __name__, declares=(views, evaluations, audit_heads), blueprints=(views.bp,))
