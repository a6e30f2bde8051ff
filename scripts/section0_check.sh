#!/usr/bin/env bash
# Section 0 of the API contract, checked from outside, as an operator of the helpdesk would run
# it: a fresh copy of the repository, a fresh virtualenv, `pip install .`, `migrate`,
# `createsuperuser --noinput`, a Celery worker and two uvicorn processes on PostgreSQL and Redis;
# then bench/drive_public_api.py exercises the public API only (REST and both websockets) and
# prints PASS/FAIL lines. Everything it started is stopped, and its database dropped, on exit.
#
#   scripts/section0_check.sh               # from `git clone` of this repository: committed files
#   SOURCE=tree scripts/section0_check.sh   # from the working tree (rsync, without .venv/.git)
#
# The product comes from the fresh copy; the driver (a client, not part of the product) runs from
# this checkout with the fresh virtualenv's Python (it needs only `websockets`, which
# `pip install .` brings with uvicorn[standard]).
#
# Settings: WORK_DIR (/tmp/sec0), DB_NAME (helpdesk_e2e_sec0), PG_URL (the server, as
# postgres://user@host:port), REDIS_URL (redis://127.0.0.1:6379/5), PORT_A/PORT_B (18121/18122),
# PYTHON (python3).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
SOURCE=${SOURCE:-clone}
WORK_DIR=${WORK_DIR:-/tmp/sec0}
DB_NAME=${DB_NAME:-helpdesk_e2e_sec0}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/5}
PORT_A=${PORT_A:-18121}
PORT_B=${PORT_B:-18122}
PYTHON=${PYTHON:-python3}
ADMIN_USER=sec0-admin
ADMIN_PASSWORD="sec0-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
LOGS="$WORK_DIR.logs"

case "$DB_NAME" in helpdesk_e2e*) ;; *) echo "DB_NAME must start with helpdesk_e2e" >&2; exit 2 ;; esac

step() { printf '\n== %s\n' "$*"; }
PIDS=()
cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  psql "$PG_URL/postgres" -qXc "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$code" -ne 0 ]; then
    echo "logs: $LOGS" >&2
    for f in "$LOGS"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }; done
  fi
  exit "$code"
}
trap cleanup EXIT INT TERM

step "fresh copy ($SOURCE) in $WORK_DIR"
rm -rf "$WORK_DIR" "$LOGS"
mkdir -p "$LOGS"
if [ "$SOURCE" = clone ]; then
  git clone --quiet "$HERE" "$WORK_DIR"
  echo "commit $(git -C "$WORK_DIR" log -1 --format='%h %s')"
else
  rsync -a --exclude .venv --exclude .git --exclude node_modules --exclude '__pycache__' \
    --exclude db.sqlite3 --exclude var "$HERE/" "$WORK_DIR/"
  echo "working tree of $HERE (uncommitted changes included)"
fi
cd "$WORK_DIR"

step "fresh virtualenv, pip install ."
"$PYTHON" -m venv .v
.v/bin/pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.v/bin/pip install . >"$LOGS/pip.log" 2>&1 || { echo "FAIL pip install ."; tail -n 20 "$LOGS/pip.log"; exit 1; }
for tool in uvicorn celery; do
  [ -x ".v/bin/$tool" ] || { echo "FAIL pip install . did not install $tool"; exit 1; }
done
echo "PASS pip install . ($(.v/bin/pip list 2>/dev/null | grep -iE '^(django|channels|celery|uvicorn) ' | tr -s ' ' | paste -sd, -))"

export DATABASE_URL="$PG_URL/$DB_NAME" REDIS_URL SECRET_KEY="sec0-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost CHANNEL_PREFIX="e2e-sec0-$$"
export PATH="$WORK_DIR/.v/bin:$PATH"

step "refuses to start without SECRET_KEY when DEBUG=0"
if out=$(env -u SECRET_KEY python manage.py check 2>&1); then
  echo "FAIL started without SECRET_KEY"; exit 1
elif grep -q SECRET_KEY <<<"$out"; then
  echo "PASS refuses, saying: $(grep -o 'SECRET_KEY is[^.]*\.' <<<"$out" | head -n 1)"
else
  echo "FAIL refused without naming SECRET_KEY: $(tail -n 1 <<<"$out")"; exit 1
fi

export PGOPTIONS="-c client_min_messages=warning"
step "database $DB_NAME: migrate, createsuperuser --noinput"
psql "$PG_URL/postgres" -qXc "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null
psql "$PG_URL/postgres" -qXc "CREATE DATABASE \"$DB_NAME\"" >/dev/null
python manage.py migrate --noinput >"$LOGS/migrate.log" 2>&1 || { echo "FAIL migrate"; exit 1; }
echo "PASS migrate ($(grep -c '  Applying' "$LOGS/migrate.log") migrations)"
DJANGO_SUPERUSER_USERNAME=$ADMIN_USER DJANGO_SUPERUSER_PASSWORD=$ADMIN_PASSWORD \
  DJANGO_SUPERUSER_EMAIL=admin@example.com python manage.py createsuperuser --noinput \
  >"$LOGS/createsuperuser.log" 2>&1 || { echo "FAIL createsuperuser"; exit 1; }
echo "PASS createsuperuser --noinput"

step "celery -A helpdesk worker, two uvicorn processes"
setsid celery -A helpdesk worker --loglevel INFO --concurrency 2 >"$LOGS/celery.log" 2>&1 &
PIDS+=($!)
for port in "$PORT_A" "$PORT_B"; do
  setsid uvicorn helpdesk.asgi:application --host 127.0.0.1 --port "$port" --ws-max-size 65536 >"$LOGS/web-$port.log" 2>&1 &
  PIDS+=($!)
done
for port in "$PORT_A" "$PORT_B"; do
  ok=
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.2
  done
  [ -n "$ok" ] || { echo "FAIL /healthz on $port never answered 200"; exit 1; }
done
for _ in $(seq 1 150); do grep -q ' ready\.' "$LOGS/celery.log" && break; sleep 0.2; done
grep -q ' ready\.' "$LOGS/celery.log" || { echo "FAIL celery worker not ready"; exit 1; }
echo "PASS both processes answer /healthz, the worker is ready"

step "public API driver"
python "$HERE/bench/drive_public_api.py" \
  --base "http://127.0.0.1:$PORT_A" --base "http://127.0.0.1:$PORT_B" \
  --admin-username "$ADMIN_USER" --admin-password "$ADMIN_PASSWORD"
