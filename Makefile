# Moodtrack developer commands: `make run` and `make test` are the two that matter.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REQUIREMENTS := $(wildcard requirements/*.txt)

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench vendor migrate seed audit load

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed since the last successful install.
$(STAMP): $(REQUIREMENTS) | $(BIN)/python
	$(BIN)/python -m pip install -r requirements/local.txt
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install requirements/local.txt (when they changed)

# `make run` reads .env when present (the tests never do).
run seed migrate: export DJANGO_READ_DOT_ENV_FILE ?= true

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed ## Serve http://127.0.0.1:8000 with a Celery worker (Ctrl-C stops both)
	$(BIN)/python scripts/dev.py

test: install ## Lint, check formatting, the rooms and the types, run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install ## ruff check
	$(BIN)/ruff check .

format: install ## ruff format and autofix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install ## Run every bench/*.py and write docs/BENCHMARKS.md
	$(BIN)/python -m bench

audit: install ## pip-audit the installed packages (policy: docs/RELIABILITY.md)
	$(BIN)/python scripts/audit_dependencies.py

load: install ## Load test against gunicorn + PostgreSQL + Redis + Celery (see docs/RELIABILITY.md)
	$(BIN)/python -m loadtest $(LOAD_ARGS)

vendor: ## Re-vendor the pinned front-end packages into static/vendor/ (needs npm)
	scripts/vendor_static.sh
