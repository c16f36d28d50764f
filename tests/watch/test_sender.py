"""The sender keeps connections to an endpoint open, and survives a receiver closing an idle one."""

from __future__ import annotations

import ipaddress
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from registry.core import outbound
from registry.watch.delivery import Message
from registry.watch.sender import Sender


class KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    ports: list = []
    close_after = False  # drop the connection after answering, without saying so (as an idle timeout does)

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        KeepAlive.ports.append(self.client_address[1])
        self.send_response(204)
        self.end_headers()
        if KeepAlive.close_after:
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    KeepAlive.ports, KeepAlive.close_after = [], False
    yield f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()
    server.server_close()


def messages(url: str, count: int) -> list[Message]:
    return [Message(n, url, f"msg_{n}", json.dumps({"n": n}), ("whsec_" + "A" * 32,)) for n in range(count)]


def sender() -> Sender:
    return Sender(1, 2, outbound.Destinations((ipaddress.ip_network("127.0.0.0/8"),)))


def test_messages_to_one_endpoint_share_one_connection(endpoint):
    with sender() as kept:
        assert [kept.post(m) for m in messages(endpoint, 3)] == [None, None, None]
    assert len(KeepAlive.ports) == 3 and len(set(KeepAlive.ports)) == 1


def test_a_connection_the_receiver_dropped_is_replaced(endpoint):
    KeepAlive.close_after = True
    with sender() as kept:
        assert [kept.post(m) for m in messages(endpoint, 2)] == [None, None]
    assert len(set(KeepAlive.ports)) == 2  # each on a connection of its own, both delivered


def test_an_internal_address_is_refused_without_the_allow_list(endpoint):
    with Sender(1, 2, outbound.Destinations()) as strict:
        (error,) = strict.send_all(messages(endpoint, 1))
    assert "refused destination" in error and "127.0.0.1" in error and KeepAlive.ports == []
