# Two commands: `make run` (the site on SQLite with seed data) and `make test` (the whole suite).
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Django 6 needs Python >= 3.12: take the first such interpreter on this machine.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p; break; fi; done)

.PHONY: run test setup seed admin chromium lint fixtures bench-calibrate bench-accuracy bench-engine bench-seed-large \
	bench-load bench-refresh bench-explain bench-mutation

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.12 not found (set PYTHON=/path/to/python3.12)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Tests and tools on top of the run-time requirements (the site itself needs only requirements.txt).
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed

run: setup
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The browser tests drive Debian's chromium; install it when it is missing and we may.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
		else echo "error: chromium is missing: sudo apt-get install chromium"; exit 1; fi; }

test: $(VENV)/.installed-dev chromium
	@mkdir -p var
	$(PY) manage.py check
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fixtures: $(VENV)/.installed
	$(PY) manage.py build_fixtures

bench-calibrate: setup
	$(PY) bench/calibrate.py

bench-accuracy: setup
	$(PY) bench/accuracy.py

bench-engine: setup
	$(PY) bench/engine_speed.py

# Scale benchmarks (#9) run on this machine's PostgreSQL and Redis, never on the SQLite dev database.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
createdb = psql "$(BENCH_PG)/postgres" -qc "CREATE DATABASE $(1)" >/dev/null 2>&1 || true

$(VENV)/.installed-bench: $(VENV)/.installed-dev requirements-bench.txt
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

bench-seed-large: $(VENV)/.installed
	$(call createdb,bench_large)
	DATABASE_URL=$(BENCH_PG)/bench_large $(PY) bench/seed_large.py --reset

bench-load: $(VENV)/.installed-bench
	$(PY) bench/load.py --database-url $(BENCH_PG)/bench_large --small-database-url $(BENCH_PG)/bench_small

bench-refresh: $(VENV)/.installed
	$(call createdb,bench_refresh)
	DATABASE_URL=$(BENCH_PG)/bench_refresh $(PY) bench/seed_large.py
	DATABASE_URL=$(BENCH_PG)/bench_refresh $(PY) bench/refresh_scale.py

bench-explain: $(VENV)/.installed
	DATABASE_URL=$(BENCH_PG)/bench_large $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_PG)/bench_large $(PY) bench/explain.py

# Mutation testing of the sizing engine (mutmut, configured in pyproject.toml): ~3,200 mutants, ~35 minutes on 2 cores.
bench-mutation: $(VENV)/.installed-bench
	mkdir -p var
	$(PY) -m mutmut run --max-children 2 || true
	$(PY) -m mutmut results

# An admin login on the embedded defaults (asks for a name and password): then sign in at /admin/.
admin: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createsuperuser

