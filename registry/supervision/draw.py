"""The draw's algorithm, in plain functions anyone can re-implement (docs/SUPERVISION.md).

1. The population is a list of members ``(identifier, class, key, excluded)``, sorted by
   identifier.  Its hash is the SHA-256 (hex) of the UTF-8 text with one line per member,
   ``identifier|class|K or -|X or -`` followed by ``\\n``.
2. Members left out (``excluded``: inspected in the last N months, never class D) are not drawn.
3. The others fall in strata: their class, or ``class+K`` for those under key supervision (HB-04),
   whose ratio is the higher of the plan's key ratio and their class's.
4. In each stratum of m members, ordered by SHA-256(seed + "|" + identifier) (hex, then the
   identifier), the first n are drawn: n = ceil(ratio × m / 100), at least the class's minimum,
   at most m.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    identifier: str
    class_code: str
    key_supervision: bool = False
    excluded: bool = False


def population_text(members: Iterable[Member]) -> str:
    return "".join(f"{m.identifier}|{m.class_code}|{'K' if m.key_supervision else '-'}|"
                   f"{'X' if m.excluded else '-'}\n" for m in sorted(members, key=lambda m: m.identifier))


def population_hash(members: Iterable[Member]) -> str:
    return hashlib.sha256(population_text(members).encode("utf-8")).hexdigest()


def draw_order(seed: str, identifier: str) -> str:
    return hashlib.sha256(f"{seed}|{identifier}".encode()).hexdigest()


def stratum_of(member: Member) -> str:
    return f"{member.class_code}+K" if member.key_supervision else member.class_code


def stratum_ratio(stratum: str, ratios: Mapping[str, int], key_ratio: int) -> int:
    code, _plus, key = stratum.partition("+")
    ratio = int(ratios.get(code, 0))
    return max(ratio, key_ratio) if key else ratio


def how_many(size: int, ratio: int, minimum: int) -> int:
    return min(size, max(-(-ratio * size // 100), minimum))


def select(members: Iterable[Member], seed: str, ratios: Mapping[str, int], minimums: Mapping[str, int],
           key_ratio: int) -> set[str]:
    """The identifiers drawn."""
    strata: dict[str, list[Member]] = {}
    for member in members:
        if not member.excluded:
            strata.setdefault(stratum_of(member), []).append(member)
    drawn: set[str] = set()
    for stratum, group in strata.items():
        group.sort(key=lambda m: (draw_order(seed, m.identifier), m.identifier))
        count = how_many(len(group), stratum_ratio(stratum, ratios, key_ratio),
                         int(minimums.get(stratum.partition("+")[0], 0)))
        drawn.update(m.identifier for m in group[:count])
    return drawn
