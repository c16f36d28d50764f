"""Factory functions: valid records with sensible defaults, each overridable.

Each package adds a module here defining a class whose name ends in ``Factories`` (methods
that build its records through ``self.db``); ``Factories`` combines them all, so tests call
``make.user(...)``, ``make.subject(...)``, ``make.entry(...)`` from one fixture.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.factories.core import TEST_PASSWORD, valid_resident_id, valid_uscc


def _collect() -> tuple[type, ...]:
    classes = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        classes += [
            value for name, value in vars(module).items()
            if isinstance(value, type) and name.endswith("Factories") and value.__module__ == module.__name__
        ]
    return tuple(classes)


class Factories(*_collect()):
    def __init__(self, db):
        self.db = db


__all__ = ["TEST_PASSWORD", "Factories", "valid_resident_id", "valid_uscc"]
