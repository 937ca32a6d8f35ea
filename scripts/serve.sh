#!/usr/bin/env bash
# Serve the app with the background-job worker (django-tasks DB queue) beside the web server. The worker runs under
# scripts/supervise.sh, which restarts it whenever it exits (decision 0912); both stop when the server stops.
# Usage: scripts/serve.sh PYTHON HOST PORT          (development: runserver)
#        scripts/serve.sh PYTHON --prod             (production profile: gunicorn -c deploy/gunicorn.conf.py)
set -euo pipefail
PY="$1"
mkdir -p var
bash scripts/supervise.sh var/worker.log -- "$PY" manage.py jobs_worker --interval 0.5 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true' EXIT INT TERM
echo "Tiến trình chạy công việc nền (tự khởi động lại): PID $WORKER (nhật ký: var/worker.log)"
if [ "${2:-}" = "--prod" ]; then
  "$(dirname "$PY")/gunicorn" -c deploy/gunicorn.conf.py mtqg.wsgi
else
  "$PY" manage.py runserver "$2:$3"
fi
