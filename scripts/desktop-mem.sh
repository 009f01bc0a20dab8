#!/usr/bin/env bash
# Desktop memory of the release shell under Xvfb: total PSS of storepos-desktop and the
# WebKit processes it starts (web, network), three ways, in one run:
#   1. idle: a fresh store, the window up on its first screen for SETTLE seconds;
#   2. after N sales rung up in ONE window over WebDriver, measured at each count listed in
#      DESKTOP_MEM_SALES (default "100,1000": the same process at 100 and at 1,000 sales;
#      tests/desktop/smoke.sh with SMOKE_MEM_AT), then the growth between the first and
#      the last mark and the ratios;
#   3. the same shell showing an empty page (STOREPOS_DESKTOP_BLANK=1): the floor WebKit sets.
#
# Needs: the release shell (npm run build in ui/, then cargo build --release -p storepos-desktop),
# apt packages xvfb xauth (and webkit2gtk-driver + tauri-driver for step 2: see smoke.sh).
# Env: STOREPOS_DESKTOP_BIN (default $CARGO_TARGET_DIR or target/release/storepos-desktop),
#      SETTLE (8 s), DESKTOP_MEM_SALES ("100,1000"), SKIP_SALES=1 to measure only 1 and 3,
#      DESKTOP_MEM_LOG (keep the smoke test's whole output there: the page figures per 100 sales).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
BIN=${STOREPOS_DESKTOP_BIN:-$TARGET/release/storepos-desktop}
SETTLE=${SETTLE:-8}
SALES=${DESKTOP_MEM_SALES:-100,1000}
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
marks=()
if [ "${SKIP_SALES:-0}" != 1 ]; then
  log=${DESKTOP_MEM_LOG:-$(mktemp /tmp/storepos-desktop-mem-sales.XXXXXX)}
  last=${SALES##*,}
  # 1,000 sales take a few minutes; the timeout grows with the count
  if STOREPOS_DESKTOP_BIN=$BIN SMOKE_MEM_AT=$SALES SMOKE_TIMEOUT=$((600 + last)) bash tests/desktop/smoke.sh >"$log" 2>&1; then
    mapfile -t marks < <(grep -o "^desktop memory at .*" "$log" || true)
    [ ${#marks[@]} -gt 0 ] || marks=("(the smoke test printed no memory line: $log)")
  else
    marks=("(smoke test failed, see $log: $(tail -3 "$log" | tr '\n' ' '))")
  fi
fi

mb() { echo $(( $1 / 1024 )); }
printf '%-34s %8s  %s\n' "desktop memory (release, Xvfb)" "PSS" "processes"
printf '%-34s %5d MB  %s\n' "idle, first screen" "$(mb "${idle%%$'\t'*}")" "${idle#*$'\t'}"
printf '%-34s %5d MB  %s\n' "same shell, empty page (floor)" "$(mb "${blank%%$'\t'*}")" "${blank#*$'\t'}"
[ "${SKIP_SALES:-0}" = 1 ] && { echo "after sales: (skipped: SKIP_SALES=1)"; exit 0; }
first="" firstn="" lastpss="" lastn=""
for line in "${marks[@]}"; do
  if [[ $line =~ ^desktop\ memory\ at\ ([0-9]+)\ sales:\ PSS\ ([0-9]+)\ MB\ \((.*)\)\;\ page\ (.*)$ ]]; then
    printf '%-34s %5d MB  %s\n' "after ${BASH_REMATCH[1]} sales (same window)" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
    printf '%-34s %8s  page: %s\n' "" "" "${BASH_REMATCH[4]}"
    [ -z "$first" ] && { first=${BASH_REMATCH[2]}; firstn=${BASH_REMATCH[1]}; }
    lastpss=${BASH_REMATCH[2]}; lastn=${BASH_REMATCH[1]}
  else
    echo "$line"
  fi
done
if [ -n "$first" ] && [ "$lastn" != "$firstn" ]; then
  python3 - "$firstn" "$first" "$lastn" "$lastpss" "$(mb "${idle%%$'\t'*}")" "$(mb "${blank%%$'\t'*}")" <<'PY'
import sys
n1, p1, n2, p2, idle, floor = map(int, sys.argv[1:])
g = p2 - p1
print(f"growth {n1} -> {n2} sales: {g:+d} MB ({g / (n2 - n1) * 1024:.0f} KB a sale); target <= 30 MB: {'met' if g <= 30 else 'NOT met'}")
print(f"ratios: {n2} sales / {n1} sales {p2 / p1:.2f}; {n1} sales / idle {p1 / idle:.2f}; {n2} sales / idle {p2 / idle:.2f}; "
      f"idle / floor {idle / floor:.2f}; {n2} sales / floor {p2 / floor:.2f}")
PY
fi
