#!/usr/bin/env bash
# Check that the RU/EN catalogues are complete and up to date, without touching the work tree
# (needs GNU gettext: msgfmt, msgattrib, xgettext, msgmerge). Fails when
#   1. the code has a string whose Russian translation is missing, empty or fuzzy
#      (makemessages is re-run on a temporary copy of the tree);
#   2. a committed .po is not what makemessages makes of it (strings added, changed or removed
#      in the code since the last scripts/i18n_update.sh);
#   3. a committed .mo is stale (each .po is compiled to a temporary file and compared).
# Fix: translate in locale/ru/LC_MESSAGES/django.po and run scripts/i18n_update.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
for tool in msgfmt msgattrib msgmerge xgettext; do
  command -v "$tool" >/dev/null || { echo "i18n_check: $tool not found (apt-get install gettext)" >&2; exit 2; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/tree"
tar -C "$ROOT" -cf - \
  --exclude=.git --exclude=.venv --exclude=node_modules --exclude=./var \
  --exclude=.mypy_cache --exclude=.ruff_cache --exclude=.pytest_cache \
  --exclude=__pycache__ --exclude='*.sqlite3' . | tar -C "$TMP/tree" -xf -
(cd "$TMP/tree" && DEBUG=1 "$PYTHON" manage.py makemessages -l ru -l en -v 0 \
  --ignore=.venv --ignore=tests --ignore=bench --ignore=node_modules)

status=0
fail() { echo "i18n_check: $*" >&2; status=1; }

# The entries without their header and source locations, sorted: what a catalogue says.
entries() { msgattrib --no-obsolete --no-location --no-wrap --sort-output "$1" | sed '1,/^$/d'; }

# 1. every string of the code has a Russian translation
fresh_ru="$TMP/tree/locale/ru/LC_MESSAGES/django.po"
untranslated="$(msgattrib --no-obsolete --untranslated --no-location "$fresh_ru" | sed '1,/^$/d')"
fuzzy="$(msgattrib --no-obsolete --only-fuzzy --no-location "$fresh_ru" | sed '1,/^$/d')"
if [ -n "$untranslated" ]; then
  fail "strings without a Russian translation:"
  echo "$untranslated" >&2
fi
if [ -n "$fuzzy" ]; then
  fail "fuzzy Russian translations (check them, then remove the '#, fuzzy' line):"
  echo "$fuzzy" >&2
fi
if head -n 30 locale/ru/LC_MESSAGES/django.po | grep -q '^#, fuzzy'; then
  fail "the header of locale/ru/LC_MESSAGES/django.po is marked fuzzy"
fi
msgfmt --check -o /dev/null locale/ru/LC_MESSAGES/django.po || fail "msgfmt --check failed for ru"

# 2. the committed catalogues are what makemessages makes of the code
for lang in ru en; do
  po="locale/$lang/LC_MESSAGES/django.po"
  if [ ! -f "$po" ]; then fail "$po is missing"; continue; fi
  if ! diff -u --label "$po (committed)" --label "$po (regenerated)" \
      <(entries "$po") <(entries "$TMP/tree/$po") >"$TMP/diff_$lang"; then
    fail "$po is out of date with the code: run scripts/i18n_update.sh"
    cat "$TMP/diff_$lang" >&2
  fi
done

# 3. the compiled catalogues are those of the committed .po files
for po in locale/*/LC_MESSAGES/django.po; do
  mo="${po%.po}.mo"
  compiled="$TMP/$(echo "$po" | tr / _).mo"
  msgfmt --check-format -o "$compiled" "$po"
  if [ ! -f "$mo" ]; then
    fail "$mo is missing: run scripts/i18n_update.sh"
  elif ! cmp -s "$compiled" "$mo"; then
    fail "$mo is stale: run scripts/i18n_update.sh"
  fi
done

if [ "$status" -eq 0 ]; then
  count="$(entries locale/ru/LC_MESSAGES/django.po | grep -c '^msgid ')"
  echo "i18n_check: OK, $count strings, all translated into Russian, .mo files up to date"
fi
exit "$status"
