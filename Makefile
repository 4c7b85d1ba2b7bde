# Safer Nights: `make run` to try it, `make test` to check it. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := partnership
CHROMIUM ?= $(or $(PARTNERSHIP_CHROMIUM),$(shell command -v chromium 2>/dev/null),/usr/bin/chromium)
export PARTNERSHIP_CHROMIUM := $(CHROMIUM)

.PHONY: help setup run test lint check-translations translations assets db demo bench bench-pages \
        test-python test-browser test-postgres chromium fonts clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

partnership/static/vendor/portal.css: node_modules/.installed scripts/build-assets.mjs partnership/static/scss/portal.scss
	node scripts/build-assets.mjs

assets: partnership/static/vendor/portal.css ## Build CSS, JS and images from npm packages

translations: $(BIN)/.installed ## Compile the Welsh catalogue
	$(BIN)/flask translate compile

setup: $(BIN)/.installed assets translations fonts ## Virtual environment, Python and npm packages, assets

db: setup ## Migrate the database to the newest schema
	$(BIN)/flask db upgrade

demo: db ## Load demo data if the database is empty
	$(BIN)/flask demo seed --if-empty

run: demo ## Serve the portal on http://127.0.0.1:5000 with demo data
	@echo "Serving on http://127.0.0.1:5000 (Ctrl-C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: $(BIN)/.installed ## ruff (with bandit rules), mypy, the allowed imports and no import circle
	$(BIN)/ruff check partnership tests migrations bench scripts
	$(BIN)/ruff format --check partnership tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check_imports.py

check-translations: $(BIN)/.installed ## Fail on any missing, untranslated, fuzzy or stale Welsh entry
	$(BIN)/flask translate check

chromium: ## Make sure a Chromium is there for the browser tests
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
	else \
	  echo "The browser tests need Chromium: install it, or set PARTNERSHIP_CHROMIUM to its path." >&2; exit 1; \
	fi

FONT ?= /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

fonts: ## Make sure DejaVu Sans is there: PDFs embed it (it has ŵ and ŷ)
	@if [ -f "$(FONT)" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's fonts-dejavu-core for PDFs"; \
	  (apt-get install -y -qq fonts-dejavu-core >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null)); \
	else \
	  echo "PDFs need DejaVu Sans: install fonts-dejavu-core." >&2; exit 1; \
	fi

test-python: setup ## The test suite without the browser tests
	$(BIN)/pytest -n 2 -m "not browser"

test-browser: setup chromium ## The browser tests (Playwright driving Chromium, axe on every page)
	$(BIN)/pytest -n 2 -m browser

test: setup chromium lint check-translations ## Lint, the Welsh catalogue check and the whole test suite
	$(BIN)/pytest -n 2

test-postgres: setup ## The suite on a fresh PostgreSQL database (PARTNERSHIP_TEST_PG_SERVER)
	bash .ci/postgres-suite

clean: ## Remove the virtual environment, npm packages and built assets
	rm -rf $(VENV) node_modules partnership/static/vendor

bench: setup ## Time the sightings list, the Section 35 notice PDF and a year's report (1,000,000 rows); exports' memory
	$(BIN)/python bench/exports_memory.py
	$(BIN)/python bench/sightings_list.py
	$(BIN)/python bench/notice_pdf.py
	$(BIN)/python bench/reports.py

bench-pages: setup ## Serve the portal with gunicorn and drive each page at 10,000 and 1,000,000 sightings, SQLite and PostgreSQL (wrk when it can be installed)
	@if ! command -v wrk >/dev/null && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's wrk for the page benchmark"; \
	  (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)) || \
	  echo "wrk could not be installed: the pages are driven by the Python client"; \
	fi
	$(BIN)/python bench/pages.py
