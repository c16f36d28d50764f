"""The one way a package declares what it adds to a shared mechanism (ARCHITECTURE.md, "Three floors").

A mechanism owns a ``Registry`` of its item type: the scheduled checks, the alert kinds, the
review-queue sources, the notice kinds, the credit report's sections, the subject-page sections,
the entry-page links and panels, the navigation, the state labels, the settings, the seed and
demo steps.  A package adds its items when its modules load (its ``register(app)`` imports
them), through the mechanism's ``register_*`` function, and the mechanism reads them back by
name or in order::

    CHECKS: Registry[Check] = Registry("scheduled check")

    def register_check(name, *, order, **schedule):
        def decorator(fn):
            CHECKS.add(Check(name, fn, schedule, order))
            return fn
        return decorator

    for check in CHECKS.ordered(): ...

A name is taken once: registering a different item under a name already taken is an error (two
packages claiming one name is a bug that used to pass silently), while registering an equal item
again is harmless.  ``ordered()`` sorts by the items' ``order`` attribute where they have one,
items of equal order staying in the order they were registered (or by ``sort_key``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Generic, TypeVar

T = TypeVar("T")


class DuplicateRegistration(ValueError):
    pass


def _default_key(item) -> str:
    return item.name


class Registry(MutableMapping[str, T], Generic[T]):
    """Named items that packages register at import time, read by name or in order."""

    def __init__(self, what: str, *, key: Callable[[T], str] = _default_key,
                 sort_key: Callable[[T], object] | None = None):
        self.what = what
        self._key = key
        self._sort_key = sort_key or (lambda item: getattr(item, "order", 0))
        self._items: dict[str, T] = {}

    def add(self, item: T) -> T:
        """Register ``item`` under its name; an equal item registered again is kept once."""
        name = self._key(item)
        existing = self._items.get(name)
        if existing is not None and existing != item:
            raise DuplicateRegistration(f"{self.what} {name!r} is registered twice")
        self._items.setdefault(name, item)
        return self._items[name]

    def ordered(self) -> list[T]:
        """The items by their sort key (by default ``order``, registration order breaking ties)."""
        return sorted(self._items.values(), key=self._sort_key)

    # The mapping protocol: look-ups by name, and replacing or removing an item (tests do).
    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __setitem__(self, name: str, item: T) -> None:
        self._items[name] = item

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.what!r}, {sorted(self._items)})"
