"""Mechanisms that every domain package shares.  Nothing here imports a domain package."""
