# Copy to instance/config.py and adjust.  Environment variables REGISTRY_<NAME> win over this file.
# `make run` writes an instance/config.py with a fresh SECRET_KEY and AUDIT_HMAC_KEY on first run.

SECRET_KEY = "change-me: python -c 'import secrets; print(secrets.token_hex(32))'"
# Keys the audit chain (HMAC-SHA256).  Required; keep it out of the database and its backups, and
# keep a copy where the security officer can reach it: without it `audit verify` cannot run.
AUDIT_HMAC_KEY = "change-me: python -c 'import secrets; print(secrets.token_hex(32))'"
# The daily anchors of the audit chain (append-only; default instance/audit-anchors.jsonl):
# AUDIT_ANCHOR_FILE = "/var/lib/registry/audit-anchors.jsonl"

# PostgreSQL in production (SQLite in instance/registry.sqlite otherwise):
# DATABASE_URL = "postgresql+psycopg://registry@127.0.0.1:5432/registry"

# Several gunicorn workers share rate limits through Redis:
# RATELIMIT_STORAGE_URL = "redis://127.0.0.1:6379/0"

# Behind HTTPS: secure cookies and HSTS.
# FORCE_HTTPS = True

# PUBLIC_BASE_URL = "https://credit.jtt.hunan.gov.cn"
# MAIL_SERVER = "smtp.example.org"
# EXCHANGE_URL = "https://exchange.example.org/upload"
# EXCHANGE_DIR = "/var/lib/registry/exchange"
