"""Watchlists of API keys and the signed change notifications sent to their endpoints."""
