"""The nightly recomputation of every supervision class (PRODUCT §16, docs/SUPERVISION.md).

First the stored classes are compared with a recomputation for the day each was computed for: a
difference means a change of records did not reach ``core.signals.subject_records_changed`` (a
bug), and raises an alert for the administrators.  Then every class is recomputed for today: an
entry whose validity ended, a penalty past its display window or rules taking effect today move
subjects between classes without any record changing; each move is in the class history.
"""

from __future__ import annotations

import json
from datetime import date

from flask_babel import lazy_gettext as _l

from registry.checks.alerts import register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.supervision.operations import differences, recompute_all

register_alert_kind(
    "supervision_class_difference", label=_l("Supervision class out of date"),
    message=_l("The stored supervision class %(stored)s of subject %(record_id)s differs from its "
               "recomputation (%(expected)s) for %(day)s: a change of its records was not followed. "
               "The nightly recomputation corrected it; report this as a bug."),
)


@register_check("supervision_classes", order=90, hour=1, minute=0)
def supervision_classes(today: date) -> dict:
    found = differences()
    rows = [{"unit_id": None, "record_type": "subject", "record_id": item["subject_id"],
             "subject_id": item["subject_id"],
             "params": json.dumps({"stored": item["stored"], "expected": item["expected"],
                                   "day": item["day"].isoformat()}, sort_keys=True)} for item in found]
    counts = sync_alerts("supervision_class_difference", today, rows).counts("difference_")
    counts["differences"] = len(found)
    counts["changed"] = recompute_all(today)
    return counts
