#!/usr/bin/env bash
# `make lint`: every message in the code and templates (Vietnamese source) has an English translation in
# mtqg/locale/en/LC_MESSAGES/django.po, every message of the JavaScript (gettext() in static/js and the apps'
# static/*.js) one in djangojs.po, and none is fuzzy. The .po files are the one source of the English text
# (decisions 0031, 0060): `make messages` extracts and compiles, a person writes the msgstr.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
case "$PY" in /*) ;; *) PY="$PWD/$PY" ;; esac
LC=mtqg/locale/en/LC_MESSAGES
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# makemessages rewrites the catalogue in place: run it on a copy of the sources, never on the work tree.
# static/js sits outside mtqg/: its copy goes under the copied mtqg/ so makemessages walks it (vendor/ is not copied).
mkdir -p "$tmp/src/mtqg/_static_js"
cp -r manage.py mtqg "$tmp/src/"
cp -r static/js/. "$tmp/src/mtqg/_static_js/"
failed=0
for domain in django djangojs; do
  (cd "$tmp/src/mtqg" && VAR_DIR="$tmp/var" DJANGO_SETTINGS_MODULE=mtqg.settings \
    "$PY" ../manage.py makemessages -d "$domain" -l en --no-obsolete -v 0)
  PO="$LC/$domain.po"
  fresh="$tmp/src/$PO"
  # msgattrib always prints the catalogue's header entry first: it is not a message
  count() { local n; n="$(msgattrib "$@" --no-obsolete --no-wrap "$fresh" | grep -c '^msgid ' || true)"; echo $((n > 0 ? n - 1 : 0)); }
  missing="$(count --untranslated)"
  fuzzy="$(count --only-fuzzy)"
  if [ "$missing" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
    echo "Bản dịch tiếng Anh chưa đủ: $missing chưa dịch, $fuzzy 'fuzzy' (sửa $PO, rồi make messages):" >&2
    for kind in --untranslated --only-fuzzy; do
      msgattrib "$kind" --no-obsolete --no-wrap "$fresh" | awk '/^msgid /{n++} n>1 && /^msgid /{print}' | head -50 >&2
    done
    failed=1
    continue
  fi
  echo "Bản dịch tiếng Anh ($domain): đủ ($(grep -c '^msgid ' "$fresh") thông điệp)."
done
exit "$failed"
