#!/usr/bin/env bash
# Desktop memory of the release shell under Xvfb: total PSS of storepos-desktop and the
# WebKit processes it starts (web, network), three ways, in one run:
#   1. idle: a fresh store, the window up on its first screen for SETTLE seconds;
#   2. after N sales (DESKTOP_MEM_SALES, default 100) rung up in the window over WebDriver
#      (tests/desktop/smoke.sh, which prints RSS and PSS at its end);
#   3. the same shell showing an empty page (STOREPOS_DESKTOP_BLANK=1): the floor WebKit sets.
#
# Needs: the release shell (npm run build in ui/, then cargo build --release -p storepos-desktop),
# apt packages xvfb xauth (and webkit2gtk-driver + tauri-driver for step 2: see smoke.sh).
# Env: STOREPOS_DESKTOP_BIN (default $CARGO_TARGET_DIR or target/release/storepos-desktop),
#      SETTLE (8 s), DESKTOP_MEM_SALES (100), SKIP_SALES=1 to measure only 1 and 3.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
BIN=${STOREPOS_DESKTOP_BIN:-$TARGET/release/storepos-desktop}
SETTLE=${SETTLE:-8}
SALES=${DESKTOP_MEM_SALES:-100}
[ -x "$BIN" ] || { echo "no $BIN: cargo build --release -p storepos-desktop (after npm run build in ui/)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "xvfb-run missing: apt-get install xvfb xauth" >&2; exit 1; }

# PSS (KiB) of a process and all its descendants, with a per-process breakdown on stderr.
pss_tree() {
  python3 - "$1" <<'PY'
import subprocess, sys
root = int(sys.argv[1])
rows = {}
for line in subprocess.run(["ps", "-e", "-o", "pid=,ppid=,comm="], capture_output=True, text=True).stdout.splitlines():
    pid, ppid, comm = line.split(None, 2)
    rows[int(pid)] = (int(ppid), comm)
keep, frontier = {root}, [root]
while frontier:
    p = frontier.pop()
    for pid, (ppid, _) in rows.items():
        if ppid == p and pid not in keep:
            keep.add(pid); frontier.append(pid)
total, parts = 0, []
for pid in sorted(keep):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            pss = next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
    except (OSError, StopIteration):
        continue
    total += pss
    parts.append(f"{rows.get(pid, (0, '?'))[1]} {pss // 1024} MB")
print(total)
print("; ".join(parts), file=sys.stderr)
PY
}

# Starts the shell under its own Xvfb, waits SETTLE s, prints "<PSS KiB>\t<breakdown>".
measure() {
  local data out
  data=$(mktemp -d /tmp/storepos-desktop-mem.XXXXXX)
  out=$(mktemp)
  STOREPOS_DATA=$data timeout --kill-after=5 $((SETTLE + 60)) xvfb-run -a -s "-screen 0 1440x900x24" \
    env "$@" "$BIN" >"$out.log" 2>&1 &
  local wrapper=$!
  local pid=""
  for _ in $(seq 100); do
    pid=$(pgrep -n -x storepos-deskto -P "$(pgrep -d, -P $wrapper || echo 0)" 2>/dev/null || true)
    [ -z "$pid" ] && pid=$(pgrep -n -f "^$BIN\$" || true)
    [ -n "$pid" ] && break
    sleep 0.2
  done
  [ -n "$pid" ] || { echo "the shell did not start:" >&2; cat "$out.log" >&2; kill $wrapper 2>/dev/null; return 1; }
  sleep "$SETTLE"
  local kib breakdown
  kib=$(pss_tree "$pid" 2>"$out")
  breakdown=$(cat "$out")
  kill "$pid" 2>/dev/null || true
  wait $wrapper 2>/dev/null || true
  rm -rf "$data" "$out" "$out.log"
  printf '%s\t%s\n' "$kib" "$breakdown"
}

idle=$(measure STOREPOS_DESKTOP_MEM=1)
blank=$(measure STOREPOS_DESKTOP_BLANK=1)
sales_line="(skipped: SKIP_SALES=1)"
if [ "${SKIP_SALES:-0}" != 1 ]; then
  if sales_out=$(STOREPOS_DESKTOP_BIN=$BIN SMOKE_SALES=$SALES SMOKE_TIMEOUT=900 bash tests/desktop/smoke.sh 2>&1); then
    sales_line=$(grep -o "desktop RSS after .*" <<<"$sales_out" || echo "(smoke test printed no memory line)")
  else
    sales_line="(smoke test failed: $(tail -3 <<<"$sales_out" | tr '\n' ' '))"
  fi
fi

printf '%-34s %8s  %s\n' "desktop memory (release, Xvfb)" "PSS" "processes"
printf '%-34s %5d MB  %s\n' "idle, first screen" $(( ${idle%%$'\t'*} / 1024 )) "${idle#*$'\t'}"
printf '%-34s %5d MB  %s\n' "same shell, empty page (floor)" $(( ${blank%%$'\t'*} / 1024 )) "${blank#*$'\t'}"
printf '%-34s %s\n' "after $SALES sales" "$sales_line"
echo "target: ≤ 150 MB after $SALES sales"
