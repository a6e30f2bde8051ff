#!/usr/bin/env bash
# Install and run the product on the embedded default: SQLite, the in-memory channel layer,
# Celery eager, a demo account. Open http://127.0.0.1:8000/ afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -e .
export DEBUG=${DEBUG:-1}
export PATH="$PWD/$VENV/bin:$PATH"
python manage.py migrate --noinput
python manage.py seed_demo
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
echo "Helpdesk: http://$HOST:$PORT/   (admin: http://$HOST:$PORT/admin/)"
# --ws-max-size: frames over the protocol's 64 KiB are refused (1009) before they are buffered
exec uvicorn helpdesk.asgi:application --host "$HOST" --port "$PORT" --ws-max-size 65536
