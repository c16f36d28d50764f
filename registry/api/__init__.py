"""JSON API v1 for business systems (PRODUCT §11): credit checks, the change feed, its OpenAPI document,
and the API keys that open it."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.api import admin_views, checks, cli, models, snapshot, supervision_views, views, watch_views, work

    wiring.include(
        app, __name__,
        declares=(models, checks, views, admin_views, watch_views, snapshot, supervision_views, work),
        blueprints=(views.bp,),  # with the keys' admin pages and the watchlist nested in it
        commands=cli.COMMANDS,
    )
