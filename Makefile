# `make run` and `make test` each create .venv if needed and install the project into it.
PYTHON ?= python3
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint clean package

$(STAMP): pyproject.toml setup.py
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

# Two workers (the machine has two cores); a test file stays on one worker, so module-level
# state and fixtures are never split, and files start longest first (tests/schedule.py), so
# the workers finish together. TEST_WORKERS=0 runs everything in one process.
# Test folders go to RAM (/dev/shm) when it has 4 GB free: the suite's vaults fsync every
# commit, and on a disk those waits were a fifth of the run. TEST_TMP=DIR chooses another
# place. The folder is removed after a green run and kept (its path printed) after a red one.
TEST_WORKERS ?= 2
TEST_TMP ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && \
	[ "$$(df -Pk /dev/shm | awk 'NR==2 {print $$4}')" -gt 4194304 ] 2>/dev/null && echo /dev/shm)

test: $(STAMP)
	@base=$$(mktemp -d "$(or $(TEST_TMP),$${TMPDIR:-/tmp})/confide-tests.XXXXXX") || exit 1; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile \
		--no-loadscope-reorder --basetemp "$$base"; \
	status=$$?; \
	if [ $$status -eq 0 ]; then rm -rf "$$base"; else echo "test folders kept in $$base"; fi; \
	exit $$status

# Each benchmark's output is kept in .bench/out and then written into README.md (between its
# bench markers), so the README's figures are always the last run's.
BENCHES := bench scale_bench rekey_bench team_bench hub_bench colleague_latency gui_day
bench: $(STAMP)
	mkdir -p .bench/out
	set -o pipefail; $(BIN)/python -m tests.perf.bench | tee .bench/out/bench.txt
	set -o pipefail; $(BIN)/python -m tests.perf.scale_bench | tee .bench/out/scale_bench.txt
	set -o pipefail; $(BIN)/python -m tests.perf.rekey_bench --filler-mb 1365 | tee .bench/out/rekey_bench.txt
	set -o pipefail; $(BIN)/python -m tests.perf.team_bench | tee .bench/out/team_bench.txt
	set -o pipefail; $(BIN)/python -m tests.perf.hub_bench | tee .bench/out/hub_bench.txt
	set -o pipefail; $(BIN)/python -m tests.perf.colleague_latency | tee .bench/out/colleague_latency.txt
	-$(BIN)/python -m tests.perf.gui_day > .bench/out/gui_day.txt; cat .bench/out/gui_day.txt
	$(BIN)/python -m tests.perf.readme_figures $(BENCHES)

# The Linux one-folder bundle in dist/Confide, from packaging/requirements.lock (pinned, hashed),
# in its own environment (.venv-package). Not part of `make test`; CI runs .ci/package.
package:
	PYTHON=$(PYTHON) packaging/build-linux.sh

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .venv-package .bench .pytest_cache build dist
