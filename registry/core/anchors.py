"""The anchor file: the audit chain's head, appended daily to a file outside the database.

Each line is ``{"written_at", "event_id", "hash", "chain"}``; ``chain`` names the database whose
chain it anchors (the hash of that chain's first event), so that one file never anchors two
databases: two registries pointed at the same instance folder (a SQLite demo and the PostgreSQL
production, say) are refused, not mixed.  Lines written before ``chain`` existed are taken as
this database's and judged by the chain itself (a line that does not match fails ``verify``).

What this module does not know: the database.  ``core.audit`` reads the chain and calls it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app


@dataclass(frozen=True)
class Anchor:
    event_id: int
    hash: str
    written_at: str
    chain: str | None = None


class ForeignAnchorFile(ValueError):
    """The anchor file anchors another database's chain."""


def anchor_path() -> Path:
    return Path(current_app.config.get("AUDIT_ANCHOR_FILE")
                or os.path.join(current_app.instance_path, "audit-anchors.jsonl"))


def read_anchors(path: Path | None = None, *, chain: str | None = None) -> list[Anchor]:
    """Every anchor of the file (none when there is no file yet); a damaged line is an error, and
    so is a line of another chain than ``chain`` (when given)."""
    path = path or anchor_path()
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            anchor = Anchor(int(item["event_id"]), str(item["hash"]), str(item["written_at"]), item.get("chain"))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: line {number} is not an anchor") from error
        if chain and anchor.chain and anchor.chain != chain:
            raise ForeignAnchorFile(
                f"{path} anchors another database's audit chain (line {number}); give each database a file of "
                "its own (REGISTRY_AUDIT_ANCHOR_FILE)")
        anchors.append(anchor)
    return anchors


def append_anchor(anchor: Anchor, path: Path | None = None) -> None:
    """Append one line (the file opened for appending only, flushed to disk); refuses a file that
    anchors another chain."""
    path = path or anchor_path()
    read_anchors(path, chain=anchor.chain)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"written_at": anchor.written_at, "event_id": anchor.event_id, "hash": anchor.hash,
                       "chain": anchor.chain}, sort_keys=True) + "\n"
    with open(path, "a", encoding="utf-8") as file:
        file.write(line)
        file.flush()
        os.fsync(file.fileno())


def set_aside(path: Path, why: str, when) -> Path | None:
    """Move the anchor file aside (kept, with the reason and time in its name); None when absent."""
    if not path.exists():
        return None
    target = path.with_name(f"{path.stem}.{why}-{when:%Y%m%dT%H%M%S}{path.suffix}")
    path.rename(target)
    return target


def file_warnings(path: Path, file_anchors: list[Anchor], published: list[Anchor], has_events: bool) -> list[str]:
    """What ``audit verify`` must say loudly about the anchor file, beside the chain's own verdict:
    missing, or shorter than the history published outside (the daily heads others archived, the
    manifests delivered).  A file that disagrees with the chain is a broken chain, not a warning."""
    warnings = []
    if not path.exists():
        if has_events:
            warnings.append(f"no anchor file at {path}: nothing outside the database vouches for the chain "
                            "(the daily audit_anchor check writes it; 'audit anchor' writes one now)")
    elif has_events and not file_anchors:
        warnings.append(f"the anchor file {path} is empty")
    newest_published = max((anchor.event_id for anchor in published), default=None)
    newest_local = max((anchor.event_id for anchor in file_anchors), default=None)
    if newest_published is not None and (newest_local is None or newest_local < newest_published):
        warnings.append(f"the anchor file is shorter than the published history: it ends at event {newest_local}, "
                        f"the published heads at event {newest_published} (was it truncated or replaced?)")
    return warnings
