#!/usr/bin/env bash
# Creates .venv with the best Python available and installs the project into it.
# Usage: scripts/bootstrap.sh [extra ...]   e.g. `scripts/bootstrap.sh test`
# Re-running is cheap: the install is skipped while pyproject.toml is unchanged.
set -eu
cd "$(dirname "$0")/.."
extras="${*:-}"
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  py="$(scripts/find-python.sh)"
  echo "creating $venv with $("$py" --version 2>&1) ($py)"
  "$py" -m venv "$venv"
fi
stamp="$venv/.installed-$(echo "$extras" | tr ' ' '-')"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  spec="."
  [ -n "$extras" ] && spec=".[$(echo "$extras" | tr ' ' ',')]"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e "$spec"
  touch "$stamp"
fi
