"""The officer's workbench: the landing page after sign-in, gathering from every package what the
signed-in officer's role has to do today (``core.workbench`` sections and their registered lines)."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.workbench import views

    wiring.include(app, __name__, declares=(views,), blueprints=(views.bp,))
