#!/usr/bin/env bash
# Regenerate the RU/EN catalogues from the code and compile them (needs GNU gettext).
#
# Translations already in locale/ru/LC_MESSAGES/django.po are kept; a new string arrives with an
# empty msgstr (or, when it resembles an old one, a fuzzy guess): translate it in the .po, remove
# any `#, fuzzy` flag, and run this script again. It ends with scripts/i18n_check.sh, which lists
# whatever is still untranslated and fails until nothing is.
# The English catalogue may keep empty msgstr: English is the source language.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
export DEBUG=1
"$PYTHON" manage.py makemessages -l ru -l en --ignore=.venv --ignore=tests --ignore=bench \
  --ignore=node_modules
"$PYTHON" manage.py compilemessages --ignore=.venv --ignore=node_modules
./scripts/i18n_check.sh
