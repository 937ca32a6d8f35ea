#!/usr/bin/env bash
# Debian packages the test suite needs; installed only when missing (needs root).
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)
[ -d /usr/share/fonts/truetype/liberation2 ] || need+=(fonts-liberation2)
command -v redis-server >/dev/null || need+=(redis-server)
command -v libreoffice >/dev/null || need+=(libreoffice-calc-nogui)  # XLSX exports opened as a user would (tests)
command -v msgattrib >/dev/null || need+=(gettext)  # makemessages and the translation check in make lint
if [ "${#need[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Thiếu gói Debian: ${need[*]} — chạy lại với quyền root hoặc cài thủ công." >&2
  exit 1
fi
echo "Cài gói Debian: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
