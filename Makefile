# `make run` and `make test` each create .venv if needed and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint clean package

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

# Two workers (the machine has two cores); a test file stays on one worker, so module-level
# state and fixtures are never split. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m tests.perf.bench
	$(BIN)/python -m tests.perf.scale_bench
	$(BIN)/python -m tests.perf.rekey_bench --filler-mb 1365
	$(BIN)/python -m tests.perf.team_bench
	$(BIN)/python -m tests.perf.hub_bench

# The Linux one-folder bundle in dist/Confide, from packaging/requirements.lock (pinned, hashed),
# in its own environment (.venv-package). Not part of `make test`; CI runs .ci/package.
package:
	PYTHON=$(PYTHON) packaging/build-linux.sh

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .venv-package .bench .pytest_cache build dist
