# `make demo` and `make test` do all set-up on a fresh machine, then run.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
ASSETS  := .assets
# Front-end packages for offline maps: installed here at set-up, inlined into HTML at write time,
# never committed. Versions match what folium 0.20 references.
NPM_PACKAGES := leaflet@1.9.3 d3@3.5.5 jquery@3.7.1 bootstrap@5.2.2 \
    @fortawesome/fontawesome-free@6.2.0 drmonty-leaflet-awesome-markers@2.0.2 \
    leaflet.fullscreen@3.0.0 leaflet-measure@2.1.7 leaflet-search@2.9.7

.PHONY: demo test setup venv assets browser postgis lint clean

demo: setup
	$(BIN)/gaoxin demo --out out

test: setup browser postgis
	$(BIN)/ruff check gaoxin tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

setup: venv assets

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

assets: $(ASSETS)/.installed
$(ASSETS)/.installed: Makefile
	mkdir -p $(ASSETS)
	cd $(ASSETS) && npm install --no-audit --no-fund --silent --prefix . $(NPM_PACKAGES)
	touch $@

# Debian's Chromium (never a test tool's own browser download) and a CJK font for screenshots.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "browser tests need Debian's chromium and fonts-wqy-microhei: run 'sudo apt-get install chromium fonts-wqy-microhei'"; \
	  fi; \
	fi

# Debian's PostGIS for the PostGIS tests; the tests start their own throwaway cluster on
# loopback as an unprivileged user (tests/conftest.py) and stop it after.
postgis:
	@if [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-15-postgis-3 >/dev/null; \
	  else \
	    echo "PostGIS tests need Debian's PostGIS: run 'sudo apt-get install postgresql postgresql-15-postgis-3' (they are skipped until then)"; \
	  fi; \
	fi

lint:
	$(BIN)/ruff check gaoxin tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf out .pytest_cache
