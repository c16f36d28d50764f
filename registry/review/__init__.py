"""The officer review queue: pending items of every package, through ``core.workflow.QueueSource``."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.review import views, work

    wiring.include(app, __name__, declares=(views, work), blueprints=(views.bp,))
