# make run   — set up everything, seed demo data, serve on http://127.0.0.1:5000
# make test  — set up and run the whole test suite (SQLite; PostgreSQL too when
#              REGISTRY_TEST_DATABASE_URL is set)
# make bench — the benchmarks (see benchmarks/README.md)

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app registry
STAMP := $(VENV)/.installed-$(shell cat setup.cfg | cksum | cut -d' ' -f1)

.PHONY: run test bench install lint translations migrate serve

$(STAMP): setup.cfg
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@
	@echo "wrote $@ with a new SECRET_KEY"

translations: install
	$(BIN)/python -m registry.core.i18n

migrate: install instance/config.py
	$(FLASK) db upgrade

run: install instance/config.py translations migrate
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install translations
	REGISTRY_SECRET_KEY=test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

BENCH_SUBJECTS ?= 100000
BENCH_SEED ?= 1
bench: install translations
	REGISTRY_SECRET_KEY=$${REGISTRY_SECRET_KEY:-benchmark-secret-key} \
	$(BIN)/python -m benchmarks.run --subjects $(BENCH_SUBJECTS) --seed $(BENCH_SEED) $(BENCH_ARGS)
