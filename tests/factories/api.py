"""Factories for API keys."""

from __future__ import annotations

from registry.accounts.apikeys import issue_key


class ApiFactories:
    db: object

    def api_key(self, scopes=("credit:read", "changes:read", "report:read"), rate: str = "1000/minute",
                name: str = "收费系统"):
        """An issued key: ``(row, raw key)``."""
        return issue_key(name=name, scopes=scopes, rate_limit=rate)
