#!/usr/bin/env bash
# Keep a command running: restart it whenever it exits (the background-job worker; decision 0912).
# Usage: scripts/supervise.sh LOGFILE -- COMMAND [ARGS…]   (SUPERVISE_DELAY: seconds before a restart, default 2)
# Stopping the supervisor (SIGTERM/SIGINT) stops the command too.
set -u
LOG="$1"; shift
[ "${1:-}" = "--" ] && shift
CHILD=""
trap 'if [ -n "$CHILD" ]; then kill "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi; exit 0' INT TERM
while true; do
  "$@" >>"$LOG" 2>&1 &
  CHILD=$!
  wait "$CHILD"
  code=$?
  echo "$(date '+%Y-%m-%dT%H:%M:%S') tiến trình $CHILD dừng (mã $code); khởi động lại sau ${SUPERVISE_DELAY:-2} giây" >>"$LOG"
  CHILD=""
  sleep "${SUPERVISE_DELAY:-2}"
done
