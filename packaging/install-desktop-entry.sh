#!/usr/bin/env bash
# Adds transmit-admin to the Linux desktop's application menu: installs the .desktop file, the
# AppStream metainfo and the app icon (SVG + PNG sizes) into ~/.local/share (or --data-dir).
#
# Works for all three ways of installing the app:
#   a bundle:  dist/transmit-admin/install-desktop-entry.sh         (the spec copies it there)
#   a wheel:   packaging/install-desktop-entry.sh  (from an sdist or checkout, or fetched alone:
#              it finds `transmit-admin` on PATH, e.g. pipx's ~/.local/bin, and asks it)
#   a checkout: packaging/install-desktop-entry.sh --exec "$PWD/.venv/bin/transmit-admin"
#
# Usage: install-desktop-entry.sh [--exec PATH] [--data-dir DIR] [--resources DIR] [--uninstall]
#   --exec PATH       the program the menu entry starts (default: the bundle's binary next to
#                     this script, else `transmit-admin` on PATH), written as an absolute path
#                     because the desktop session's PATH often lacks ~/.local/bin
#   --data-dir DIR    where to install (default: ${XDG_DATA_HOME:-~/.local/share})
#   --resources DIR   the app's resources folder (default: found next to this script, else
#                     asked from the installed package)
#   --uninstall       remove what an earlier run installed
set -euo pipefail

APP_ID=io.github.transmit_admin.TransmitAdmin
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec_path=""
data_dir="${XDG_DATA_HOME:-$HOME/.local/share}"
resources=""
uninstall=0

die() { echo "install-desktop-entry: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --exec) [ $# -ge 2 ] || die "--exec needs a path"; exec_path="$2"; shift 2 ;;
    --data-dir) [ $# -ge 2 ] || die "--data-dir needs a folder"; data_dir="$2"; shift 2 ;;
    --resources) [ $# -ge 2 ] || die "--resources needs a folder"; resources="$2"; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

targets=(
  "$data_dir/applications/$APP_ID.desktop"
  "$data_dir/metainfo/$APP_ID.metainfo.xml"
  "$data_dir/icons/hicolor/scalable/apps/$APP_ID.svg"
)
for size in 16 32 48 64 128 256 512; do
  targets+=("$data_dir/icons/hicolor/${size}x${size}/apps/$APP_ID.png")
done

refresh_caches() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data_dir/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$data_dir/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$data_dir/icons/hicolor" 2>/dev/null || true
  fi
}

if [ "$uninstall" = 1 ]; then
  for t in "${targets[@]}"; do rm -f "$t"; done
  refresh_caches
  echo "removed transmit-admin's menu entry and icons from $data_dir"
  exit 0
fi

# The program to start.
if [ -z "$exec_path" ]; then
  if [ -x "$here/transmit-admin" ] && [ -d "$here/_internal" ]; then
    exec_path="$here/transmit-admin"                      # running from inside a bundle
  elif command -v transmit-admin >/dev/null 2>&1; then
    exec_path="$(command -v transmit-admin)"              # a wheel installed with pipx/pip
  else
    die "cannot find transmit-admin: install it (pipx install transmit-admin-*.whl) or pass --exec PATH"
  fi
fi
case "$exec_path" in /*) ;; *) exec_path="$(cd "$(dirname "$exec_path")" && pwd)/$(basename "$exec_path")" ;; esac
[ -x "$exec_path" ] || die "not an executable program: $exec_path"

# The resources to copy.
if [ -z "$resources" ]; then
  for candidate in "$here/_internal/transmit_admin/resources" "$here/../resources"; do
    if [ -d "$candidate/desktop" ]; then resources="$(cd "$candidate" && pwd)"; break; fi
  done
fi
if [ -z "$resources" ]; then
  # A wheel install: the console script's first line names the Python that has the package.
  interpreter="$(head -n 1 "$exec_path" | sed -n 's/^#! *//p' | cut -d' ' -f1)"
  if [ -n "$interpreter" ] && [ -x "$interpreter" ]; then
    resources="$("$interpreter" -c 'from transmit_admin.resources import resource_root; print(resource_root())')" \
      || die "$interpreter could not locate transmit-admin's resources; pass --resources DIR"
  fi
fi
[ -n "$resources" ] && [ -d "$resources/desktop" ] || die "cannot find the resources folder; pass --resources DIR"

# Desktop entry keys quote arguments with double quotes; a path with spaces needs them.
quoted="$exec_path"
case "$exec_path" in *[[:space:]]*) quoted="\"$exec_path\"" ;; esac
escaped="$(printf '%s' "$quoted" | sed 's/[\\&|]/\\&/g')"

install -d "$data_dir/applications" "$data_dir/metainfo" "$data_dir/icons/hicolor/scalable/apps"
sed -e "s|^Exec=.*|Exec=$escaped|" -e "s|^TryExec=.*|TryExec=$(printf '%s' "$exec_path" | sed 's/[\\&|]/\\&/g')|" \
  "$resources/desktop/$APP_ID.desktop" > "$data_dir/applications/$APP_ID.desktop"
chmod 0644 "$data_dir/applications/$APP_ID.desktop"
install -m 0644 "$resources/desktop/$APP_ID.metainfo.xml" "$data_dir/metainfo/$APP_ID.metainfo.xml"
install -m 0644 "$resources/icons/app.svg" "$data_dir/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 16 32 48 64 128 256 512; do
  install -d "$data_dir/icons/hicolor/${size}x${size}/apps"
  install -m 0644 "$resources/icons/hicolor/${size}x${size}/apps/$APP_ID.png" \
    "$data_dir/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
refresh_caches
echo "installed the transmit-admin menu entry into $data_dir (starts $exec_path)"
echo "remove it with: $0 --uninstall${data_dir:+ --data-dir $data_dir}"
