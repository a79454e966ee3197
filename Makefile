# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint typecheck pytest eval bench loadtest screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The demo store's order system (demo/orders) is served through the file-backed connector unless the
# environment chooses another (REPLYDRAFT_STORE_CONNECTOR=none turns look-ups and actions off).
run: install
	REPLYDRAFT_STORE_CONNECTOR=$${REPLYDRAFT_STORE_CONNECTOR:-files} \
	REPLYDRAFT_STORE_FOLDER=$${REPLYDRAFT_STORE_FOLDER:-demo/orders} \
	$(BIN)/replydraft serve --host $(HOST) --port $(PORT) --init

lint: install
	$(BIN)/ruff check service tests eval bench
	$(BIN)/ruff format --check service tests eval bench

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest

# QA gate, run by CI after the tests: every set of eval/suite.yaml (dev and test splits), offline (fresh
# index per store in a temp folder), against the committed baseline. Regressions fail; "below target" is
# reported. Tuning runs use the dev split only: `replydraft eval --suite eval/suite.yaml --split dev`.
eval: install
	$(BIN)/replydraft eval --suite eval/suite.yaml --report-dir eval/reports \
		--baseline eval/baseline.json --thresholds eval/thresholds.yaml

# All benchmarks in one run: one table on stdout, JSON under bench/results.
bench: install
	$(BIN)/python -m bench.run_all

# Loopback load test with faults (reindex, LLM 500s/timeouts, PostgreSQL restart); bounded in time.
loadtest: install
	$(BIN)/python -m bench.loadtest

# Refresh the README's console screenshots in docs/screenshots (tests write theirs to a temp folder and
# never change the work tree). Needs a Chinese font; it tries `apt-get install fonts-wqy-microhei`.
screenshots: install
	REPLYDRAFT_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q tests/browser -k reviews_edits_approves

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
