"""A local webhook receiver for the watchlist tests and benchmark: an http.server in a thread.

Each request is recorded (headers, body, the answer given); ``respond(body) -> int | "hang"``
decides the answer (``"hang"`` holds the request for ``hang_seconds`` before answering 200).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, respond=None, hang_seconds: float = 1.5):
        self.respond = respond or (lambda body: 204)
        self.hang_seconds = hang_seconds
        self.requests: list[dict] = []
        self.sink = None  # called with each request instead of keeping it, when set
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections open between requests

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw)
                answer = receiver.respond(body)
                if answer == "hang":
                    time.sleep(receiver.hang_seconds)
                    answer = 200
                entry = {"headers": dict(self.headers.items()), "raw": raw, "body": body, "status": answer}
                with receiver._lock:
                    if receiver.sink is not None:
                        receiver.sink(entry)
                    else:
                        receiver.requests.append(entry)
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/registry"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def delivered(self) -> list[dict]:
        """The requests answered 2xx, in the order they arrived."""
        return [r for r in self.requests if 200 <= r["status"] < 300]


def closed_port_url() -> str:
    """An address on this machine where nothing listens (a refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def main() -> None:
    """``python -m tests.watch_receiver FILE``: a receiver in a process of its own (the benchmark's).

    Prints its URL, appends each request (headers and body) as a JSON line to FILE, and stops when
    its standard input closes.
    """
    import base64
    import sys

    out = open(sys.argv[1], "a", encoding="utf-8")  # noqa: SIM115 (open for the process's life)
    receiver = Receiver()
    receiver.sink = lambda entry: out.write(json.dumps({
        "headers": entry["headers"], "raw": base64.b64encode(entry["raw"]).decode(), "status": entry["status"]}) + "\n")
    with receiver:
        print(receiver.url, flush=True)
        sys.stdin.read()
    out.close()


if __name__ == "__main__":
    main()
