"""The admin console: settings, the working-day calendar, the audit log.

Users and units are managed in ``registry.accounts``; this package holds the pages for the core
mechanisms, which (being in ``core``) have no views of their own.
"""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.admin import checks, cli, severity, views, work

    wiring.include(
        app, __name__,
        declares=(checks, severity, views, work),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
