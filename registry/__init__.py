"""Hunan Transport Credit Registry (湖南省交通运输信用红黑名单与联合奖惩管理系统)."""

from __future__ import annotations

import contextlib
import os

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from registry import (
    accounts,
    admin,
    api,
    applications,
    cases,
    catalogue,
    checks,
    cli,
    commitments,
    config,
    disclosures,
    documents,
    evaluations,
    exchange,
    gendata,
    ledger,
    listing,
    monitoring,
    objections,
    oversight,
    public,
    readmodel,
    repairs,
    review,
    subjects,
    supervision,
    watch,
    workbench,
)
from registry.config import PROJECT_ROOT
from registry.core import hygiene, i18n, logs, replicas, routing, web, wiring
from registry.core import models as core_models
from registry.core.db import run_unit_of_work
from registry.core.permissions import template_helpers
from registry.extensions import babel, csrf, db, limiter, login_manager, migrate

# The packages, bottom floor first (docs/DEVELOPING.md has the map).  ``create_app`` calls each one's
# ``register(app)`` in this order: it names everything the package contributes (``core.wiring``).
# A new package: import it above and add it here.
PACKAGES = [
    accounts,
    subjects,
    listing,
    disclosures,
    cases,
    evaluations,
    commitments,
    supervision,
    applications,
    objections,
    repairs,
    catalogue,
    ledger,
    documents,
    exchange,
    watch,
    checks,
    readmodel,
    oversight,
    review,
    workbench,
    public,
    api,
    admin,
    monitoring,
    gendata,
]


class RegistryFlask(Flask):
    """Flask, with each request's unit of work run again once when it lost SQLite's write lock
    (``core.db.run_unit_of_work``: a GET that issues a document, beside concurrent writers)."""

    def dispatch_request(self):
        return run_unit_of_work(super().dispatch_request, db.session.rollback)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application.  Starts no scheduler and creates no tables (``flask db upgrade`` does)."""
    app = RegistryFlask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
    )
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
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    replicas.init_app(app)
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
    """The core's own tables and commands, then every package's ``register(app)``."""
    wiring.include(app, "registry.core", declares=(core_models,), commands=cli.COMMANDS)
    for package in PACKAGES:
        package.register(app)
