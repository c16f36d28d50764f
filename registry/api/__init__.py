"""JSON API v1 for business systems (PRODUCT §11): credit checks, the change feed, its OpenAPI document,
and the API keys that open it."""
