#!/usr/bin/env bash
# Creates .venv/ and installs the locked requirements into it, checking every hash.
#   scripts/bootstrap.sh base   what the site needs (make run)
#   scripts/bootstrap.sh dev    that plus the test and lint tools (make test)
# Uses uv when it is on PATH (faster), pip otherwise; INSTALLER=pip forces pip.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${1:-base}
case "$profile" in
  base) requirements=(-r requirements/base.txt) ;;
  dev) requirements=(-r requirements/base.txt -r requirements/dev.txt) ;;
  *) echo "usage: $0 base|dev" >&2; exit 2 ;;
esac

venv=.venv
is_311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

python=${PYTHON:-}
if [ -z "$python" ]; then
  python=python3
  command -v python3.11 >/dev/null 2>&1 && python=python3.11
fi

if ! is_311 "$venv/bin/python"; then
  if ! is_311 "$python"; then
    echo "studymarket needs Python 3.11: '$python' is $("$python" --version 2>&1 || echo missing)." >&2
    echo "Point PYTHON at a Python 3.11, e.g. PYTHON=python3.11 make run" >&2
    exit 1
  fi
  if [ -e "$venv" ]; then
    echo "Replacing $venv/: it does not hold a working Python 3.11." >&2
    rm -rf "$venv"
  fi
  echo "Creating $venv/ with $("$python" --version)"
  "$python" -m venv "$venv"
fi

echo "Installing requirements ($profile) into $venv/"
if [ "${INSTALLER:-}" != pip ] && command -v uv >/dev/null 2>&1; then
  uv pip install --quiet --python "$venv/bin/python" --require-hashes "${requirements[@]}"
else
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes "${requirements[@]}"
fi
