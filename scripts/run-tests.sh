#!/usr/bin/env bash
# The README's test command (`make test`): set up, lint, type-check, test.
# Runs pytest inside a private D-Bus session with an unlocked gnome-keyring, so the keyring
# tests use a real Secret Service, as a desktop user's machine would.
set -eu
cd "$(dirname "$0")/.."
scripts/system-deps.sh --test
scripts/bootstrap.sh test
export QT_QPA_PLATFORM=offscreen
# system-deps.sh installed PostgreSQL: the team tests must run, never skip (tests/team).
export TRANSMIT_ADMIN_REQUIRE_POSTGRES=1
V=.venv/bin
echo "== ruff"; $V/ruff check transmit_admin tests bench
echo "== ruff format"; $V/ruff format --check transmit_admin tests bench
echo "== mypy"; $V/mypy
echo "== pytest"
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  exec dbus-run-session -- sh -c 'echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$0" "$@"' \
    $V/python -m pytest "$@"
fi
exec $V/python -m pytest "$@"
