"""Monthly exchange batches: a month of the change feed as files, delivered to a partner system.

A batch for month ``YYYY-MM`` holds every ``ChangeEvent`` that occurred in that month on the
Asia/Shanghai calendar (the month's bounds converted to UTC), ordered by feed position (``id``):

- ``registry-changes-YYYY-MM.jsonl``: one change-feed item per line, canonical JSON (sorted keys,
  no spaces, UTF-8), ``\\n`` after each line;
- ``registry-changes-YYYY-MM.csv``: the same items, one row each (RFC 4180, CRLF, UTF-8, header
  row), the public payload as canonical JSON in the last column;
- ``registry-manifest-YYYY-MM.json``: format, month, period (UTC), counts (total, per change,
  per record type), first and last feed position, for each file its name, rows, bytes and
  SHA-256, the audit chain's anchor (its last event before the period's end: id and hash) and the
  chain's daily heads published in the month (``core.heads``), which the ministry keeps.

No build time appears in any file, so building the same month again gives byte-identical files.
The files are written to a scratch folder whenever needed and are not stored; the stored manifest
says what they were.

Delivery (``EXCHANGE_URL`` wins over ``EXCHANGE_DIR``):

- HTTP: one ``POST`` to ``EXCHANGE_URL``, ``multipart/form-data`` with the parts ``manifest``,
  ``jsonl`` and ``csv`` (each with its file name), and the headers ``X-Registry-Batch-Month`` and
  ``X-Registry-Manifest-SHA256``.  Any 2xx answer is success; anything else (an error status,
  a timeout after ``EXCHANGE_TIMEOUT_SECONDS``, a refused connection, a redirect, a host that
  resolves to an internal address not in ``OUTBOUND_ALLOWED_NETWORKS``: ``core.outbound``) is
  recorded as a failure and retried by the next run.  A receiver may get the same batch twice (a delivery that
  succeeded but whose status could not be saved is repeated) and should key on the manifest hash.
- Folder: ``EXCHANGE_DIR/YYYY-MM/`` with the three files, put in place by one rename, so a
  reader never sees half a batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from registry.core import clock, outbound
from registry.core.audit import AuditEvent
from registry.core.changes import ChangeEvent
from registry.core.heads import head_item, heads
from registry.core.periods import add_months
from registry.core.spreadsheets import exchange_csv_writer
from registry.exchange.models import BatchStatus, ExchangeBatch
from registry.extensions import db

log = logging.getLogger(__name__)

FORMAT = "hunan-transport-credit-registry/change-feed-batch/1"
CSV_COLUMNS = ("id", "occurred_at", "record_type", "record_id", "change", "reason", "subject_id", "unit_id",
               "payload")
MAX_ERROR_LENGTH = 2000


class BadMonth(ValueError):
    """Not a month in the form YYYY-MM (2000-01 or later)."""


def parse_month(text: str) -> tuple[int, int]:
    try:
        year_text, month_text = (text or "").strip().split("-")
        if len(year_text) != 4 or len(month_text) != 2:
            raise ValueError
        year, month = int(year_text), int(month_text)
        date(year, month, 1)
    except ValueError:
        raise BadMonth(f"{text!r} is not a month in the form YYYY-MM") from None
    if year < 2000:
        raise BadMonth(f"{text!r} is before 2000")
    return year, month


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def previous_month(today: date) -> tuple[int, int]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.year, last.month


def month_period(year: int, month: int) -> tuple[datetime, datetime]:
    """The month on the Asia/Shanghai calendar as a half-open UTC interval."""
    following = date(year + (month == 12), month % 12 + 1, 1)

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=clock.LOCAL_TZ).astimezone(UTC)

    return start_of(date(year, month, 1)), start_of(following)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def feed_item(event: ChangeEvent) -> dict:
    """One change in the change-feed format (the API's ``/changes`` items use the same shape)."""
    return {
        "id": event.id,
        "occurred_at": utc_text(event.occurred_at),
        "record_type": event.record_type,
        "record_id": event.record_id,
        "change": event.change.value,
        "reason": event.reason,
        "subject_id": event.subject_id,
        "unit_id": event.unit_id,
        "payload": json.loads(event.payload),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_names(month: str) -> dict[str, str]:
    return {"jsonl": f"registry-changes-{month}.jsonl", "csv": f"registry-changes-{month}.csv",
            "manifest": f"registry-manifest-{month}.json"}


def audit_anchor_before(end) -> dict | None:
    """The audit chain's last event before ``end`` (id and hash): delivered with the month's batch,
    it anchors the chain outside the database (``flask audit verify --manifest``).  Events are
    only ever appended, so rebuilding the month gives the same anchor unless the chain was rekeyed."""
    row = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.occurred_at < end)
        .order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return None if row is None else {"event_id": row.id, "hash": row.hash}


def month_heads(year: int, month: int) -> list[dict]:
    """The chain's daily heads published in the month: the ministry keeps them with the batch."""
    first = date(year, month, 1)
    return [head_item(head) for head in heads(first, add_months(first, 1))]


def write_files(year: int, month: int, folder: Path) -> str:
    """Write the month's three files into ``folder``; returns the manifest's text."""
    label = month_label(year, month)
    names = file_names(label)
    start, end = month_period(year, month)
    events = db.session.scalars(
        sa.select(ChangeEvent).where(ChangeEvent.occurred_at >= start, ChangeEvent.occurred_at < end)
        .order_by(ChangeEvent.id).execution_options(yield_per=1000)
    )
    by_change: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    count, first_id, last_id = 0, None, None
    with (folder / names["jsonl"]).open("w", encoding="utf-8", newline="") as jsonl, \
            (folder / names["csv"]).open("w", encoding="utf-8", newline="") as table:
        writer = exchange_csv_writer(table)  # for machines: values as they are, unescaped
        writer.writerow(CSV_COLUMNS)
        for event in events:
            item = feed_item(event)
            jsonl.write(canonical(item) + "\n")
            writer.writerow(["" if item[key] is None else item[key] for key in CSV_COLUMNS[:-1]]
                            + [canonical(item["payload"])])
            count += 1
            first_id = event.id if first_id is None else first_id
            last_id = event.id
            by_change[item["change"]] += 1
            by_type[item["record_type"]] += 1
    files = []
    for key, rows in (("jsonl", count), ("csv", count)):
        path = folder / names[key]
        files.append({"name": names[key], "rows": rows, "bytes": path.stat().st_size, "sha256": _sha256(path)})
    manifest = {
        "format": FORMAT,
        "month": label,
        "timezone": "Asia/Shanghai",
        "period_start": utc_text(start),
        "period_end": utc_text(end),
        "event_count": count,
        "first_event_id": first_id,
        "last_event_id": last_id,
        "counts_by_change": dict(sorted(by_change.items())),
        "counts_by_record_type": dict(sorted(by_type.items())),
        "files": files,
        "audit_anchor": audit_anchor_before(end),
        "audit_heads": month_heads(year, month),
    }
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    (folder / names["manifest"]).write_text(text, encoding="utf-8", newline="")
    return text


@dataclass(frozen=True)
class BuildResult:
    batch: ExchangeBatch
    outcome: str  # "built" | "rebuilt" | "unchanged"


def build_batch(year: int, month: int) -> BuildResult:
    """Build (or rebuild) the month's batch; a rebuild that changes the files needs delivery again."""
    label = month_label(year, month)
    with tempfile.TemporaryDirectory(prefix="registry-batch-") as scratch:
        manifest = write_files(year, month, Path(scratch))
    digest = hashlib.sha256(manifest.encode("utf-8")).hexdigest()
    batch = db.session.scalar(sa.select(ExchangeBatch).where(ExchangeBatch.month == label))
    start, end = month_period(year, month)
    count = json.loads(manifest)["event_count"]
    if batch is None:
        batch = ExchangeBatch(month=label, period_start=start, period_end=end, manifest=manifest,
                              manifest_sha256=digest, event_count=count, status=BatchStatus.BUILT, attempts=0)
        db.session.add(batch)
        db.session.flush()
        return BuildResult(batch, "built")
    if batch.manifest_sha256 == digest:
        return BuildResult(batch, "unchanged")
    batch.manifest, batch.manifest_sha256, batch.event_count = manifest, digest, count
    batch.built_at = clock.utcnow()
    batch.status, batch.delivered_at, batch.last_error = BatchStatus.BUILT, None, None
    db.session.flush()
    return BuildResult(batch, "rebuilt")


class DeliveryFailed(Exception):
    pass


def destination() -> tuple[str, str] | None:
    """("url", URL) or ("dir", folder), or None when no destination is configured."""
    url = current_app.config.get("EXCHANGE_URL")
    if url:
        return "url", url
    folder = current_app.config.get("EXCHANGE_DIR")
    if folder:
        return "dir", str(folder)
    return None


def _multipart(folder: Path, names: dict[str, str], boundary: str, target: Path) -> int:
    parts = (("manifest", "application/json"), ("jsonl", "application/x-ndjson"), ("csv", "text/csv"))
    with target.open("wb") as body:
        for field, content_type in parts:
            body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                       f"filename=\"{names[field]}\"\r\nContent-Type: {content_type}; charset=utf-8\r\n\r\n"
                       .encode("ascii"))
            with (folder / names[field]).open("rb") as part:
                shutil.copyfileobj(part, body)
            body.write(b"\r\n")
        body.write(f"--{boundary}--\r\n".encode("ascii"))
    return target.stat().st_size


def _post(url: str, batch: ExchangeBatch, folder: Path, names: dict[str, str]) -> None:
    boundary = f"registry-batch-{batch.manifest_sha256[:32]}"
    body_path = folder / "body.multipart"
    size = _multipart(folder, names, boundary, body_path)
    timeout = float(current_app.config.get("EXCHANGE_TIMEOUT_SECONDS") or 30)
    with body_path.open("rb") as body:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(size),
            "X-Registry-Batch-Month": batch.month,
            "X-Registry-Manifest-SHA256": batch.manifest_sha256,
        })
        try:
            with outbound.open_url(request, timeout) as response:  # public or allowed addresses, no redirects
                status = response.status
                response.read()
        except urllib.error.HTTPError as error:
            error.close()
            redirect = " (a redirect: not followed)" if 300 <= error.code < 400 else ""
            raise DeliveryFailed(f"HTTP {error.code} {error.reason} from {url}{redirect}") from None
        except urllib.error.URLError as error:
            raise DeliveryFailed(f"cannot reach {url}: {error.reason}") from None
        except TimeoutError:
            raise DeliveryFailed(f"no answer from {url} within {timeout:g} s") from None
        except OSError as error:
            raise DeliveryFailed(f"delivery to {url} failed: {error}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status} from {url}")


def _place(folder: Path, names: dict[str, str], target_root: str, month: str) -> None:
    root = Path(target_root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{month}-", dir=root))
        for key in ("jsonl", "csv", "manifest"):
            shutil.copyfile(folder / names[key], staging / names[key])
        target = root / month
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{month}-old-", dir=root))
            os.replace(target, retired / month)
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except OSError as error:
        raise DeliveryFailed(f"cannot write to {target_root}: {error}") from None


def deliver_batch(batch: ExchangeBatch) -> bool:
    """Rebuild the batch's files, check them against the manifest, and deliver them.

    Records the outcome on the batch (flushed, not committed); True when delivered.
    """
    where = destination()
    if where is None:
        return False
    kind, target = where
    year, month = parse_month(batch.month)
    names = file_names(batch.month)
    batch.attempts += 1
    batch.last_attempt_at = clock.utcnow()
    batch.destination = target[:500]
    with tempfile.TemporaryDirectory(prefix="registry-batch-") as scratch:
        folder = Path(scratch)
        manifest = write_files(year, month, folder)
        if manifest != batch.manifest:  # a change of that month committed after the build
            log.warning("exchange batch %s changed since it was built: delivering the rebuilt files", batch.month)
            batch.manifest, batch.manifest_sha256 = manifest, hashlib.sha256(manifest.encode("utf-8")).hexdigest()
            batch.event_count, batch.built_at = json.loads(manifest)["event_count"], clock.utcnow()
        try:
            if kind == "url":
                _post(target, batch, folder, names)
            else:
                _place(folder, names, target, batch.month)
        except DeliveryFailed as error:
            batch.status, batch.last_error = BatchStatus.FAILED, str(error)[:MAX_ERROR_LENGTH]
            db.session.flush()
            log.warning("exchange batch %s not delivered (attempt %d): %s", batch.month, batch.attempts, error)
            return False
    batch.status, batch.delivered_at, batch.last_error = BatchStatus.DELIVERED, clock.utcnow(), None
    db.session.flush()
    log.info("exchange batch %s delivered to %s", batch.month, target)
    return True


def pending_batches(month: str | None = None) -> list[ExchangeBatch]:
    statement = sa.select(ExchangeBatch).where(ExchangeBatch.status != BatchStatus.DELIVERED)
    if month:
        statement = sa.select(ExchangeBatch).where(ExchangeBatch.month == month)
    return list(db.session.scalars(statement.order_by(ExchangeBatch.month)))


def deliver_pending(month: str | None = None) -> dict[str, int]:
    counts = {"delivered": 0, "failed": 0}
    if destination() is None:
        return {"no_destination": 1}
    for batch in pending_batches(month):
        counts["delivered" if deliver_batch(batch) else "failed"] += 1
    return counts


def scheduled_run(today: date) -> dict[str, int]:
    """The nightly check: build last month's batch if it is missing, then deliver what is pending."""
    year, month = previous_month(today)
    exists = db.session.scalar(sa.select(ExchangeBatch.id).where(ExchangeBatch.month == month_label(year, month)))
    counts = {"built": 0}
    if exists is None:
        build_batch(year, month)
        counts["built"] = 1
    counts.update(deliver_pending())
    return counts
