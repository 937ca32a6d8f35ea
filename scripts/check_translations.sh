#!/usr/bin/env bash
# `make lint`: every message in the code and templates (Vietnamese source) has an English translation in
# mtqg/locale/en/LC_MESSAGES/django.po, and none is fuzzy. django.po is the one source of the English text
# (decision 0031): `make messages` extracts and compiles, a person writes the msgstr.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PO=mtqg/locale/en/LC_MESSAGES/django.po
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# makemessages rewrites the catalogue in place: run it on a copy of the sources, never on the work tree
mkdir -p "$tmp/src"
cp -r manage.py mtqg "$tmp/src/"
root="$PWD"
(cd "$tmp/src/mtqg" && VAR_DIR="$tmp/var" DJANGO_SETTINGS_MODULE=mtqg.settings \
  "$root/$PY" ../manage.py makemessages -l en --no-obsolete -v 0)
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
  exit 1
fi
echo "Bản dịch tiếng Anh: đủ ($(grep -c '^msgid ' "$fresh") thông điệp)."
