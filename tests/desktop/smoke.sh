#!/usr/bin/env bash
# Desktop smoke test: the real Tauri window under Xvfb, driven over WebDriver
# (tauri-driver + Debian's WebKitWebDriver). Logs in as the cashier, sells, checks
# today's orders, takes screenshots and prints first-paint time and RSS.
#
# Needs: $CARGO_TARGET_DIR (else target)/debug/storepos-desktop (cargo build -p storepos-desktop, after
# `npm run build` in ui/: the UI is embedded at compile time), apt packages
# xvfb xauth webkit2gtk-driver imagemagick, python3. Installs tauri-driver if missing.
# Env: STOREPOS_DESKTOP_BIN, SMOKE_SALES (3), SMOKE_SHOT_DIR (/tmp), SMOKE_TIMEOUT (300 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
export STOREPOS_DESKTOP_BIN=${STOREPOS_DESKTOP_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/debug/storepos-desktop}
[ -x "$STOREPOS_DESKTOP_BIN" ] || { echo "no $STOREPOS_DESKTOP_BIN: run cargo build -p storepos-desktop" >&2; exit 1; }
command -v WebKitWebDriver >/dev/null || { echo "WebKitWebDriver missing: apt-get install webkit2gtk-driver" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "xvfb-run missing: apt-get install xvfb xauth" >&2; exit 1; }
if ! command -v tauri-driver >/dev/null; then
  start=$(date +%s)
  cargo install tauri-driver --locked
  echo "installed tauri-driver in $(( $(date +%s) - start )) s"
fi

# A fresh store for every run (the shell creates it: demo catalog and users).
STOREPOS_DATA=$(mktemp -d /tmp/storepos-desktop-smoke.XXXXXX)
export STOREPOS_DATA
export SMOKE_SHOT_DIR=${SMOKE_SHOT_DIR:-/tmp}
# Ports of our own, so parallel runs and other tools on 4444 don't collide.
PORT=${WEBDRIVER_PORT:-$(( 20000 + RANDOM % 20000 ))}
export WEBDRIVER_URL="http://127.0.0.1:$PORT"
export PORT

status=0
timeout --kill-after=10 "${SMOKE_TIMEOUT:-300}" xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
  set -u
  tauri-driver --port "$PORT" --native-port $((PORT + 1)) > /tmp/tauri-driver.log 2>&1 &
  export TAURI_DRIVER_PID=$!
  trap "kill $TAURI_DRIVER_PID 2>/dev/null; wait $TAURI_DRIVER_PID 2>/dev/null" EXIT
  for _ in $(seq 100); do
    # /status is forwarded to WebKitWebDriver: ready means both drivers are up
    curl -fs "$WEBDRIVER_URL/status" >/dev/null 2>&1 && break
    sleep 0.1
  done
  python3 tests/desktop/webdriver_smoke.py
' || status=$?
rm -rf "$STOREPOS_DATA"
exit $status
