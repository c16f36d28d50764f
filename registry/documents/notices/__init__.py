"""The notice kinds and credit-report sections: every module here is imported at start-up.

Each module registers what it provides (``register_notice_kind``, ``register_report_section``)
and guards its imports of packages that may not exist yet with ``optional_module``.
"""

from __future__ import annotations

import importlib
import pkgutil

from registry.core.modules import optional_module  # noqa: F401  (the notice modules import it from here)


def load_all() -> None:
    importlib.import_module("registry.documents.report")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        importlib.import_module(f"{__name__}.{module.name}")
