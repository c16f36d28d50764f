"""The API's tables live with the accounts (``registry.accounts.apikeys``); importing them here
registers them when the application loads the ``api`` package."""

from registry.accounts.apikeys import ApiKey, ApiRequestLog

__all__ = ["ApiKey", "ApiRequestLog"]
