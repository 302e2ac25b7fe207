# Jijie: `make demo` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VENDOR := jijie/core/static/vendor
ASSETS := $(VENDOR)/.installed
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
HOST ?= 127.0.0.1:8000
SCALE ?= small
# Every target here is development's (the demo, the tests, the checks): its throwaway
# keys. Production is the settings' default and needs its keys (docs/operations.md).
export DJANGO_DEBUG ?= true

.PHONY: demo test check bench setup serve messages clean

# The virtualenv with the app and its development tools, rebuilt when pyproject changes.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# htmx, ECharts, the CSS kit and the QR decoder come from npm and are served by the app
# (no CDN).
$(ASSETS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required (Node.js 18+)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	cp node_modules/jsqr/dist/jsQR.js $(VENDOR)/
	touch $@

locale/%.mo: locale/%.po $(INSTALLED)
	$(BIN)/python manage.py compile_translations

setup: $(INSTALLED) $(ASSETS) $(CATALOGS)
	@mkdir -p var/static

demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_city --scale $(SCALE)
	@echo "Jijie is at http://$(HOST)/  (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver $(HOST)

test: setup
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy jijie config
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/djlint jijie --lint
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python -m bench.areas
	$(BIN)/python -m bench.registry_search
	$(BIN)/python -m bench.registry_import
	$(BIN)/python -m bench.gates
	$(BIN)/python -m bench.mobilization
	$(BIN)/python -m bench.coverage
	$(BIN)/python -m bench.roster
	$(BIN)/python -m bench.care
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.disclosure
	$(BIN)/python -m bench.problems
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.testing_round
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.pages_scale

# For developers with GNU gettext: refresh the English catalog from the sources.
messages: setup
	$(BIN)/python manage.py makemessages -l en --no-obsolete --no-location --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
