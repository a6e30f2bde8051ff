#!/usr/bin/env bash
# Install and run the whole test suite against real PostgreSQL and Redis, a real Chromium and
# the front end's own unit tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
CI=${CI:-}

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -e ".[test,dev]"
./scripts/services.sh

# --- front end: type check, unit tests, and the committed build must match the sources ------
if command -v npm >/dev/null 2>&1; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check && npx vitest run)
  (cd frontend && node build.mjs >/dev/null)
  if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain -- static/)" ]; then
    git status --short -- static/
    echo "FAIL: static/ differs from a fresh build of frontend/: run 'cd frontend && npm run build' and commit" >&2
    exit 1
  fi
elif [ -n "$CI" ]; then
  echo "FATAL: npm is needed to test the front end" >&2
  exit 1
else
  echo "WARNING: npm not found: front-end unit tests and the build check are skipped" >&2
fi

# --- a real browser for the widget and console tests ------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests" >&2
    (apt-get install -y chromium >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y chromium >/dev/null))
  fi
  if [ ! -x /usr/bin/chromium ]; then
    echo "FATAL: /usr/bin/chromium is missing (apt-get install chromium)" >&2
    exit 1
  fi
fi

# --- dovecot, the IMAP server the email tests start on loopback (tests/mail_servers.py) ----------
if [ ! -x /usr/sbin/dovecot ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's dovecot for the email tests" >&2
    (DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd >/dev/null 2>&1 \
      || (apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd >/dev/null))
  fi
  [ -x /usr/sbin/dovecot ] || { echo "FATAL: dovecot is missing (apt-get install dovecot-imapd)" >&2; exit 1; }
fi

# --- GNU gettext, for the check that the RU/EN catalogues hold every string of the code -------
if ! command -v msgfmt >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing GNU gettext for the catalogue check" >&2
    (apt-get install -y gettext >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y gettext >/dev/null))
  fi
  command -v msgfmt >/dev/null 2>&1 || { echo "FATAL: GNU gettext is missing (apt-get install gettext)" >&2; exit 1; }
fi

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
if [ "$#" -gt 0 ]; then
  exec python -m pytest "$@"
fi
# Two runs: Playwright's sync API keeps an event loop running in the main thread while a
# browser is open, which the asyncio tests (websockets) cannot share.
python -m pytest -m "not browser"
python -m pytest -m browser
