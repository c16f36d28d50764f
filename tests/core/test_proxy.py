"""Behind a real nginx: each client keeps its own address.

The app is served on one loopback port and Debian's nginx, started by the test with the headers
the README's deployment section documents, proxies to it from another.  Clients connect to nginx
from different loopback addresses (127.0.0.2, 127.0.0.3: all of 127/8 is the loopback on Linux),
so the app's peer is always nginx and only the forwarded headers can tell the clients apart.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import request as flask_request

from registry import create_app
from registry.core.audit import AuditEvent
from registry.extensions import db
from tests.served import request, served_app, session_cookie

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
OPENSSL = shutil.which("openssl")
README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.skipif(NGINX is None, reason="Debian's nginx package is not installed")

# The forwarding lines of the README's nginx example, used verbatim below.
FORWARDING = (
    "proxy_set_header Host $host;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not start listening")


@pytest.fixture
def nginx(tmp_path):
    """``start(app_port)`` runs nginx in front of the app; returns (http port, https port or None)."""
    processes = []

    def start(app_port: int):
        http_port, https_port = _free_port(), _free_port()
        tls = ""
        if OPENSSL:
            subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                            "/CN=127.0.0.1", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                           check=True, capture_output=True)
            tls = (f"listen 127.0.0.1:{https_port} ssl; ssl_certificate {tmp_path / 'cert.pem'}; "
                   f"ssl_certificate_key {tmp_path / 'key.pem'};")
        temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in
                        ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (tmp_path / "nginx.conf").write_text(f"""
            worker_processes 1;
            pid {tmp_path / 'nginx.pid'};
            error_log {tmp_path / 'error.log'};
            events {{ worker_connections 64; }}
            http {{
                access_log off;
                {temp}
                server {{
                    listen 127.0.0.1:{http_port};
                    {tls}
                    location / {{
                        proxy_pass http://127.0.0.1:{app_port};
                        {' '.join(FORWARDING)}
                    }}
                }}
            }}
        """)
        process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                    "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        _wait_for(http_port, process, tmp_path / "error.log")
        return http_port, https_port if OPENSSL else None

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=15)


def _with_echo(app):
    """A test-only page that shows what the app believes about the client."""

    def echo():
        return {"address": flask_request.remote_addr, "scheme": flask_request.scheme}

    app.add_url_rule("/_test/client", "test_client_echo", echo)


def _bad_sign_in(port: int, source: str, email: str):
    return request(port, "POST", "/login", form={"email": email, "password": "not-the-password"}, source=source)


def test_documented_nginx_config_sets_the_forwarding_headers():
    text = README.read_text(encoding="utf-8")
    for line in FORWARDING:
        assert line in text
    assert "REGISTRY_TRUSTED_PROXIES=1" in text


def test_each_client_behind_nginx_has_its_own_address_limit_and_audit(tmp_path, nginx):
    with served_app(tmp_path, TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute") as served:
        _with_echo(served.app)
        port, _ = nginx(served.port)

        seen = json.loads(request(port, "GET", "/_test/client", source="127.0.0.2").text)
        assert seen == {"address": "127.0.0.2", "scheme": "http"}
        # A client's own X-Forwarded-For is not believed: nginx appends the real peer, and only
        # that last entry (one trusted proxy) is read.
        spoofed = request(port, "GET", "/_test/client", source="127.0.0.3",
                          headers={"X-Forwarded-For": "10.9.8.7", "X-Forwarded-Proto": "https"})
        assert json.loads(spoofed.text) == {"address": "127.0.0.3", "scheme": "http"}

        email = served.emails[0]
        assert [_bad_sign_in(port, "127.0.0.2", email).status for _ in range(3)] == [200, 200, 429]
        # Another client behind the same proxy is not limited by the first one's attempts.
        assert _bad_sign_in(port, "127.0.0.3", email).status == 200

        with served.app.app_context():
            clients = db.session.scalars(
                sa.select(AuditEvent.details).where(AuditEvent.action == "auth.failed").order_by(AuditEvent.id)
            ).all()
            db.session.remove()
        assert [json.loads(details)["client"] for details in clients] == ["127.0.0.2", "127.0.0.2", "127.0.0.3"]


def test_without_trusted_proxies_the_forwarded_headers_are_ignored(tmp_path, nginx):
    with served_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute") as served:
        _with_echo(served.app)
        port, _ = nginx(served.port)
        seen = json.loads(request(port, "GET", "/_test/client", source="127.0.0.2").text)
        assert seen == {"address": "127.0.0.1", "scheme": "http"}  # nginx's own address
        email = served.emails[0]
        assert [_bad_sign_in(port, "127.0.0.2", email).status for _ in range(2)] == [200, 200]
        assert _bad_sign_in(port, "127.0.0.3", email).status == 429  # everyone shares nginx's limit


@pytest.mark.skipif(OPENSSL is None, reason="openssl is needed for the TLS certificate")
def test_the_scheme_comes_from_the_proxy(tmp_path, nginx):
    with served_app(tmp_path, TRUSTED_PROXIES=1) as served:
        _with_echo(served.app)
        _, https_port = nginx(served.port)
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        import http.client

        connection = http.client.HTTPSConnection("127.0.0.1", https_port, context=context, timeout=30)
        try:
            connection.request("GET", "/_test/client")
            seen = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        assert seen == {"address": "127.0.0.1", "scheme": "https"}


@pytest.mark.parametrize("value", [-1, "1", 1.5, True])
def test_trusted_proxies_must_be_a_whole_number(value):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app({"SECRET_KEY": "x", "TRUSTED_PROXIES": value})


def test_trusted_proxies_from_the_environment(monkeypatch):
    monkeypatch.setenv("REGISTRY_TRUSTED_PROXIES", "2")
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    assert app.config["TRUSTED_PROXIES"] == 2
    # The middleware in front of the app reads two forwarded hops.
    assert app.wsgi_app.x_for == 2 and app.wsgi_app.x_proto == 2


def test_behind_nginx_a_forged_forwarded_for_does_not_replay_a_stolen_session(tmp_path, nginx):
    """the session is bound to the address ProxyFix establishes (nginx's last entry),
    not to the first entry of X-Forwarded-For, which the thief writes himself."""
    agent = {"User-Agent": "Mozilla/5.0 victim-browser"}
    with served_app(tmp_path, TRUSTED_PROXIES=1) as served:
        port, _ = nginx(served.port)
        signed_in = request(port, "POST", "/login", source="127.0.0.2", headers=agent,
                            form={"email": served.emails[0], "password": "correct-horse-battery"})
        assert signed_in.status == 302
        cookie = session_cookie(signed_in)
        # The victim's own next request keeps the session.
        own = request(port, "GET", "/officer/subjects/", source="127.0.0.2", headers=agent, cookie=cookie)
        assert own.status == 200
        # The thief, from another address, names the victim's address and sends the victim's User-Agent.
        stolen = request(port, "GET", "/officer/subjects/", source="127.0.0.3", cookie=cookie,
                         headers={**agent, "X-Forwarded-For": "127.0.0.2"})
        assert stolen.status == 302 and "/login" in stolen.getheader("Location")
