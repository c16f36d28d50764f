"""Importing a package that may not be part of an installation."""

from __future__ import annotations

import importlib
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """The module ``name``, or None when it (or its package) does not exist.

    Only the absence of that very module counts: an import error *inside* it is raised, so that a
    broken package is never mistaken for a missing one.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is None or not (name == error.name or name.startswith(error.name + ".")):
            raise
        return None
