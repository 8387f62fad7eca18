# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint constraints

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium through Playwright (never `playwright install`).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium

# PORT=8001 make run (or make run PORT=8001) serves on another port; the default is 8000.
run: install
	@echo "Preparing the database: migrations, demo data, demo users..."
	@$(PY) manage.py migrate --noinput --verbosity 0
	@$(PY) manage.py setup_demo
	@bash scripts/run_demo.sh

test: install $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -m "not transactional"
	$(PY) -m pytest -m "transactional and not worker"
	$(PY) -m pytest -m worker

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# After changing requirements*.txt: resolve them afresh (no old pins) and pin the whole set again.
constraints:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements-dev.txt
	{ head -2 constraints.txt; .venv-lock/bin/pip freeze; } > constraints.txt.new && mv constraints.txt.new constraints.txt
	rm -rf .venv-lock
