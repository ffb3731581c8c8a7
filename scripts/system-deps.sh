#!/usr/bin/env bash
# Installs the Debian libraries Qt needs; only what is missing is installed.
#   (no flag)  offscreen rendering (tests, the bundle's smoke test)
#   --window   also the xcb libraries a real window needs (`make run`)
#   --gui      --window plus Xvfb and ImageMagick, to run and photograph a window headless
#   --test     offscreen plus a Secret Service (keyring tests), the metadata validators and
#              PostgreSQL's server binaries (team tests start a throwaway cluster of their own;
#              no system cluster is created or left running)
set -eu
pkgs=(libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3 fonts-dejavu-core)
window=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
        libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1)
case "${1:-}" in
  "") ;;
  --window) pkgs+=("${window[@]}") ;;
  --gui) pkgs+=("${window[@]}" xvfb xauth imagemagick) ;;
  --test) pkgs+=(dbus gnome-keyring appstream desktop-file-utils postgresql) ;;
  *) echo "usage: $0 [--window|--gui|--test]" >&2; exit 2 ;;
esac
command -v dpkg-query >/dev/null 2>&1 || { echo "not a Debian system: make sure Qt's libraries (${pkgs[*]}) are installed" >&2; exit 0; }
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Qt needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root: apt-get install ${missing[*]}" >&2; exit 1; fi
else SUDO=""; fi
echo "installing system packages: ${missing[*]}"
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  # Only the binaries are wanted: tell postgresql-common not to create (and start) the
  # system's `main` cluster on install.
  $SUDO mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/transmit-admin-tests.conf >/dev/null
fi
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
