# The front door. `make run` and `make test` are the two commands of the README.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench bench-routing soak venv messages i18n-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python

run: venv
	./scripts/run.sh

test: venv
	./scripts/test.sh

# The checks CI runs before the tests (.ci/run), and pre-commit runs on each commit.
lint: venv
	$(BIN)/pip install --quiet -e ".[test,dev]"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npx tsc --noEmit -p tsconfig.json

bench: venv
	./scripts/bench.sh

# The routing benchmark of docs/benchmarks.md: 1,000 conversations opened over a minute, 50
# operators online; new conversation to its operator's console, p50 and p99, nothing lost.
bench-routing: venv
	$(BIN)/pip install --quiet -e ".[test]"
	./scripts/services.sh
	$(BIN)/python bench/routing.py --conversations 1000 --duration 60 --operators 50 --teams 5

# Regenerate and compile the RU/EN catalogues (needs GNU gettext); then translate what is new.
messages: venv
	./scripts/i18n_update.sh

# Fails when a string lacks its Russian translation or a catalogue is stale.
i18n-check: venv
	./scripts/i18n_check.sh

# The fault soak of docs/benchmarks.md: Redis restarted and a web process killed under load.
soak: venv
	$(BIN)/python bench/soak.py --visitors 200 --operators 10 --duration 60
