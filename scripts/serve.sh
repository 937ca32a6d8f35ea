#!/usr/bin/env bash
# Serve the app for development/demo: the background-job worker (django-tasks DB queue) next to runserver.
# The worker stops when the server stops (Ctrl+C).  Usage: scripts/serve.sh PYTHON HOST PORT
set -euo pipefail
PY="$1"; HOST="$2"; PORT="$3"
"$PY" manage.py db_worker --interval 0.5 >var/worker.log 2>&1 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true' EXIT INT TERM
echo "Tiến trình chạy công việc nền: PID $WORKER (nhật ký: var/worker.log)"
"$PY" manage.py runserver "$HOST:$PORT"
