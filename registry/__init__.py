"""Hunan Transport Credit Registry (湖南省交通运输信用红黑名单与联合奖惩管理系统)."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os

from flask import Flask

# The packages, bottom floor first (docs/DEVELOPING.md has the map).  Each may provide the modules
# named in PACKAGE_PARTS; importing them registers what they declare (models, seed and demo steps,
# scheduled checks, notice kinds and report sections, application targets, receivers of
# core.signals.calendar_changed), ``views.bp`` is a blueprint and ``cli.COMMANDS`` a list of click
# commands.
PACKAGES = [
    "accounts",
    "subjects",
    "listing",
    "disclosures",
    "cases",
    "evaluations",
    "commitments",
    "supervision",
    "applications",
    "objections",
    "repairs",
    "catalogue",
    "ledger",
    "documents",
    "exchange",
    "watch",
    "checks",
    "oversight",
    "review",
    "workbench",
    "public",
    "api",
    "admin",
    "monitoring",
    "gendata",
]

PACKAGE_PARTS = ("models", "seed", "checks", "documents", "targets", "calendar", "views", "work", "cli")

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RegistryFlask(Flask):
    """Flask, with each request's unit of work run again once when it lost SQLite's write lock
    (``core.db.run_unit_of_work``: a GET that issues a document, beside concurrent writers)."""

    def dispatch_request(self):
        from registry.core.db import run_unit_of_work
        from registry.extensions import db

        return run_unit_of_work(super().dispatch_request, db.session.rollback)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application.  Starts no scheduler and creates no tables (``flask db upgrade`` does)."""
    app = RegistryFlask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
    )
    from registry import config
    from registry.core import logs

    config.configure(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    logs.configure_logging(app.config["LOG_FORMAT"], app.config.get("LOG_LEVEL", "INFO"))
    logs.init_request_logging(app)
    config.warn_about_unset_settings(app)

    _trust_proxies(app)
    _init_extensions(app)
    _register_packages(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the configured number of reverse proxies.

    Behind nginx every request comes from the proxy's address, so all clients would share one
    rate limit and audit records would name the proxy.  ProxyFix reads only the last
    ``TRUSTED_PROXIES`` entries of X-Forwarded-For (the ones our proxies appended): what a client
    wrote there itself stays ignored.
    """
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from registry.core import hygiene, i18n, routing, web
    from registry.core.permissions import template_helpers
    from registry.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    with contextlib.suppress(OSError):  # a read-only install ships its compiled catalogues
        i18n.compile_catalogues()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(i18n.translation_directories())
    babel.init_app(app, locale_selector=web.select_locale)
    web.init_app(app)
    app.before_request(hygiene.refuse_nul_characters)
    routing.init_app(app)  # before the blueprints: their routes use the <id:...> converter
    app.context_processor(template_helpers)
    app.context_processor(web.template_globals)


def _register_packages(app: Flask) -> None:
    from registry import cli as core_cli
    from registry.core import models  # noqa: F401  (the core's tables)
    for command in (core_cli.seed_command, core_cli.demo_command, core_cli.calendar_cli, core_cli.audit_cli):
        app.cli.add_command(core_cli.take_write_lock_first(command))
    for package in PACKAGES:
        parts = {part: importlib.import_module(f"registry.{package}.{part}")
                 for part in PACKAGE_PARTS if importlib.util.find_spec(f"registry.{package}.{part}")}
        if hasattr(parts.get("views"), "bp"):
            app.register_blueprint(parts["views"].bp)
        for command in getattr(parts.get("cli"), "COMMANDS", ()):
            app.cli.add_command(core_cli.take_write_lock_first(command))
