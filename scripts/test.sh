#!/usr/bin/env bash
# Install and run the whole test suite against real PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -e ".[test,dev]"
./scripts/services.sh
export PATH="$PWD/$VENV/bin:$PATH"
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helpdesk}
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
export SECRET_KEY=${SECRET_KEY:-test-secret-key-not-for-production}
export DEBUG=0
export ALLOWED_HOSTS="localhost,127.0.0.1,testserver"
export REQUIRE_SERVICES=1
# The websocket tests run the ORM on pooled threads: close their connections after each call so
# the test database can be dropped at the end.
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-0}
exec python -m pytest "$@"
