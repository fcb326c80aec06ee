# studymarket: `make run` starts the site, `make test` runs every check CI runs.
# Nothing here needs root, except that `make test` installs missing Debian packages
# (`make run` only LibreOffice, for Word uploads) and starts PostgreSQL/Redis when it is root (scripts/install-system-packages.sh,
# scripts/start-services.sh).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
PYTEST := $(PY) -m pytest

# The unit suites run on this many processes (pytest-xdist); 1 turns it off.
TEST_WORKERS ?= 2
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/studymarket_test
ifeq ($(TEST_WORKERS),1)
XDIST :=
else
# loadgroup: the package tests/demo/ runs on one worker, in one piece (tests/xdist_units.py),
# so the demo data it shares is loaded once per suite; the rest is spread test by test.
XDIST := -n $(TEST_WORKERS) --dist loadgroup
endif
UNIT_TESTS := -m "not browser" --ignore=tests/browser $(XDIST)

# Stamps: reinstall only when a lock file is newer than the last install.
BASE_STAMP := $(VENV)/.installed-base
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: help run test lint typecheck imports security migrations-check test-sqlite test-postgres test-browser \
	scale-test scale-test-short \
	audit-tools screenshots bench messages lock system-packages run-packages services venv venv-dev

help:
	@echo "make run            start the site on http://127.0.0.1:\$${PORT:-8000} (web server + task worker)"
	@echo "make test           every check CI runs: lint, types, imports, migrations, tests (SQLite,"
	@echo "                    PostgreSQL, browser)"
	@echo "make lint | typecheck | imports | security | test-sqlite | test-postgres | test-browser"
	@echo "                    one of them"
	@echo "make scale-test     the scale-out profile on loopback: journey across processes, faults under load"
	@echo "make screenshots    the audited pages at 375 and 1280 px wide, in var/screenshots/"
	@echo "make bench          run the benchmarks in bench/"
	@echo "make messages       update and compile the translation catalogs (nl, en)"
	@echo "make lock           regenerate requirements/*.txt from *.in (UPGRADE=1 to upgrade pins)"

$(BASE_STAMP): requirements/base.txt
	scripts/bootstrap.sh base
	touch $@

$(DEV_STAMP): requirements/base.txt requirements/dev.txt
	scripts/bootstrap.sh dev
	touch $(BASE_STAMP) $@

venv: $(BASE_STAMP)
venv-dev: $(DEV_STAMP)

run: venv run-packages
	$(MANAGE) serve

# LibreOffice converts .docx/.odt uploads; installed when root and missing, else the upload
# form offers PDF only (documents.conversion.conversion_available).
run-packages:
	scripts/install-system-packages.sh run

# --- Checks, in the order `make test` runs them; the first failure stops it. -----------
test: venv-dev system-packages services lint typecheck imports security migrations-check \
	test-sqlite test-postgres test-browser scale-test-short

system-packages:
	scripts/install-system-packages.sh

services:
	scripts/start-services.sh

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv-dev
	$(BIN)/mypy

imports: venv-dev
	$(BIN)/lint-imports

# bandit (configured in pyproject.toml) and the project's own semgrep rules (security/semgrep.yml),
# offline: no metrics, no version check, no rules fetched from a registry.
security: venv-dev
	$(BIN)/bandit -c pyproject.toml -r studymarket config -ll -ii -q
	$(BIN)/semgrep scan --config security/semgrep.yml --metrics=off --disable-version-check \
		--error --quiet studymarket config

# An in-memory database: the check must neither need nor touch the data folder.
migrations-check: venv-dev
	DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

# DATABASE_URL unset: the settings' default, SQLite (in the tests' temporary data folder).
test-sqlite: venv-dev
	env -u DATABASE_URL $(PYTEST) $(UNIT_TESTS)

test-postgres: venv-dev services
	DATABASE_URL=$(TEST_POSTGRES_URL) $(PYTEST) $(UNIT_TESTS)

# On TEST_WORKERS processes too: each has its own live server, database and Chromium, and loads
# the demo once (tests/browser/demo.py).
test-browser: venv-dev system-packages audit-tools
	env -u DATABASE_URL $(PYTEST) -m browser tests/browser $(XDIST)

# Lighthouse and the Nu HTML Checker (vnu.jar), pinned in tools/audit/package-lock.json, from the
# npm registry; no install scripts (vnu-jar's would fetch a Java runtime: Debian's is used).
# tests/browser/test_page_quality.py runs them; `make screenshots` draws the audited pages.
AUDIT_STAMP := tools/audit/node_modules/.installed
$(AUDIT_STAMP): tools/audit/package-lock.json
	cd tools/audit && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

audit-tools: system-packages $(AUDIT_STAMP)

screenshots: venv-dev system-packages
	env -u DATABASE_URL $(PY) scripts/screenshots.py

# The scale-out profile on loopback (scale/): its own PostgreSQL, Redis, an S3 server (moto), nginx,
# three web processes, workers and the scheduler; the journey across processes, then faults under
# load. The short form (two faults) is part of `make test`; the full one writes
# bench/results/scale_faults.json.
scale-test: venv-dev system-packages
	$(PY) -m scale

scale-test-short: venv-dev system-packages
	$(PY) -m scale --short

# Each bench/*.py with a main guard is a script that records its own results (the others are
# helpers those scripts import); there may be none yet.
bench: venv-dev system-packages
	@benches=($$(grep -l '^if __name__ == "__main__":' bench/*.py || true)); \
	if [ $${#benches[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; fi; \
	for bench in "$${benches[@]}"; do echo "== $$bench"; $(PY) "$$bench"; done

MESSAGES_IGNORE := --ignore .venv --ignore var --ignore tests --ignore node_modules

messages: venv-dev
	mkdir -p studymarket/locale
	$(MANAGE) makemessages -l en -l nl $(MESSAGES_IGNORE)
	$(MANAGE) compilemessages $(MESSAGES_IGNORE)

# uv from PATH, else the one in .venv if someone put it there; it is not a locked dependency.
UV ?= $(shell command -v uv || { [ -x $(BIN)/uv ] && echo $(abspath $(BIN)/uv); })

lock:
	@[ -n "$(UV)" ] || { echo "make lock needs uv (https://docs.astral.sh/uv/): pip install --user uv" >&2; exit 1; }
	cd requirements && $(UV) pip compile -q --python-version 3.11 --generate-hashes $(if $(UPGRADE),--upgrade) \
		base.in -o base.txt
	cd requirements && $(UV) pip compile -q --python-version 3.11 --generate-hashes $(if $(UPGRADE),--upgrade) \
		dev.in -o dev.txt
