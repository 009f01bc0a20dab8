#!/usr/bin/env bash
# Builds the installable Debian package of the desktop app: Tauri's bundler (the npm
# `@tauri-apps/cli`, pinned) over a config generated from the root tauri.conf.json
# (src-tauri/bundle-config.sh; never edit the generated copy), carrying the web UI, the
# desktop entry and icon, the app (/usr/bin/storepos-desktop) and the `storepos` command
# line (/usr/bin/storepos). Data lives in the user's data directory
# (~/.local/share/cn.storepos.desktop, or STOREPOS_DATA); removing the package keeps it.
#
# Release build: ~5–8 minutes on 2 cores. Not part of scripts/test.sh (CI); run by
# scripts/soak.sh. Prints the path and size of the .deb last.
#   usage: scripts/package.sh            (needs the system packages of scripts/setup.sh)
#   install: sudo dpkg -i storepos_0.1.0_amd64.deb   (apt-get -f install for missing libs)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target="$root/$target" ;; esac
export CARGO_TARGET_DIR="$target"
TAURI_CLI_VERSION=2.12.5

echo "== web UI"
(cd ui && npm ci --no-audit --no-fund && npm run build)

echo "== storepos command line (release)"
cargo build --release --bin storepos

echo "== bundler config (generated from tauri.conf.json)"
src-tauri/bundle-config.sh
python3 - "$root/src-tauri/tauri.conf.json" "$target/release/storepos" <<'PY'
import json, sys
path, cli = sys.argv[1], sys.argv[2]
conf = json.load(open(path, encoding="utf-8"))
deb = conf.setdefault("bundle", {}).setdefault("linux", {}).setdefault("deb", {})
deb.setdefault("files", {})["/usr/bin/storepos"] = cli
with open(path, "w", encoding="utf-8") as f:
    json.dump(conf, f, ensure_ascii=False, indent=2)
    f.write("\n")
PY

echo "== desktop app + .deb (release)"
(cd src-tauri && npm exec --yes --package="@tauri-apps/cli@$TAURI_CLI_VERSION" -- tauri build --bundles deb --ci)

deb=$(ls -t "$target"/release/bundle/deb/*.deb | head -1)
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
dpkg-deb --contents "$deb" | awk '{print $6}' | grep -E 'usr/bin/|\.desktop$|icons/.*png$' || true
echo "package: $deb ($(du -h "$deb" | cut -f1))"
