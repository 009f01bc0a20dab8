#!/usr/bin/env bash
# Installs what storepos needs on a fresh Debian machine (idempotent, skips what is there).
#   scripts/setup.sh            system packages for tests + the web UI build
#   scripts/setup.sh --desktop  also the webkit/GTK packages the Tauri shell builds against
set -euo pipefail
cd "$(dirname "$0")/.."

desktop=0
[ "${1:-}" = "--desktop" ] && desktop=1

# iproute2 + curl: tests/it/lan_tls.rs reaches the LAN listener from a network namespace
# of its own (ip netns, a veth pair; needs root) with curl inside it.
pkgs=(chromium fonts-noto-cjk curl iproute2 pkg-config build-essential)
if [ $desktop = 1 ]; then
  pkgs+=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev
         libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev file
         xvfb xauth webkit2gtk-driver imagemagick x11-utils)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "setup: installing ${missing[*]}"
  # A machine whose last dpkg run was cut short refuses every install until it is finished;
  # finish it first (a no-op on a healthy machine), and retry once after a transient failure.
  DEBIAN_FRONTEND=noninteractive $SUDO dpkg --configure -a || true
  $SUDO apt-get update -q
  install() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  if ! install; then
    echo "setup: apt-get install failed; repairing dpkg and retrying once"
    DEBIAN_FRONTEND=noninteractive $SUDO dpkg --configure -a || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -f install -y -q || true
    $SUDO apt-get update -q
    install
  fi
fi

if [ -f ui/package-lock.json ]; then
  echo "setup: building the UI (npm ci && npm run build)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
fi
