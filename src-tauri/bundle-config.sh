#!/usr/bin/env bash
# The Tauri CLI's bundler (`tauri build` → .deb) wants its config inside src-tauri/;
# cargo builds use the repository-root tauri.conf.json. This generates the bundler's
# copy from the root file (paths re-based from the repository root to src-tauri/), so
# the two never drift: never edit src-tauri/tauri.conf.json by hand (it is git-ignored).
#   usage: src-tauri/bundle-config.sh && (cd src-tauri && npx @tauri-apps/cli build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python3 - "$here/../tauri.conf.json" "$here/tauri.conf.json" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
conf = json.load(open(src, encoding="utf-8"))
def rebase(p):
    # root-relative → src-tauri-relative
    return os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(src)), p), os.path.dirname(os.path.abspath(dst)))
b = conf.get("build", {})
if "frontendDist" in b:
    b["frontendDist"] = rebase(b["frontendDist"])
bundle = conf.get("bundle", {})
if "icon" in bundle:
    bundle["icon"] = [rebase(i) for i in bundle["icon"]]
with open(dst, "w", encoding="utf-8") as f:
    json.dump(conf, f, ensure_ascii=False, indent=2)
    f.write("\n")
print(f"wrote {dst}")
PY
