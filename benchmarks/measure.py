"""The in-process measurements: each returns a dict of figures (milliseconds unless named otherwise)."""

from __future__ import annotations

import csv
import io
import random
import statistics
import time

import sqlalchemy as sa
from flask import Flask, jsonify


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(function, repeat: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict:
    return {"p50": round(percentile(samples, 50), 3), "p95": round(percentile(samples, 95), 3),
            "p99": round(percentile(samples, 99), 3), "n": len(samples)}


def sample_identifiers(app, count: int, seed: int) -> list[str]:
    """A fixed mix: half subjects with a list entry (the answers with the most to say), half any subject."""
    from registry.extensions import db

    with app.app_context():
        rng = random.Random(seed)
        listed = list(db.session.scalars(sa.text(
            "SELECT DISTINCT s.identifier FROM subjects s JOIN list_entries e ON e.subject_id = s.id ORDER BY 1")))
        top = db.session.scalar(sa.text("SELECT max(id) FROM subjects"))
        picked = rng.sample(listed, min(len(listed), count // 2))
        ids = [rng.randrange(1, top + 1) for _ in range(count - len(picked))]
        rows = db.session.execute(sa.text("SELECT identifier FROM subjects WHERE id IN ({})".format(",".join(
            str(i) for i in ids)))).scalars().all()
        result = picked + list(rows)
        rng.shuffle(result)
        return result


def credit_check(app, api_key: str, identifiers: list[str]) -> dict:
    client = app.test_client()
    headers = {"X-API-Key": api_key}
    samples = []
    for identifier in identifiers[:20]:
        assert client.get(f"/api/v1/credit/{identifier}", headers=headers).status_code == 200
    for identifier in identifiers:
        started = time.perf_counter()
        response = client.get(f"/api/v1/credit/{identifier}", headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return summary(samples)


def database_floor(app, identifiers: list[str]) -> dict:
    """The same lookup as one SQL statement: the subject, its public entries and disclosures."""
    from registry.extensions import db

    sql = sa.text(
        "SELECT s.id, s.name, e.id, e.status, NULL FROM subjects s LEFT JOIN list_entries e ON e.subject_id = s.id "
        "AND e.status IN ('in_publicity', 'published') WHERE s.identifier = :identifier "
        "UNION ALL SELECT s.id, s.name, NULL, d.status, d.decision_number FROM subjects s "
        "JOIN disclosures d ON d.subject_id = s.id AND d.status = 'published' WHERE s.identifier = :identifier"
    )
    with app.app_context():
        connection = db.session.connection()
        samples = []
        for identifier in identifiers:
            started = time.perf_counter()
            connection.execute(sql, {"identifier": identifier}).all()
            samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return summary(samples)


def framework_floor(count: int) -> dict:
    """A bare Flask app answering one small JSON object: what any Flask endpoint costs."""
    bare = Flask("bare")

    @bare.route("/api/v1/credit/<identifier>")
    def credit(identifier):
        return jsonify(identifier=identifier, found=False, list_entries=[], disclosures=[])

    client = bare.test_client()
    return summary(timed(lambda: client.get("/api/v1/credit/91430100MA0001001X"), count, warmup=50))


def batch_check(app, api_key: str, identifiers: list[str], repeat: int = 5) -> dict:
    client = app.test_client()
    body = {"identifiers": identifiers[:1000]}

    def once():
        response = client.post("/api/v1/credit/batch", json=body, headers={"X-API-Key": api_key})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]

    samples = timed(once, repeat, warmup=1)
    return {"median": round(statistics.median(samples), 1), "max": round(max(samples), 1),
            "identifiers": len(body["identifiers"])}


def run_checks(app, today) -> dict:
    """Every scheduled check once, as ``flask run-checks --today`` would (each commits)."""
    from registry.checks.registry import ordered_checks
    from registry.checks.runner import run_check

    result = {}
    with app.app_context():
        total = time.perf_counter()
        for check in ordered_checks():
            started = time.perf_counter()
            counts = run_check(check, today)
            result[check.name] = {"seconds": round(time.perf_counter() - started, 3), "counts": counts}
        result["total_seconds"] = round(time.perf_counter() - total, 2)
    return result


def due_counts(app, today) -> dict:
    from registry.extensions import db

    with app.app_context():
        total = db.session.scalar(sa.text("SELECT count(*) FROM list_entries"))
        publish = db.session.scalar(sa.text(
            "SELECT count(*) FROM list_entries WHERE status = 'in_publicity' AND publicity_end < :t"), {"t": today})
        expire = db.session.scalar(sa.text(
            "SELECT count(*) FROM list_entries WHERE status = 'published' AND valid_until < :t"), {"t": today})
    return {"entries": total, "due_publish": publish, "due_expire": expire,
            "due_share": round((publish + expire) / max(total, 1), 3)}


def _import_rows(app, count: int, seed: int) -> bytes:
    from registry.disclosures.imports import COLUMNS
    from registry.extensions import db

    rng = random.Random(seed)
    with app.app_context():
        subjects = db.session.execute(sa.text(
            "SELECT identifier, name, kind FROM subjects WHERE kind <> 'vehicle' ORDER BY id LIMIT :n"),
            {"n": count}).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header for column in COLUMNS])
    for index in range(count):
        identifier, name, kind = subjects[index % len(subjects)]
        values = {
            "kind": "行政处罚", "party_name": name,
            "party_category": "自然人" if kind == "person" else "法人及非法人组织",
            "party_identifier": identifier, "legal_representative": "" if kind == "person" else "张三",
            "decision_number": f"湘交执罚〔2026〕B{seed}-{index}号", "violation_type": "车辆超限超载运输",
            "violation_facts": "经检测，车货总质量超过限定标准。", "legal_basis": "《公路安全保护条例》第六十四条",
            "penalty_type": "罚款", "penalty_content": "罚款人民币五千元",
            "fine_amount": f"{rng.randrange(1, 50) / 10}",
            "severity": "一般", "decision_date": "2026-09-30", "authority_name": "湖南省交通运输厅",
            "authority_uscc": "11430000006142384X", "source_unit_name": "湖南省交通运输厅运输处",
        }
        writer.writerow([values.get(column.key, "") for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def disclosure_import(app, rows: int = 10_000) -> dict:
    from registry.accounts.models import Unit, User
    from registry.disclosures.imports import import_disclosures
    from registry.extensions import db

    data = _import_rows(app, rows, seed=int(time.time()))
    with app.app_context(), app.test_request_context():
        clerk = db.session.scalar(sa.select(User).where(User.email == "gen-clerk.ysc@bench.invalid"))
        unit = db.session.get(Unit, clerk.unit_id)
        started = time.perf_counter()
        result = import_disclosures(data, "bench.csv", unit_id=unit.id, actor=clerk)
        db.session.commit()
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 2), "imported": len(result.ids),
            "new_subjects": result.new_subjects}


def documents(app, today) -> dict:
    from registry.documents.operations import document_pdf
    from registry.extensions import db
    from registry.listing.models import ListEntry
    from registry.readmodel.report import credit_report_pdf

    with app.app_context(), app.test_request_context():
        entries = list(db.session.scalars(
            sa.select(ListEntry).where(ListEntry.status == "published").order_by(ListEntry.id).limit(6)))
        notice = []
        for entry in entries:
            started = time.perf_counter()
            data, _document = document_pdf("list_entry", entry)
            notice.append((time.perf_counter() - started) * 1000)
            assert data.startswith(b"%PDF")
        identifiers = [entry.subject.identifier for entry in entries]
        report = []
        for identifier in identifiers:
            started = time.perf_counter()
            data, _document = credit_report_pdf(identifier)
            report.append((time.perf_counter() - started) * 1000)
        db.session.commit()
    return {"notice_first_ms": round(notice[0], 1), "notice_warm_median_ms": round(statistics.median(notice[1:]), 1),
            "report_first_ms": round(report[0], 1), "report_warm_median_ms": round(statistics.median(report[1:]), 1)}


WORKBENCH_ROLES = ("clerk", "reviewer", "auditor", "admin")


def _workbench_user(role: str):
    """An officer made for the measurement: a clerk or reviewer of the unit with the most list
    entries (the busiest workbench), an auditor or admin of the first unit."""
    from registry.accounts.models import Unit, User
    from registry.extensions import db

    email = f"bench-{role}@bench.hn"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        unit_id = db.session.scalar(sa.select(Unit.id).order_by(Unit.id).limit(1))
        if role in ("clerk", "reviewer"):
            unit_id = db.session.scalar(sa.text(
                "SELECT unit_id FROM list_entries GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1"))
        user = User(email=email, name=f"bench {role}", unit_id=unit_id, role=role, password_hash="!")
        db.session.add(user)
    return user


def workbench(app, repeat: int = 20) -> dict:
    """``GET /workbench`` for each role, signed in through the form (p50/p95 of ``repeat`` after a warm-up)."""
    from registry.extensions import db

    password = "bench-workbench-password-2026"
    app.config["WTF_CSRF_ENABLED"] = False  # the sign-in below posts the form without a page
    result = {}
    for role in WORKBENCH_ROLES:
        with app.app_context():
            user = _workbench_user(role)
            user.set_password(password)
            email = user.email
            db.session.commit()
            db.session.remove()
        client = app.test_client()
        signed_in = client.post("/login", data={"email": email, "password": password})
        assert signed_in.status_code == 302, signed_in.status_code

        def once(client=client):
            response = client.get("/workbench")
            assert response.status_code == 200, response.status_code

        result[role] = summary(timed(once, repeat, warmup=2))
        if role == "reviewer":  # the old landing page (one query), for a ratio that survives a busy machine
            result["alerts_page"] = summary(timed(lambda client=client: client.get("/dashboard"), repeat, warmup=2))
    result["max_p50"] = max(result[role]["p50"] for role in WORKBENCH_ROLES)
    return result
