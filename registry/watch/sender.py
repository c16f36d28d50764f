"""Sending signed notifications over HTTP(S) with httpcore (the connection pool under httpx).

A ``Sender`` has a few threads (``WATCH_DELIVERY_WORKERS``) sharing one httpcore connection pool,
which keeps connections to each endpoint open between messages (HTTP/1.1 keep-alive) and drops
those the receiver closed while idle.  A message that fails because the receiver closed a kept
connection before answering is sent once more (a repeat is harmless: at least once, same
``webhook-id``).  Redirects are not followed (httpcore never does): the administrator sets the
exact address.  Each new connection goes only to an address ``core.outbound`` allows, resolved
and checked then, and is made to that address (``_CheckedBackend``); TLS still names and verifies
the host.
"""

from __future__ import annotations

import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpcore
from standardwebhooks.webhooks import Webhook

from registry.core import outbound

USER_AGENT = "hunan-transport-credit-registry/1 (watchlist notifications)"
MAX_ERROR = 500


def signed_headers(message_id: str, body: str, secrets: str | tuple[str, ...], timestamp: int) -> dict[str, str]:
    """The Standard Webhooks headers (each signature by the ``standardwebhooks`` package): one
    signature per secret, space-separated, as the standard allows during a rotation."""
    sent_at = datetime.fromtimestamp(timestamp, UTC)
    signatures = [Webhook(secret).sign(message_id, sent_at, body)
                  for secret in ((secrets,) if isinstance(secrets, str) else secrets)]
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": " ".join(signatures)}


class _CheckedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to addresses ``core.outbound`` just checked
    (never to a second resolution of the name: DNS rebinding)."""

    def __init__(self, rule: outbound.Destinations):
        self.rule = rule

    def connect_tcp(self, host: str, port: int, timeout=None, local_address=None, socket_options=None):
        error: Exception | None = None
        for address in self.rule.resolve(host, port):  # RefusedDestination for a non-public one
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as failed:  # the next address, as socket.create_connection does
                error = failed
        raise error  # resolve() returned at least one address


def _error(error: Exception, timeout: float) -> str:
    if isinstance(error, httpcore.TimeoutException):
        return f"no answer within {timeout:g} s"
    causes = (error, error.__cause__, error.__context__, *error.args)  # httpcore wraps the socket's error
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "connection refused"
    return f"{type(error).__name__}: {error}"[:MAX_ERROR]


class Sender:
    def __init__(self, workers: int, timeout: float, destinations: outbound.Destinations):
        self.timeout = timeout
        self.destinations = destinations  # read from the app's configuration: the threads have no app context
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="watch-sender")
        self._connections = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(), max_connections=max(1, workers) * 4,
            network_backend=_CheckedBackend(destinations), retries=0)

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._connections.close()

    def send_all(self, messages) -> list[str | None]:
        """For each message (in order): None when the endpoint answered 2xx, else what went wrong."""
        return list(self._pool.map(self.post, messages))

    def post(self, message) -> str | None:
        """Send one message (signed now, by the wall clock the receiver checks against)."""
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   **signed_headers(message.message_id, message.body, message.secrets, int(time.time()))}
        timeouts = dict.fromkeys(("connect", "read", "write", "pool"), self.timeout)
        for attempt in range(2):
            try:
                response = self._connections.request("POST", message.url, headers=headers,
                                                     content=message.body.encode("utf-8"),
                                                     extensions={"timeout": timeouts})
            except httpcore.RemoteProtocolError as error:
                if attempt == 0:
                    continue  # the receiver closed a kept connection before answering: once more
                return _error(error, self.timeout)
            except (httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError,
                    httpcore.UnsupportedProtocol, OSError) as error:
                return _error(error, self.timeout)
            if 200 <= response.status < 300:
                return None
            reason = response.extensions.get("reason_phrase", b"").decode("latin-1")
            return f"HTTP {response.status} {reason}".strip()[:MAX_ERROR]
        return "the receiver closed the connection twice"
