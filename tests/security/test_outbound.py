"""Outbound requests go to public addresses only, unless the allow-list names the network
: webhook endpoints set by an administrator and exchange delivery URLs, judged by
the addresses their hosts resolve to, when set and again at each connection (DNS rebinding), and
never by following a redirect.

The address classes are those of the IANA special-purpose registries (RFC 6890 and the RFCs it
names), written out here; name resolution is replaced by a table of the test's own.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.core import outbound
from registry.exchange import batches
from registry.exchange.models import BatchStatus
from registry.watch import delivery, operations
from registry.watch.models import Delivery, DeliveryStatus, WatchEndpoint
from tests.watch_receiver import Receiver

PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.254", "private"), ("192.168.1.1", "private"),
    ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),  # the cloud metadata address among them
    ("100.100.100.200", "shared"), ("100.64.0.1", "shared"),  # RFC 6598; Alibaba Cloud's metadata service
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    # IPv6 forms carrying an IPv4 address: judged by it
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"), ("2002:7f00:1::", "loopback"),
    ("64:ff9b::a9fe:a9fe", "link-local"), ("64:ff9b::a00:1", "private"),
])
def test_internal_addresses_are_named_for_what_they_are(address, reason):
    assert outbound.why_not_public(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "240.0.0.1",
                                     "255.255.255.255", "2001:db8::1", "fec0::1"])
def test_documentation_benchmark_and_reserved_ranges_are_not_public_either(address):
    assert outbound.why_not_public(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "114.114.114.114", "223.5.5.5", "8.8.8.8",
                                     "2400:3200::1", "64:ff9b::808:808"])
def test_public_addresses_pass(address):
    assert outbound.why_not_public(ipaddress.ip_address(address)) is None


@pytest.fixture
def dns(monkeypatch):
    """The test's own name table: ``dns["host"] = [addresses]`` (a missing name does not resolve)."""
    table: dict[str, list[str]] = {}
    system = outbound.lookup

    def lookup(host, port):
        if host in table:
            return list(table[host])
        if host.endswith((".cn", ".hn", ".test")):
            raise outbound.socket.gaierror("no such name")
        return system(host, port)  # literal addresses (in any form the resolver reads), localhost

    monkeypatch.setattr(outbound, "lookup", lookup)
    return table


@pytest.fixture
def admin_page(client, login, make):
    key, _raw, _ = make.watcher(url="https://bidding.example.cn/hooks")
    login("admin", unit="FGC")

    def post(url):
        return client.post(f"/admin/watch/{key.id}?lang=en", data={"url": url})

    return key, post


INTERNAL_URLS = [
    ("http://127.0.0.1:8080/hooks", "127.0.0.1"), ("http://localhost/hooks", None), ("http://[::1]/", "::1"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"), ("http://100.100.100.200/", "100.100.100.200"),
    ("https://10.0.0.5/hooks", "10.0.0.5"), ("http://192.168.1.20/", "192.168.1.20"),
    ("http://2130706433/", "127.0.0.1"), ("http://0x7f.1/", "127.0.0.1"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
    ("http://0.0.0.0:5000/", "0.0.0.0"), ("https://intranet.partner.cn/hooks", "10.8.0.3"),
    ("https://both.partner.cn/hooks", "172.20.1.1"),
]


@pytest.mark.parametrize(("url", "address"), INTERNAL_URLS)
def test_an_internal_endpoint_is_refused_at_the_field(admin_page, dns, db, url, address):
    dns["intranet.partner.cn"] = ["10.8.0.3"]
    dns["both.partner.cn"] = [PUBLIC, "172.20.1.1"]  # one internal address is enough to refuse
    key, post = admin_page
    response = post(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "OUTBOUND_ALLOWED_NETWORKS" in body
    if address:
        assert f"resolves to {address}" in body
    assert db.session.get(WatchEndpoint, key.id).url == "https://bidding.example.cn/hooks"  # unchanged


def test_a_name_that_does_not_resolve_is_refused(admin_page, dns, db):
    key, post = admin_page
    response = post("https://no-such-host.partner.cn/hooks")
    assert response.status_code == 400 and "cannot be resolved" in response.get_data(as_text=True)
    assert db.session.get(WatchEndpoint, key.id).url == "https://bidding.example.cn/hooks"


def test_the_allow_list_opens_only_the_networks_it_names(app, admin_page, dns, db, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["10.20.0.0/16"])
    dns["hooks.zwww.hn"] = ["10.20.3.4"]
    key, post = admin_page
    assert post("https://hooks.zwww.hn/credit").status_code == 200
    assert db.session.get(WatchEndpoint, key.id).url == "https://hooks.zwww.hn/credit"
    assert post("https://10.21.0.1/credit").status_code == 400
    assert post("http://127.0.0.1/credit").status_code == 400


# --- at send time ----------------------------------------------------------------------------------

@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _queue_test_event(make, url):
    key, _raw, _ = make.watcher(url=url)
    operations.queue_test_event(key, actor=make.user("admin", unit="FGC"))


def test_a_name_rebound_to_loopback_after_it_was_saved_is_not_sent_to(app, make, db, dns, receiver):
    port = receiver.server.server_address[1]
    dns["hooks.partner.cn"] = [PUBLIC]  # when the administrator saves it
    _queue_test_event(make, f"http://hooks.partner.cn:{port}/hooks")
    dns["hooks.partner.cn"] = ["127.0.0.1"]  # when the scheduler sends: where the receiver listens
    assert delivery.deliver_round() == {"delivered": 0, "retrying": 1, "given_up": 0}
    row = db.session.scalar(sa.select(Delivery))
    assert row.status is DeliveryStatus.PENDING and "refused destination" in row.last_error
    assert "127.0.0.1" in row.last_error and receiver.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(app, make, db, dns, receiver, monkeypatch):
    """The name exists only in the test's table: the sender connects to what the check resolved,
    not to a resolution of its own (which would fail, or could answer differently)."""
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["127.0.0.0/8"])
    port = receiver.server.server_address[1]
    dns["hooks.local.test"] = ["127.0.0.1"]
    _queue_test_event(make, f"http://hooks.local.test:{port}/hooks")
    assert delivery.deliver_round()["delivered"] == 1
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.local.test:{port}"


class Redirecting(BaseHTTPRequestHandler):
    """Answers every POST with a redirect to ``target`` (a second server that records any visit)."""

    target = ""
    visits: list = []

    def do_POST(self):
        if self.path.startswith("/landing"):
            Redirecting.visits.append(self.path)
            self.send_response(200)
        else:
            self.send_response(307)
            self.send_header("Location", Redirecting.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def redirecting(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["127.0.0.0/8"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Redirecting.target, Redirecting.visits = f"http://127.0.0.1:{server.server_port}/landing", []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_notification_does_not_follow_a_redirect(make, db, redirecting):
    _queue_test_event(make, f"{redirecting}/hooks")
    assert delivery.deliver_round()["retrying"] == 1
    assert "HTTP 307" in db.session.scalar(sa.select(Delivery)).last_error and Redirecting.visits == []


def test_an_exchange_delivery_does_not_follow_a_redirect(app, db, make, redirecting, monkeypatch):
    monkeypatch.setitem(app.config, "EXCHANGE_URL", f"{redirecting}/batches")
    make.change_event()
    batch = batches.build_batch(2026, 10).batch
    assert batches.deliver_batch(batch) is False
    assert "HTTP 307" in batch.last_error and "not followed" in batch.last_error and Redirecting.visits == []


def test_an_exchange_url_on_an_internal_address_is_not_delivered_to(app, db, make, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "EXCHANGE_URL", f"http://127.0.0.1:{receiver.server.server_address[1]}/in")
    batch = batches.build_batch(2026, 10).batch
    assert batches.deliver_batch(batch) is False
    assert batch.status is BatchStatus.FAILED and "refused destination" in batch.last_error
    assert receiver.requests == []


@pytest.mark.parametrize("allowed", ["10.0.0.0/8", ["not a network"], ["10.0.0.0/8", 42.5]])
def test_a_bad_allow_list_stops_the_start(allowed):
    with pytest.raises(RuntimeError, match="OUTBOUND_ALLOWED_NETWORKS"):
        create_app({"SECRET_KEY": "outbound", "DATABASE_URL": "sqlite://", "OUTBOUND_ALLOWED_NETWORKS": allowed})
