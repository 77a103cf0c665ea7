# Outturn: `make run` for a first look, `make test` for everything CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

UV := $(BIN)/uv
# Never fetch a Python of uv's own: the machine's python3 makes the virtualenv.
export UV_PYTHON_DOWNLOADS = never
# Bytecode is written once and read after. A machine may turn that off (PYTHONDONTWRITEBYTECODE);
# then every process (each worker, test server and command the tests start) compiles Django,
# pandas and the app from source again: about 2.5 s of CPU each.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install lock run test lint format bench worker accuracy

# Everything installs from the lock (uv.lock, hashes checked), never from version ranges: pip
# bootstraps the pinned uv, then `uv sync --locked` makes .venv exactly the lock (and stops if
# pyproject.toml was changed without `make lock`). Bytecode is compiled on first import, only for
# what runs (compiling all of it here measured slower to a first page; docs/deployment.md).
$(VENV)/.installed: pyproject.toml uv.lock deploy/bootstrap-uv.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r deploy/bootstrap-uv.txt
	$(UV) sync --locked --quiet
	touch $@

install: $(VENV)/.installed

# After adding or changing a dependency in pyproject.toml: re-lock, and write the image's
# requirements and uv's own pin from the lock (docs/deployment.md, "Dependencies").
lock: install
	scripts/lock.sh

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
	$(BIN)/python scripts/accuracy_mtfp_blend.py

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO
