"""Each package's one entry point, ``register(app)`` (core.wiring; docs/DEVELOPING.md, "How a package hooks in")."""

from __future__ import annotations

import pathlib

import click
import pytest
from flask import Blueprint, Flask

import registry
from registry import create_app
from registry.checks.registry import CHECKS
from registry.core import wiring
from registry.core.seeding import DEMO_STEPS, SEED_STEPS
from registry.core.settings import SPECS
from registry.core.web import OFFICER_NAV


def _another_app(app):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": app.config["DATABASE_URL"],
                       "AUDIT_ANCHOR_FILE": app.config["AUDIT_ANCHOR_FILE"]})


def test_every_package_in_the_list_registers_once_in_its_order(app):
    names = list(wiring.contributions(app))
    assert names == ["registry.core"] + [package.__name__ for package in registry.PACKAGES]
    assert len(set(names)) == len(names)


def test_a_package_contributes_its_blueprint_commands_and_declaring_modules(app):
    listing = wiring.contributions(app)["registry.listing"]
    assert [blueprint.name for blueprint in listing.blueprints] == ["listing"]
    assert {module.__name__ for module in listing.declares} >= {
        "registry.listing.models", "registry.listing.settings", "registry.listing.checks", "registry.listing.removals"}
    assert "listing" in app.blueprints and "listing" in app.cli.commands


def test_building_another_app_registers_nothing_twice(app):
    before = {"checks": len(CHECKS), "settings": len(SPECS), "nav": len(OFFICER_NAV),
              "seed": len(SEED_STEPS), "demo": len(DEMO_STEPS)}
    other = _another_app(app)
    assert {"checks": len(CHECKS), "settings": len(SPECS), "nav": len(OFFICER_NAV),
            "seed": len(SEED_STEPS), "demo": len(DEMO_STEPS)} == before
    assert sorted(other.blueprints) == sorted(app.blueprints)
    assert sorted(rule.rule for rule in other.url_map.iter_rules()) == \
        sorted(rule.rule for rule in app.url_map.iter_rules())
    assert sorted(other.cli.commands) == sorted(app.cli.commands)


def test_the_settings_belong_to_their_packages_not_the_core(app):
    # PRODUCT §3: the publicity period is the listing's; §6, §7: the handling deadlines the applications'.
    owners = {"publicity_working_days": "registry.listing.settings",
              "objection_decide_working_days": "registry.objections.settings",
              "repair_accept_working_days": "registry.repairs.settings",
              "login_max_failures": "registry.accounts.settings"}
    declared = {module.__name__: module for contribution in wiring.contributions(app).values()
                for module in contribution.declares}
    for key, module in owners.items():
        assert key in SPECS
        assert f'"{key}"' in pathlib.Path(declared[module].__file__).read_text(encoding="utf-8")
    core_settings = pathlib.Path(registry.__file__).parent / "core" / "settings.py"
    assert "SettingSpec(\"" not in core_settings.read_text(encoding="utf-8")


def test_a_package_included_twice_in_one_app_is_refused():
    app = Flask(__name__)
    wiring.include(app, "example", blueprints=(Blueprint("example", __name__),))
    with pytest.raises(RuntimeError, match="registered twice"):
        wiring.include(app, "example")
    assert list(wiring.contributions(app)) == ["example"]


def test_a_command_takes_the_write_lock_once_unless_it_reads_only():
    @click.command("writes")
    def writes():
        pass

    @click.command("reads")
    def reads():
        pass

    reads.reads_only = True
    callback = wiring.take_write_lock_first(writes).callback
    assert callback.takes_write_lock_first is True
    assert wiring.take_write_lock_first(writes).callback is callback  # a second app wraps it no further
    assert wiring.take_write_lock_first(reads).callback is reads.callback
