#!/usr/bin/env bash
# Run the suite; pytest's exit 5 ("no tests collected") is a broken setup, not a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
# the test settings, whatever the caller exported (the Makefile exports mtqg.settings for manage.py)
export DJANGO_SETTINGS_MODULE=mtqg.settings_test
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "Không có bài kiểm thử nào được chạy: cấu hình kiểm thử bị hỏng." >&2
  exit 1
fi
exit "$rc"
