"""core.registry: the one registration mechanism the mechanisms share."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from registry.core.registry import DuplicateRegistration, Registry


@dataclass(frozen=True)
class Item:
    name: str
    order: int = 0


def test_items_are_read_by_name_and_in_order_registration_order_breaking_ties():
    items: Registry[Item] = Registry("item")
    for item in (Item("c", 2), Item("b", 1), Item("a", 2), Item("z", 1)):
        items.add(item)
    assert [item.name for item in items.ordered()] == ["b", "z", "c", "a"]
    assert items["a"] == Item("a", 2) and "c" in items and len(items) == 4
    assert items.get("missing") is None


def test_a_name_taken_by_another_item_is_refused_and_the_first_kept():
    items: Registry[Item] = Registry("item")
    items.add(Item("a", 1))
    with pytest.raises(DuplicateRegistration, match="item 'a' is registered twice"):
        items.add(Item("a", 2))
    assert items["a"].order == 1


def test_registering_an_equal_item_again_is_harmless():
    items: Registry[Item] = Registry("item")
    first = items.add(Item("a", 1))
    assert items.add(Item("a", 1)) is first
    assert len(items) == 1


def test_a_custom_key_and_sort_key():
    items: Registry[Item] = Registry("item", key=lambda item: item.name.upper(), sort_key=lambda item: item.name)
    items.add(Item("b"))
    items.add(Item("a"))
    assert list(items) == ["B", "A"]
    assert [item.name for item in items.ordered()] == ["a", "b"]


def test_the_application_registers_each_name_once_in_every_registry(app):
    """Every registry the packages fill is a core Registry (the import-time registrations all passed)."""
    from registry.checks.alerts import ALERT_KINDS
    from registry.checks.registry import CHECKS
    from registry.core.labels import STATE_LABELS
    from registry.core.seeding import DEMO_STEPS, SEED_STEPS
    from registry.core.web import OFFICER_NAV, PUBLIC_NAV
    from registry.core.workflow import QUEUE_SOURCES
    from registry.documents.kinds import NOTICE_KINDS
    from registry.documents.report import REPORT_SECTIONS
    from registry.listing.panels import ENTRY_LINKS, ENTRY_PANELS
    from registry.subjects.sections import SUBJECT_SECTIONS

    registries = [ALERT_KINDS, CHECKS, STATE_LABELS, SEED_STEPS, DEMO_STEPS, OFFICER_NAV, PUBLIC_NAV, QUEUE_SOURCES,
                  NOTICE_KINDS, REPORT_SECTIONS, ENTRY_LINKS, ENTRY_PANELS, SUBJECT_SECTIONS]
    assert all(isinstance(registry, Registry) and len(registry) > 0 for registry in registries)
    assert {"publicity_end", "disclosure_deadline", "application_deadlines", "exchange_batch"} <= set(CHECKS)
    assert {"list_entry", "case", "credit_report", "objection_decision", "repair_decision"} <= set(NOTICE_KINDS)
