# Bouwregie — the two commands that matter: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6 needs Python >= 3.12; use the first one this machine has.
PYTHON ?= $(shell for p in python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null) python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PG_SERVER ?= postgres://postgres@127.0.0.1:5432

.PHONY: help install bytecode pdf-libraries demo serve test test-sqlite test-postgresql bench bench-baglink lint messages

help:
	@echo "make demo   - alles installeren, database + demodata, server op http://127.0.0.1:8000"
	@echo "make test   - volledige testsuite op SQLite en PostgreSQL"
	@echo "make bench  - benchmarks, resultaten in bench/results/"
	@echo "make lint   - ruff"
	@echo "make messages - Engelse catalogus bijwerken (makemessages + compilemessages)"

VENDOR := build/vendor

# Front-end assets from npm, pinned by package-lock.json; only the files the pages use are copied to
# build/vendor (third-party build output, outside src/ and git), which settings.py adds to the static
# files under vendor/, so the app serves them itself (no CDN, works offline). Chart.js loses its
# sourceMappingURL line: the source map is not shipped.
# Leaflet (the map) likewise; its CSS finds its icons in images/ next to it.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/@utrecht/component-library-css/dist/index.css $(VENDOR)/utrecht-components.css
	cp node_modules/@utrecht/design-tokens/dist/index.css $(VENDOR)/utrecht-tokens.css
	cp node_modules/@fontsource-variable/noto-sans/files/noto-sans-latin-wght-normal.woff2 $(VENDOR)/
	sed '/sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js > $(VENDOR)/chart.umd.min.js
	sed '/sourceMappingURL=/d' node_modules/leaflet/dist/leaflet.js > $(VENDOR)/leaflet.js
	cp node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet.css
	mkdir -p $(VENDOR)/images && cp node_modules/leaflet/dist/images/*.png $(VENDOR)/images/
	touch $@

$(BIN)/.installed: requirements.lock pyproject.toml $(VENDOR)/.installed
	@test -n "$(PYTHON)" || { echo "Python 3.12 of nieuwer niet gevonden (nodig voor Django 6)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The PDF report (issue #20) is drawn by WeasyPrint, which loads Pango, HarfBuzz (with its subsetter) and fonts
# from the system; a fresh machine may lack them. The tests read the PDF back with poppler's pdftotext/pdftoppm.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libraries:
	@dpkg -s $(PDF_DEBS) >/dev/null 2>&1 || { echo "Systeembibliotheken voor PDF (WeasyPrint) installeren..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(PDF_DEBS) >/dev/null; }

/usr/bin/pdftotext:
	@echo "poppler-utils (Debian-pakket) installeren voor de PDF-tests..."
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null

# Our own modules compiled to bytecode once (a non-editable pip install does this; the editable one does not):
# with PYTHONDONTWRITEBYTECODE set, as on our machines, every `bouwregie` command otherwise compiled ~100 of our
# modules again at start-up (0.1-0.6 s of each cold command, issue #21). Up-to-date files are skipped.
bytecode: $(BIN)/.installed
	@$(BIN)/python -m compileall -q src/bouwregie

install: $(BIN)/.installed pdf-libraries bytecode

demo: install
	$(BIN)/bouwregie init
	$(BIN)/bouwregie demo --if-empty
	$(BIN)/bouwregie serve --bind 127.0.0.1:8000

serve: install
	$(BIN)/bouwregie serve --bind 127.0.0.1:8000

# Both runs at the same time (tools/test_both_databases.sh says why); test-sqlite and test-postgresql run one.
test: install /usr/bin/chromium /usr/bin/pdftotext
	tools/test_both_databases.sh $(BIN)/pytest $(PG_SERVER)/bouwregie_$$(date +%s)_$$$$

# The browser tests drive Debian's Chromium through Playwright (issue #5); a fresh machine lacks it.
/usr/bin/chromium:
	@echo "Chromium (Debian-pakket) installeren voor de browsertests..."
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

test-sqlite: install /usr/bin/chromium /usr/bin/pdftotext
	$(BIN)/pytest

# pytest-django creates (and drops) test_<name> on the server; the name is unique per run.
test-postgresql: install /usr/bin/chromium /usr/bin/pdftotext
	DATABASE_URL=$(PG_SERVER)/bouwregie_$$(date +%s)_$$$$ $(BIN)/pytest

# The import benchmark's baselines (pyogrio.read_dataframe, a geopandas script) need geopandas, which
# the product does not: they get their own environment (bench/baseline-requirements.txt).
.venv-bench/.installed: bench/baseline-requirements.txt
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -r bench/baseline-requirements.txt
	touch $@

bench: install .venv-bench/.installed
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_demo.py
	BENCH_BASELINE_PYTHON=.venv-bench/bin/python $(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_ipo.py
	$(BIN)/python bench/bench_monitor.py
	$(BIN)/python bench/bench_stress.py
	$(BIN)/python bench/bench_forecast.py
	$(BIN)/python bench/bench_instruments.py
	$(BIN)/python bench/bench_exports.py
	$(BIN)/python bench/bench_limits.py
	$(BIN)/python bench/bench_woondeals.py
	$(BIN)/python bench/bench_cbs.py
	$(BIN)/python bench/bench_baglink.py
	$(BIN)/python bench/bench_bag.py
	$(BIN)/python bench/bench_seeds23.py
	$(BIN)/python bench/bench_rapport.py
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/bench_web.py

# Linking 1,000,000 BAG objects to 25,000 project polygons beside a bare STRtree query (issue #18);
# BENCH_QUICK=1 for a smoke test.
bench-baglink: install
	$(BIN)/python bench/bench_baglink.py

lint: install
	$(BIN)/ruff check src tests bench tools

# The English catalogue (issue #22): src/bouwregie/locale/en/LC_MESSAGES/django.po is the source translators
# edit (Poedit, Weblate). makemessages adds new texts with an empty msgstr (our makemessages: no fuzzy guesses)
# and keeps the rest; compilemessages writes the .mo that is committed. tests/test_translations.py fails on
# any text without English, on a fuzzy entry and on a .mo that does not match the .po.
messages: install
	cd src/bouwregie && ../../$(BIN)/bouwregie makemessages -l en --ignore "static/*"
	cd src/bouwregie && ../../$(BIN)/bouwregie compilemessages
