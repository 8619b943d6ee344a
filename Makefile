# Every target creates .venv and installs what it needs by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_RECEIVER := tests/receivers/node
DEV_ENV := GESTLY_ENV=development

.PHONY: run test check format lint types bench clean

$(INSTALLED): pyproject.toml sdk/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -e './sdk[dev]'
	touch $@

$(NODE_RECEIVER)/node_modules/.installed: $(NODE_RECEIVER)/package-lock.json
	cd $(NODE_RECEIVER) && npm ci --silent --no-audit --no-fund
	touch $@

## run: set up and start Gestly on its embedded default (SQLite, development mode)
run: $(INSTALLED)
	$(DEV_ENV) $(BIN)/gestly db upgrade
	@echo "Demo account (the token is new each run; keep it for the curl tour):"
	@$(DEV_ENV) $(BIN)/gestly demo
	$(DEV_ENV) $(BIN)/gestly serve

## test: set up and run the whole suite (PostgreSQL too when GESTLY_TEST_POSTGRES_URL is set)
test: $(INSTALLED) $(NODE_RECEIVER)/node_modules/.installed
	$(BIN)/pytest

format: $(INSTALLED)
	$(BIN)/ruff format src tests sdk bench

lint: $(INSTALLED)
	$(BIN)/ruff format --check src tests sdk bench
	$(BIN)/ruff check src tests sdk bench

types: $(INSTALLED)
	$(BIN)/mypy
	cd sdk && ../$(BIN)/mypy

## check: format check, lint, types and tests: what CI runs
check: lint types test

bench: $(INSTALLED) $(NODE_RECEIVER)/node_modules/.installed
	$(BIN)/python bench/deliveries.py

clean:
	rm -rf $(VENV) $(NODE_RECEIVER)/node_modules .pytest_cache .mypy_cache .ruff_cache
