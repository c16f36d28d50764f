"""Sending signed notifications over HTTP(S): parallel senders that keep their connections open.

A ``Sender`` has a few threads (``WATCH_DELIVERY_WORKERS``); each keeps one connection per
endpoint open between messages (HTTP/1.1 keep-alive), as long as the receiver allows it.  A message
that fails on a kept connection before any answer (the receiver had closed it while idle) is sent
once more on a new connection; a repeat is harmless (at least once, same ``webhook-id``).
Redirects are not followed: the administrator sets the exact address.  Each new connection goes
only to an address ``core.outbound`` allows, resolved and checked then.
"""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from registry.core import outbound

USER_AGENT = "hunan-transport-credit-registry/1 (watchlist notifications)"
MAX_ERROR = 500
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def signed_headers(message_id: str, body: str, secret: str, timestamp: int) -> dict[str, str]:
    """The Standard Webhooks headers (the signature by the ``standardwebhooks`` package)."""
    signature = Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), body)
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


class Sender:
    def __init__(self, workers: int, timeout: float, destinations: outbound.Destinations):
        self.timeout = timeout
        self.destinations = destinations  # read from the app's configuration: the threads have no app context
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="watch-sender")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[http.client.HTTPConnection] = []

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        with self._lock:
            for connection in self._open:
                connection.close()
            self._open.clear()

    def send_all(self, messages) -> list[str | None]:
        """For each message (in order): None when the endpoint answered 2xx, else what went wrong."""
        return list(self._pool.map(self.post, messages))

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection to the endpoint of ``url``, and whether it was used before."""
        cache = self._local.__dict__.setdefault("connections", {})
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port)
        connection = cache.get(key)
        if connection is not None:
            return connection, True
        connection = outbound.connection(parts.scheme, parts.hostname, parts.port, self.timeout, self.destinations)
        cache[key] = connection
        with self._lock:
            self._open.append(connection)
        return connection, False

    def _drop(self, url: str) -> None:
        parts = urlsplit(url)
        connection = self._local.__dict__.get("connections", {}).pop((parts.scheme, parts.hostname, parts.port), None)
        if connection is not None:
            connection.close()

    def post(self, message) -> str | None:
        """Send one message (signed now, by the wall clock the receiver checks against)."""
        body = message.body.encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   **signed_headers(message.message_id, message.body, message.secret, int(time.time()))}
        parts = urlsplit(message.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        for _attempt in range(2):
            connection, reused = self._connection(message.url)
            try:
                connection.request("POST", target, body=body, headers=headers)
                response = connection.getresponse()
                response.read(64 * 1024)
            except _STALE as error:
                self._drop(message.url)
                if reused:
                    continue  # the receiver closed an idle kept connection: once more, on a new one
                return f"{type(error).__name__}: {error}"[:MAX_ERROR]
            except TimeoutError:
                self._drop(message.url)
                return f"no answer within {self.timeout:g} s"
            except ConnectionRefusedError:
                self._drop(message.url)
                return "connection refused"
            except (OSError, http.client.HTTPException) as error:
                self._drop(message.url)
                return f"{type(error).__name__}: {error}"[:MAX_ERROR]
            if response.will_close or not response.isclosed():  # closed by the receiver, or a body left unread
                self._drop(message.url)
            if 200 <= response.status < 300:
                return None
            return f"HTTP {response.status} {response.reason}"[:MAX_ERROR]
        return "the receiver closed the connection twice"
