"""The notice kinds and credit-report sections: every module here is imported at start-up.

Each module registers what it provides (``register_notice_kind``, ``register_report_section``)
and guards its imports of packages that may not exist yet with ``optional_module``.
"""

from __future__ import annotations

import importlib
import pkgutil

from registry import _optional_import


def optional_module(name: str):
    """The module ``name``, or None when its package is not part of this installation."""
    return _optional_import(name)


def load_all() -> None:
    importlib.import_module("registry.documents.report")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        importlib.import_module(f"{__name__}.{module.name}")
