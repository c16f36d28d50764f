"""The name search over HTTP, every class of query: the public page and the officers' search.

One gunicorn worker (``gthread`` as deployed, a kept-alive connection), queries interleaved one by one and
repeated, as the issue measured them.  The classes: one and two characters present and absent,
three to five characters, rare pieces of names (a few hits, picked from the data set with the
seed), four characters absent.  Before timing, every query's class is checked against the data
(absent queries have no match, present ones some), and every answer is checked: each listed name
contains the query, and the page shows at least min(20, matches) rows.
"""

from __future__ import annotations

import html
import http.client
import os
import random
import re
import signal
import subprocess
import sys
from time import perf_counter as _now
from urllib.parse import quote

import sqlalchemy as sa

from benchmarks.dataset import CONFIG, anchor_file, make_app
from benchmarks.load import ROOT, WORKER_OPTIONS, _free_port, _wait_ready
from benchmarks.measure import percentile

CLASSES = {
    "1 char, present": ["湘", "运", "王", "桥"],
    "1 char, absent": ["猫", "琴", "鳄", "龘"],
    "2 chars, present": ["长沙", "运输", "物流", "王伟"],
    "2 chars, absent": ["猫狗", "桥湘", "流运", "限长"],
    "3-5 chars": ["有限公司", "湘江物流", "隧道工程", "汽车运输", "危险货物"],
    "rare pieces": [],  # filled from the data set
    "4 chars, absent": ["不存在的", "量子计算", "北京故宫", "猫狗鱼鸟"],
}
USER_AGENT = "registry-benchmark"
_ROW = {"public": re.compile(r'<li>\s*<a href="/subjects/\d+">(.*?)</a>', re.S),
        "officer": re.compile(r'<tr><td><a href="/officer/subjects/\d+">(.*?)</a>')}
_COUNT = re.compile(r'<p class="match-count">(.*?)</p>', re.S)


def _name_count(connection, query: str) -> int:
    position = "instr(name, :q)" if connection.dialect.name == "sqlite" else "strpos(name, :q)"
    return connection.execute(sa.text(f"SELECT count(*) FROM subjects WHERE {position} > 0"), {"q": query}).scalar()


def _rare_pieces(connection, seed: int, wanted: int = 4) -> dict[str, int]:
    """Pieces of organisations' names (the name without its legal suffix) with 1 to 16 matches."""
    rng = random.Random(seed)
    top = connection.execute(sa.text("SELECT max(id) FROM subjects")).scalar()
    found: dict[str, int] = {}
    for _attempt in range(60):
        name = connection.execute(sa.text("SELECT name FROM subjects WHERE id >= :id AND kind = 'organisation' "
                                          "ORDER BY id LIMIT 1"), {"id": rng.randrange(1, top + 1)}).scalar()
        stem = (name or "").split("有限")[0].split("股份")[0].split("集团")[0]
        if len(stem) >= 6 and 1 <= (count := _name_count(connection, stem)) <= 16:
            found[stem] = count
        if len(found) == wanted:
            break
    return found


def query_classes(url: str, seed: int) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The classes with their queries, each checked against the data; and how many names match each."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            classes = {label: list(queries) for label, queries in CLASSES.items()}
            rare = _rare_pieces(connection, seed)
            classes["rare pieces"] = list(rare)
            counts = dict(rare)
            for label, queries in classes.items():
                for query in queries:
                    counts.setdefault(query, _name_count(connection, query))
                    if ("absent" in label) != (counts[query] == 0):
                        raise SystemExit(f"search benchmark: {query!r} does not fit its class {label!r} "
                                         f"({counts[query]} names)")
    finally:
        engine.dispose()
    return classes, counts


def officer_cookie(url: str) -> str:
    """A signed session cookie of one of the data set's clerks (their passwords are unusable)."""
    from registry.extensions import db, login_manager

    app = make_app(url)
    with app.app_context():
        user = db.session.execute(sa.text("SELECT id, session_version FROM users WHERE role = 'clerk' "
                                          "AND is_active ORDER BY id LIMIT 1")).one()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                  headers={"User-Agent": USER_AGENT}):
        session = {"_user_id": f"{user.id}:{user.session_version}", "_fresh": True,
                   "_id": login_manager._session_identifier_generator()}
        return app.session_interface.get_signing_serializer(app).dumps(session)


def _check(page: str, body: str, query: str, matches: int) -> None:
    """Each row contains the query (ASCII case folded, as LIKE on SQLite) and no fewer than
    min(20, matches) rows — ``matches`` counts every name; the public page shows public ones only."""
    rows = [html.unescape(row) for row in _ROW[page].findall(body)]
    assert all(query.lower() in row.lower() for row in rows), (page, query, rows[:3])
    assert _COUNT.search(body), (page, query, "no count shown")
    if matches == 0:
        assert not rows, (page, query)
    if page == "officer":
        assert len(rows) >= min(50, matches), (page, query, len(rows), matches)


def _serve(url: str, root: str, worker_class: str):
    port = _free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_AUDIT_ANCHOR_FILE": anchor_file(url),
           "REGISTRY_SECRET_KEY": CONFIG["SECRET_KEY"],
           "REGISTRY_RATELIMIT_PUBLIC": CONFIG["RATELIMIT_PUBLIC"], "REGISTRY_LOG_LEVEL": "WARNING"}
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--workers", "1",
               *WORKER_OPTIONS[worker_class], "--no-control-socket", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=root, env=env, start_new_session=True)
    _wait_ready(port)
    return server, port


def search_http(url: str, seed: int, *, repeat: int = 10, root: str = ROOT, worker_class: str = "gthread") -> dict:
    """p50/p95 per class and page (ms, over HTTP); the worst class's p95 is the headline."""
    return compare_http({"registry": (url, root, worker_class, True)}, seed, repeat=repeat)["registry"]


def _get(connection, page: str, query: str, cookie: str) -> tuple[float, str]:
    headers = {"User-Agent": USER_AGENT}
    if page == "officer":
        headers["Cookie"] = f"session={cookie}"
    path = ("/?q=" if page == "public" else "/officer/subjects/?q=") + quote(query)
    started = _now()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
    except http.client.RemoteDisconnected:  # the server closed an idle kept-alive connection: ask again
        connection.close()
        started = _now()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
    body = response.read().decode()
    elapsed = (_now() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"search benchmark: {page} {query!r} answered {response.status}")
    return elapsed, body


def compare_http(targets: dict[str, tuple[str, str, str, bool]], seed: int, *, repeat: int = 10) -> dict:
    """Several servers (name: url, code root, worker class, check answers) asked the same queries,
    interleaved query by query, so that a busy machine slows them alike."""
    first_url = next(iter(targets.values()))[0]
    classes, counts = query_classes(first_url, seed)
    cookie = officer_cookie(first_url)
    servers = {name: _serve(url, root, worker) for name, (url, root, worker, _check_answers) in targets.items()}
    samples: dict[str, dict] = {name: {} for name in targets}
    try:
        connections = {name: http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                       for name, (_server, port) in servers.items()}
        for run in range(repeat + 1):  # the first round warms the workers and is not counted
            for label, queries in classes.items():
                for query in queries:
                    for page in ("public", "officer"):
                        for name, connection in connections.items():
                            elapsed, body = _get(connection, page, query, cookie)
                            if run == 0 and targets[name][3]:
                                _check(page, body, query, counts[query])
                            if run:
                                samples[name].setdefault((page, label), []).append(elapsed)
    finally:
        for server, _port in servers.values():
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return {name: _summarise(samples[name], classes, counts) for name in targets}


def _summarise(samples, classes, counts) -> dict:
    figures: dict = {"classes": {}, "queries": {label: {q: counts[q] for q in queries}
                                                for label, queries in classes.items()}}
    for (page, label), values in samples.items():
        figures["classes"].setdefault(page, {})[label] = {"p50": round(percentile(values, 50), 2),
                                                          "p95": round(percentile(values, 95), 2)}
    worst = max(((page, label, f["p95"]) for page, by in figures["classes"].items() for label, f in by.items()),
                key=lambda item: item[2])
    figures["worst"] = {"page": worst[0], "class": worst[1], "p95": worst[2]}
    figures["p95"] = worst[2]
    figures["p50"] = max(f["p50"] for by in figures["classes"].values() for f in by.values())
    return figures


def search_markdown(by_dialect: dict[str, dict | None]) -> list[str]:
    """Lines of the name search's table: p50 / p95 per class and page, per dialect."""
    measured = {dialect: figures for dialect, figures in by_dialect.items() if figures}
    if not measured:
        return []
    dialects = list(measured)
    ratio = dialects == ["sqlite", "postgresql"]  # the measure: PostgreSQL within 2× of SQLite
    header = dialects + (["PostgreSQL ÷ SQLite"] if ratio else [])
    lines = ["", "Name search over HTTP (one gthread worker), p50 / p95 ms per class:", "",
             "| page | class | " + " | ".join(header) + " |", "|---|---|" + "---|" * len(header)]
    first = measured[dialects[0]]["classes"]
    for page, by_class in first.items():
        for label in by_class:
            figures = [measured[dialect]["classes"].get(page, {}).get(label) for dialect in dialects]
            cells = ["—" if figure is None else f"{figure['p50']:g} / {figure['p95']:g}" for figure in figures]
            if ratio and None not in figures:
                sqlite, postgres = figures
                cells.append(f"{postgres['p50'] / sqlite['p50']:.1f} / {postgres['p95'] / sqlite['p95']:.1f}")
            lines.append(f"| {page} | {label} | " + " | ".join(cells) + " |")
    for dialect in dialects:
        worst = measured[dialect]["worst"]
        lines.append(f"\n{dialect}: worst class {worst['page']} {worst['class']!r}, p95 {worst['p95']:g} ms.")
    return lines
