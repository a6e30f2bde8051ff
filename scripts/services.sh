#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust auth for the `postgres` user) and Redis
# (127.0.0.1:6379) answer: start the local ones if they are installed but stopped; install them
# from Debian's packages when run as root on a machine with apt and neither is installed; fail
# loudly with the one command that sets them up otherwise. Tests never skip for a missing service.
# TEST_DATABASE_URL / TEST_REDIS_URL name servers elsewhere: those are left to their owner.
set -uo pipefail

SETUP_HINT="sudo apt-get install -y postgresql redis-server, then let local connections in without a password (docs/operations.md, \"The test machine's services\"), or point TEST_DATABASE_URL and TEST_REDIS_URL at servers you have"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || python3 - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
}
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }
can_install() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  echo "installing $* from Debian's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null; }
}

# A cluster this script just installed trusts connections from this machine only, as the
# tests expect (`postgres://postgres@127.0.0.1:5432/...`). An existing cluster is never changed.
trust_loopback() {
  local hba
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    [ -f "$hba" ] || continue
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  done
}

if [ -z "${TEST_DATABASE_URL:-}" ] && ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 && can_install; then
    apt_install postgresql && trust_loopback
  fi
  echo "PostgreSQL is not answering on 127.0.0.1:5432: starting it" >&2
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "FATAL: PostgreSQL is not running on 127.0.0.1:5432 and could not be started: $SETUP_HINT" >&2; exit 1; }
fi
if [ -z "${TEST_REDIS_URL:-}" ] && ! redis_up; then
  if ! command -v redis-server >/dev/null 2>&1 && can_install; then
    apt_install redis-server
  fi
  echo "Redis is not answering on 127.0.0.1:6379: starting it" >&2
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { echo "FATAL: Redis is not running on 127.0.0.1:6379 and could not be started: $SETUP_HINT" >&2; exit 1; }
fi
echo "services: PostgreSQL and Redis are up"
