"""Factories for watchlists: a key with the watch:write scope, watching identifiers, with an endpoint."""

from __future__ import annotations

from registry.accounts.apikeys import issue_key
from registry.watch import operations


class WatchFactories:
    db: object

    def watcher(self, *identifiers: str, url: str | None = None, scopes=("watch:write",)):
        """``(key row, raw key, signing secret or None)``; the endpoint is set when ``url`` is given."""
        key, raw = issue_key(name="招投标系统", scopes=scopes, rate_limit="10000/minute")
        if identifiers:
            operations.add_identifiers(key, list(identifiers))
        secret = None
        if url is not None:
            _endpoint, secret = operations.set_endpoint(key, url, actor=self.user("admin", unit="FGC"))
        self.db.session.flush()
        return key, raw, secret
