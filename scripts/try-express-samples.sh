#!/usr/bin/env bash
# Runs Transmit's Express backend samples (TransmitSecurity/ciam-expressjs-vanilla-samples)
# end to end against a local sandbox, the samples unmodified but for their .env, and checks
# that transmit-admin's session store sees the sessions they create. PASS/FAIL per sample and
# step; exit 1 on any failure. Needs Node >= 18, npm and the npm registry: not part of the
# test suite or CI.
#
# Usage: scripts/try-express-samples.sh [--samples PATH_OR_GIT_URL] [--work DIR]
#            [--sandbox-port N] [--sample-port N] [SAMPLE ...]
#   --samples   a checkout, a bare git repository, or a git URL (default: clone from GitHub)
#   --work      where the samples are exported and installed, and the logs go (default: a new
#               temp folder, kept; reusing one skips the export and the npm install)
#   SAMPLE      any of the six below (default: all)
# Everything listens on 127.0.0.1 only. transmit-admin's store for the run is
# WORK/transmit-admin-home (TRANSMIT_ADMIN_HOME, emptied at each run), never your own data
# folder.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
samples_src="https://github.com/TransmitSecurity/ciam-expressjs-vanilla-samples.git"
work=""
sandbox_port=8900
sample_port=8080
all=(login-with-be-email login-with-be-magiclink login-with-be-sms login-with-be-mfa
     password-be-authentication silent-and-offline-be-auth)
chosen=()
while [ $# -gt 0 ]; do
  case "$1" in
    --samples) samples_src="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --sandbox-port) sandbox_port="$2"; shift 2 ;;
    --sample-port) sample_port="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) chosen+=("$1"); shift ;;
  esac
done
[ ${#chosen[@]} -gt 0 ] || chosen=("${all[@]}")

py="$here/.venv/bin/python"
cli="$here/.venv/bin/transmit-admin"
if [ ! -x "$cli" ]; then
  echo "== no .venv: scripts/bootstrap.sh" >&2
  "$here/scripts/bootstrap.sh"
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "FAIL: node and npm are needed" >&2; exit 1; }

[ -n "$work" ] || work="$(mktemp -d "${TMPDIR:-/tmp}/express-samples.XXXXXX")"
mkdir -p "$work"
samples="$work/samples"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# 1. The samples, exported clean (no work-tree edits of a checkout come along).
if [ ! -f "$samples/package.json" ]; then
  mkdir -p "$samples"
  is_repo=no
  if [ -d "$samples_src" ]; then
    if [ "$(git -C "$samples_src" rev-parse --is-bare-repository 2>/dev/null)" = true ] \
       || [ "$(git -C "$samples_src" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$samples_src" && pwd -P)" ]; then
      is_repo=yes
    fi
  fi
  if [ "$is_repo" = yes ]; then
    git -C "$samples_src" archive HEAD | tar -x -C "$samples"   # checkout or bare: committed files
  elif [ -d "$samples_src" ]; then
    cp -R "$samples_src/." "$samples/"                          # a plain folder
    rm -rf "$samples/node_modules" "$samples/.env"
  else
    git clone --depth 1 "$samples_src" "$work/clone"
    git -C "$work/clone" archive HEAD | tar -x -C "$samples"
  fi
  echo "== samples exported to $samples" >&2
fi

# 2. Their dependencies, as their README says (`npm install --force` at the root). The backend
#    samples are not workspaces: Node and vite find the root's node_modules from their folders.
if [ ! -d "$samples/node_modules/vite-plugin-mix" ]; then
  echo "== npm install --force (the samples' README)" >&2
  (cd "$samples" && npm install --force --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi

# 3. The sandbox, and the .env it prints (only base URL, credentials, redirect URI, port).
"$py" -m transmit_admin.sandbox --port "$sandbox_port" --seed 1 \
  --redirect-uri "http://localhost:$sample_port/complete" --print-env \
  > "$work/sandbox.env" 2> "$work/sandbox.log" &
pids+=($!)
for _ in $(seq 100); do
  grep -q '^VITE_TS_API_BASE=' "$work/sandbox.env" 2>/dev/null && break
  sleep 0.1
done
grep -q '^VITE_TS_API_BASE=' "$work/sandbox.env" || { echo "FAIL: sandbox did not start:"; cat "$work/sandbox.log"; exit 1; }
{ cat "$work/sandbox.env"; echo "PORT=$sample_port"; } > "$samples/.env"
echo "== sandbox on http://127.0.0.1:$sandbox_port; .env written to $samples/.env" >&2
# A fresh store per run: the sandbox is fresh too (with --seed 1 its ids repeat).
export TRANSMIT_ADMIN_HOME="$work/transmit-admin-home"
rm -rf "$TRANSMIT_ADMIN_HOME"

# 4. Each backend as `npm start` runs it (vite + vite-plugin-mix), bound to loopback.
failed=()
for sample in "${chosen[@]}"; do
  echo "== $sample" >&2
  log="$work/$sample.log"
  (cd "$samples/$sample" && exec ../node_modules/.bin/vite --host 127.0.0.1 \
     --port "$sample_port" --strictPort) > "$log" 2>&1 &
  vite=$!
  up=0
  for _ in $(seq 150); do
    if curl -s -o /dev/null "http://127.0.0.1:$sample_port/"; then up=1; break; fi
    kill -0 "$vite" 2>/dev/null || break
    sleep 0.2
  done
  if [ "$up" = 0 ]; then
    echo "FAIL $sample: backend did not start (see $log)"; failed+=("$sample")
  elif ! "$py" "$here/scripts/drive_express_samples.py" "$sample" \
         --sample-url "http://localhost:$sample_port" --env-file "$samples/.env" --cli "$cli"; then
    failed+=("$sample")
  fi
  kill "$vite" 2>/dev/null || true
  wait "$vite" 2>/dev/null || true
done

echo "== store: $cli sessions list (TRANSMIT_ADMIN_HOME=$TRANSMIT_ADMIN_HOME)" >&2
(set -a; . "$work/sandbox.env"; set +a; "$cli" sessions list --limit 100) || true
echo "== logs in $work" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "ALL PASSED: ${chosen[*]}"
