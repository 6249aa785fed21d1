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

# `make bench`: every benchmark, each one's output kept in .bench/out and then written into
# README.md (between its bench markers) by tests/perf/readme_figures.py, so the README's figures
# are always the last run's. The datasets are built once per size and cached in .bench/ (never
# in git). The cost curve runs at BENCH_SIZES; 200,000 cases is opt-in (BENCH_LARGE=1: a build
# of several minutes and a 5 GB file). A bench that fails or misses a target does not stop the
# others: the README is still written, its name is printed and `make bench` exits non-zero.
# The re-key is timed on a copy of the largest default dataset (the size the old 1,365 MB
# filler imitated, with real pages and no build of its own).
BENCH_SIZES ?= 10000 50000
ifeq ($(BENCH_LARGE),1)
BENCH_SIZES += 200000
endif
BENCH_REKEY_CASES ?= $(lastword $(filter-out 200000,$(BENCH_SIZES)))
BENCH_GUI_CASES ?= $(BENCH_REKEY_CASES)
BENCH_OUT := .bench/out
# A 50,000-case demo with 100,000 documents keeps the round-2 figures (docs/documents.md,
# "Figures"): opt-in (BENCH_DOCUMENTS=1, or with BENCH_LARGE=1), as its dataset's first build
# adds the documents one by one through the documents service (about 25 minutes of CPU; cached
# in .bench/ after). Compared with the scale benchmark's figures of this run at the same size.
BENCH_DOCUMENTS ?= $(BENCH_LARGE)
BENCH_DOCUMENTS_CASES ?= $(BENCH_REKEY_CASES)
BENCH_DOCUMENTS_COUNT ?= 100000
# The kill -9 loop in bench.py: a short check here (tests/perf/kill_loop.py makes long runs).
BENCH_KILL_ROUNDS ?= 5
export BENCH_KILL_ROUNDS
BENCHES = bench cost_curve $(foreach n,$(BENCH_SIZES),scale_bench-$(n) team_bench-$(n) checkout_bench-$(n)) \
	rekey_bench hub_bench colleague_latency fleet_bench documents_bench lifecycle_bench gui_day \
	$(if $(filter 1,$(BENCH_DOCUMENTS)),documents_scale)
# $(1): module in tests/perf, $(2): its arguments, $(3): the name of its output.
define run_bench
	@echo "== $(1) $(2)"; set -o pipefail; $(BIN)/python -m tests.perf.$(1) $(2) | tee $(BENCH_OUT)/$(3).txt \
		|| echo "$(3)" >> $(BENCH_OUT)/failed

endef
bench: $(STAMP)
	rm -rf $(BENCH_OUT) .bench/scale-*.json .bench/team-*.json .bench/checkout-*.json
	mkdir -p $(BENCH_OUT)
	$(call run_bench,bench,,bench)
	$(foreach n,$(BENCH_SIZES),$(call run_bench,scale_bench,--cases $(n),scale_bench-$(n)))
	$(foreach n,$(BENCH_SIZES),$(call run_bench,team_bench,--cases $(n),team_bench-$(n)))
	$(foreach n,$(BENCH_SIZES),$(call run_bench,checkout_bench,--cases $(n),checkout_bench-$(n)))
	$(call run_bench,cost_curve,$(BENCH_SIZES),cost_curve)
	$(call run_bench,rekey_bench,--cases $(BENCH_REKEY_CASES) --rounds 1,rekey_bench)
	$(call run_bench,hub_bench,,hub_bench)
	$(call run_bench,colleague_latency,,colleague_latency)
	$(call run_bench,fleet_bench,,fleet_bench)
	$(call run_bench,documents_bench,,documents_bench)
	$(if $(filter 1,$(BENCH_DOCUMENTS)),$(call run_bench,documents_scale,--cases $(BENCH_DOCUMENTS_CASES) \
		--documents $(BENCH_DOCUMENTS_COUNT) --figures $(BENCH_OUT)/documents_scale.figures.json,documents_scale))
	$(call run_bench,lifecycle_bench,--notes 100000 --review-cases 50000 --review-source import --erase-cases 1000,lifecycle_bench)
	$(call run_bench,gui_day,--cases $(BENCH_GUI_CASES) --figures $(BENCH_OUT)/gui_day.figures.json,gui_day)
	$(BIN)/python -m tests.perf.readme_figures $(BENCHES)
	@if [ -s $(BENCH_OUT)/failed ]; then echo "make bench: failed or missed a target: $$(tr '\n' ' ' < $(BENCH_OUT)/failed)"; exit 1; fi

# The Linux one-folder bundle in dist/Confide, from packaging/requirements.lock (pinned, hashed),
# in its own environment (.venv-package). Not part of `make test`; CI runs .ci/package.
package:
	PYTHON=$(PYTHON) packaging/build-linux.sh

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .venv-package .bench .pytest_cache build dist
