# make run   — set up everything, seed demo data, serve on http://127.0.0.1:5000
# make test  — set up and run the whole test suite (SQLite; PostgreSQL too when
#              REGISTRY_TEST_DATABASE_URL is set)
# make bench — the benchmarks (see benchmarks/README.md)

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app registry
STAMP := $(VENV)/.installed-$(shell cat setup.cfg | cksum | cut -d' ' -f1)

.PHONY: run test bench install contract-tools lint translations compile-translations migrate serve audit-key

$(STAMP): setup.cfg
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# The API contract test's tool (tests/security/test_api_contract.py): schemathesis in a virtualenv
# of its own, since it pins its own pytest and hypothesis.  `make test` makes it.
CONTRACT_VENV ?= .venv-contract
CONTRACT_REQUIREMENTS := tests/contract/requirements.txt
CONTRACT_STAMP := $(CONTRACT_VENV)/.installed-$(shell cat $(CONTRACT_REQUIREMENTS) | cksum | cut -d' ' -f1)

$(CONTRACT_STAMP): $(CONTRACT_REQUIREMENTS)
	test -x $(CONTRACT_VENV)/bin/python || $(PYTHON) -m venv $(CONTRACT_VENV)
	$(CONTRACT_VENV)/bin/pip install --quiet --upgrade pip
	$(CONTRACT_VENV)/bin/pip install --quiet -r $(CONTRACT_REQUIREMENTS)
	rm -f $(CONTRACT_VENV)/.installed-*
	touch $@

contract-tools: $(CONTRACT_STAMP)

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@
	$(BIN)/python -c "import secrets; print(f'AUDIT_HMAC_KEY = {secrets.token_hex(32)!r}')" >> $@
	@echo "wrote $@ with a new SECRET_KEY and AUDIT_HMAC_KEY"

# An instance folder made before the audit chain was keyed has no AUDIT_HMAC_KEY: add one, and say
# that an existing database's chain needs `audit rekey` once (SECURITY.md).
audit-key: instance/config.py
	@grep -q '^AUDIT_HMAC_KEY' instance/config.py || { \
	  $(BIN)/python -c "import secrets; print(f'AUDIT_HMAC_KEY = {secrets.token_hex(32)!r}')" >> instance/config.py; \
	  echo "added AUDIT_HMAC_KEY to instance/config.py: for an existing database run" \
	       "'$(FLASK) audit verify --unkeyed' and then '$(FLASK) audit rekey' once"; }

# The one catalogue: registry/translations/zh_Hans_CN/LC_MESSAGES/messages.po (committed, sorted by
# msgid, no source locations, so that branches adding strings merge cleanly). `make translations`
# extracts the wrapped strings into messages.pot (not committed), updates the catalogue from it
# (new strings arrive untranslated, strings no longer in the code leave, nothing is guessed by
# fuzzy matching) and compiles it; `python -m registry.core.i18n missing` then prints the stubs.
# It stops first when a msgid has two entries (pasted in from two branches): Babel's reader would
# keep one of them without a word. run/test/bench only compile: they never rewrite the catalogue.
BABEL_DIR := registry/translations
BABEL_COMPILE = $(BIN)/pybabel compile -d $(BABEL_DIR) -D messages --statistics
BABEL_KEYWORDS := --no-default-keywords -k _ -k gettext -k ngettext:1,2 -k lazy_gettext -k _l -k lazy_ngettext:1,2
translations: install
	$(BIN)/python -m registry.core.i18n duplicates
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --project registry \
		--no-location --sort-output --no-wrap -o $(BABEL_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(BABEL_DIR)/messages.pot -d $(BABEL_DIR) -D messages \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --no-wrap
	$(BABEL_COMPILE)

compile-translations: install
	$(BABEL_COMPILE)

migrate: install instance/config.py audit-key
	REGISTRY_PUBLIC_BASE_URL=$(RUN_BASE_URL) $(FLASK) db upgrade

# The address `make run` serves, printed in PDFs as the verification link (unless set already).
HOST ?= 127.0.0.1
PORT ?= 5000
RUN_BASE_URL = $${REGISTRY_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}

run: install instance/config.py audit-key compile-translations migrate
	REGISTRY_PUBLIC_BASE_URL=$(RUN_BASE_URL) $(FLASK) demo
	REGISTRY_PUBLIC_BASE_URL=$(RUN_BASE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs in one process per core (pytest-xdist; each process has its own database, see
# tests/conftest.py). TEST_WORKERS=0 runs it in this process, e.g. to debug with pdb.
TEST_WORKERS ?= auto
test: install compile-translations contract-tools
	REGISTRY_SECRET_KEY=test REGISTRY_CONTRACT_TOOL=$(abspath $(CONTRACT_VENV))/bin/schemathesis \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

BENCH_SUBJECTS ?= 100000
BENCH_SEED ?= 1
bench: install compile-translations
	REGISTRY_SECRET_KEY=$${REGISTRY_SECRET_KEY:-benchmark-secret-key} \
	REGISTRY_AUDIT_HMAC_KEY=$${REGISTRY_AUDIT_HMAC_KEY:-benchmark-audit-key} \
	$(BIN)/python -m benchmarks.run --subjects $(BENCH_SUBJECTS) --seed $(BENCH_SEED) $(BENCH_ARGS)
