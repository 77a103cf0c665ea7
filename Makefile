# Outturn: `make run` for a first look, `make test` for everything CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint format bench worker accuracy

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python scripts/run_local.py --port $(PORT)

test: install
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python scripts/bench.py

# Demand forecast accuracy on the SSDA903 sample (figures to read; docs/accuracy.md).
accuracy: install
	$(BIN)/python scripts/accuracy.py
	$(BIN)/python scripts/accuracy_published.py

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO
