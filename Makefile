# Two commands matter: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make run` keeps its data in var/ and shows SMS on /dev/phone.
RUN_ENV := APURI_DATABASE_URL=$${APURI_DATABASE_URL:-sqlite:///var/apuri.sqlite3} APURI_DEV_TOOLS=1

.PHONY: install run test check lint unit integration clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(RUN_ENV) $(BIN)/apuri migrate
	$(RUN_ENV) $(BIN)/apuri demo --if-empty
	$(RUN_ENV) $(BIN)/apuri serve

# The PWA's modules are checked by ESLint (npm ci from package-lock.json; node_modules/ is not committed).
node_modules/.installed: package-lock.json
	npm ci --silent --no-audit --no-fund
	touch node_modules/.installed

lint: install node_modules/.installed
	$(BIN)/ruff check server tests
	$(BIN)/mypy
	npx --no-install eslint pwa

# The whole suite on SQLite and, when reachable (always under CI=true), on PostgreSQL, on two workers (a test
# module stays on one worker: the browser tests share a server per module). The slowest modules are handed out
# first (tests/conftest.py SLOWEST_FIRST), not the ones with the most tests.
test: lint
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# The inner loop, under a minute: lint, types, the unit tests, and the integration tests changed since the last
# commit (on SQLite).
check: lint
	$(BIN)/pytest -q -n 2 tests/unit
	@changed="$$(git diff --name-only HEAD -- 'tests/integration/test_*.py'; git ls-files --others --exclude-standard -- 'tests/integration/test_*.py')"; \
	if [ -n "$$changed" ]; then $(BIN)/pytest -q -n 2 -k sqlite $$changed; fi

unit: install
	$(BIN)/pytest -q tests/unit

integration: install
	$(BIN)/pytest -q tests/integration

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache .hypothesis
