"""How a package plugs into the application: its one entry point, ``register(app)``
(docs/DEVELOPING.md, "How a package hooks in"; Warehouse's ``includeme`` and Indico's module setup
work the same way).

``create_app`` calls ``register(app)`` of every package in ``registry.PACKAGES``, in that order.
Each ``register`` names, in one call of ``include``, everything its package contributes:

- ``declares``: the modules whose definitions add items to the shared registries when they are
  loaded (the tables of its ``models``, its scheduled checks, alert kinds, notice kinds, report and
  subject-page sections, queue sources, removal kinds, settings, seed and demo steps, navigation,
  workbench lines, receivers of ``core.signals``); ``include`` keeps the list, so that what a
  package contributes can be read in one place (``contributions(app)``) and a module that
  registers something without being named there fails ``tests/test_architecture.py``;
- ``blueprints``: registered on the app;
- ``commands``: added to ``flask``, each taking SQLite's write lock first unless it reads only.

The registries are filled once per process (a module is loaded once), the blueprints and commands
once per app: tests build many apps, and every one of them gets the same registrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import click
from flask import Blueprint, Flask

from registry.core.db import writing_transactions

EXTENSION_KEY = "registry.contributions"


@dataclass(frozen=True)
class Contribution:
    package: str
    declares: tuple[ModuleType, ...]
    blueprints: tuple[Blueprint, ...]
    commands: tuple[click.Command, ...]


def include(app: Flask, package: str, *, declares=(), blueprints=(), commands=()) -> Contribution:
    """Add ``package``'s blueprints and commands to ``app`` and note what it contributes."""
    contribution = Contribution(package, tuple(declares), tuple(blueprints), tuple(commands))
    contributions = app.extensions.setdefault(EXTENSION_KEY, {})
    if package in contributions:
        raise RuntimeError(f"package {package!r} is registered twice on this app")
    contributions[package] = contribution
    for blueprint in contribution.blueprints:
        app.register_blueprint(blueprint)
    for command in contribution.commands:
        app.cli.add_command(take_write_lock_first(command))
    return contribution


def contributions(app: Flask) -> dict[str, Contribution]:
    """What each package contributed to ``app``, by package name, in the order they registered."""
    return dict(app.extensions.get(EXTENSION_KEY, {}))


def take_write_lock_first(command: click.Command) -> click.Command:
    """Make a command's transactions begin by taking SQLite's write lock (``writing_transactions``)
    unless it is marked ``reads_only``; a group's commands each.  Idempotent: every app adds the
    same module-level commands."""
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            take_write_lock_first(subcommand)
    elif command.callback and not getattr(command, "reads_only", False) \
            and not getattr(command.callback, "takes_write_lock_first", False):
        command.callback = writing_transactions()(command.callback)
        command.callback.takes_write_lock_first = True
    return command
