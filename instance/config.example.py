# Copy to instance/config.py and adjust.  Environment variables REGISTRY_<NAME> win over this file.
# `make run` writes an instance/config.py with a fresh SECRET_KEY on first run.

SECRET_KEY = "change-me: python -c 'import secrets; print(secrets.token_hex(32))'"

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
