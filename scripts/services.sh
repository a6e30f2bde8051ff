#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer; start the local
# ones if they do not; fail loudly if they cannot be had. Tests never skip for a missing service.
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || python3 - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
}
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }

if ! pg_up; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432: starting it" >&2
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "FATAL: PostgreSQL is not running on 127.0.0.1:5432 and could not be started (docker compose up -d postgres?)" >&2; exit 1; }
fi
if ! redis_up; then
  echo "Redis is not answering on 127.0.0.1:6379: starting it" >&2
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { echo "FATAL: Redis is not running on 127.0.0.1:6379 and could not be started (docker compose up -d redis?)" >&2; exit 1; }
fi
echo "services: PostgreSQL and Redis are up"
