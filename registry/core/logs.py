"""Log output: plain text for people, or one JSON object a line for a log collector (LOG_FORMAT=json).

Every request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one, else a new one),
answered in the ``X-Request-ID`` header and carried by every line logged while the request runs:
its access line (method, path, status, duration, client) and any error it raised.  gunicorn's own
lines take the same form through ``gunicorn_logconfig`` (``registry/gunicorn_config.py``).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

LOG_FORMATS = ("text", "json")
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# A resident ID number in a path (the API's /credit/<identifier>) is masked as on every public page;
# query strings (the lookup's ?q=) are not logged at all.
_RESIDENT_ID = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
access_log = logging.getLogger("registry.access")


def loggable_path() -> str:
    return _RESIDENT_ID.sub(r"\1********\2", request.path)


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, process, the request (its
    id, method, path and client), an access line's status and duration, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if has_request_context():
            entry.update(method=request.method, path=loggable_path(), client=request.remote_addr,
                         request_id=request_id())
        for field in ("status", "duration_ms"):
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """People's format, with the request id on every line logged during a request."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        identifier = request_id()
        return f"{line} [request {identifier}]" if identifier and record.name != access_log.name else line


class _JsonHandler(logging.StreamHandler):
    """The handler LOG_FORMAT=json installs (a class of its own, so it is installed only once)."""


TEXT_FORMAT = "%(levelname)s:%(name)s:%(message)s"


def configure_logging(log_format: str, level: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("registry").setLevel(level)
    root = logging.getLogger()
    if log_format != "json":
        for handler in root.handlers:
            if type(handler) is logging.StreamHandler and type(handler.formatter) is logging.Formatter:
                handler.setFormatter(TextFormatter(TEXT_FORMAT))
        return
    logging.captureWarnings(True)  # a Python warning is a log line like any other, not plain text
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:  # basicConfig's text handler: replaced, not doubled
            root.removeHandler(handler)
    if not any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        handler = _JsonHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)


def _start_request() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _log_access(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    access_log.info("%s %s %s %sms client=%s request_id=%s", request.method, loggable_path(),
                    response.status_code, duration, request.remote_addr, g.get("request_id"),
                    extra={"status": response.status_code, "duration_ms": duration})
    return response


def init_request_logging(app: Flask) -> None:
    """An id for every request and an access line when it is answered (``ACCESS_LOG``: off for
    benchmarks that measure the bare request)."""
    app.before_request(_start_request)
    if app.config.get("ACCESS_LOG", True):
        app.after_request(_log_access)


def gunicorn_logconfig(log_format: str) -> dict:
    """gunicorn's ``logconfig_dict``: its own lines (start, workers, timeouts) as JSON on stderr; its
    access log off (the application writes one line per request, with the request id)."""
    if log_format != "json":
        return {}
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "registry.core.logs.JsonFormatter"}},
        "handlers": {"json": handler},
        "root": {"level": "WARNING", "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
