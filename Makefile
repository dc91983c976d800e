# The two quick-start commands: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck cases pytest browsers bench clean soak

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools warns about every editable install of a flat layout (BuildBackendWarning, a
	@# UserWarning): harmless here, and it reads like an error in the middle of `make run`.
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/cofinance db upgrade
	$(BIN)/cofinance demo
	$(BIN)/cofinance serve --host 127.0.0.1 --port 8000

# ruff, then the import rules of the layout (DESIGN §1, contracts in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

# The shipped cases are written for the shipped parameter values, whatever a deployment's
# COFINANCE_PARAMETERS_DIR says (README, "Local parameter values").
cases: $(STAMP)
	$(BIN)/cofinance rules test --built-in-parameters rules/cases
	@if [ -d ../shared/examples/cases ]; then \
		$(BIN)/cofinance rules test --built-in-parameters ../shared/examples/cases; fi

# The browser tests (tests/pages) drive Debian's Chromium; Playwright downloads no browser here.
browsers:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "chromium is missing: 'sudo apt-get install chromium' runs the browser tests"; fi; \
	fi

pytest: $(STAMP) browsers
	$(BIN)/pytest -q

test: lint typecheck cases pytest

# Crash and fuzz tests (SECURITY.md): the server killed 20+ times under load, PostgreSQL
# restarted under load, a full disk, and the API fuzzed with a larger budget. Run as root in CI.
SOAK_FUZZ_EXAMPLES ?= 20
soak: $(STAMP)
	COFINANCE_SOAK=1 COFINANCE_FUZZ_EXAMPLES=$(SOAK_FUZZ_EXAMPLES) $(BIN)/pytest -q \
		tests/soak tests/security/test_fuzz.py::test_fuzzing_the_api_as_every_role_finds_no_server_error

# Benchmarks at national scale (about 20–30 minutes): writes bench/results.json and bench/results.md.
# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL), else its parts are skipped.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var build .mypy_cache .pytest_cache .ruff_cache
