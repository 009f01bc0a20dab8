#!/usr/bin/env bash
# Runs every check and test of storepos on this machine (installs what it needs first):
#   0. house rules: rustfmt, clippy (-D warnings, the desktop crate included), rustdoc
#      (-D warnings), TypeScript (tsc --noEmit)
#   1. Rust: unit, property, integration, crash (SIGKILL), chaos, disk, security tests
#   2. UI unit tests (vitest)
#   3. browser end-to-end tests: headless Chromium against `storepos serve` + `storepos sim`
#   4. the desktop window (Tauri) under Xvfb through tauri-driver: a smoke test
#   5. `storepos bench --quick`: figures, printed, not asserted
# Every stage runs, even after another failed. Each adds the passed/failed counts parsed
# from what it actually ran (a stage that did not run adds nothing; one that failed
# without a count of its own adds one failure). Ends with each stage's wall time and one
# line "tests: N passed, M failed"; exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target test-artifacts
script_start=$(date +%s)
bash scripts/setup.sh --desktop

passed=0
failed=0
times=()
stage_start=0
stage_name=""

begin() {
  stage_name=$1
  stage_start=$(date +%s)
  echo "== $stage_name"
}
# end PASSED FAILED: adds a stage's counts and records its wall time.
end() {
  passed=$((passed + $1))
  failed=$((failed + $2))
  times+=("$(printf '%5d s  %s: %d passed, %d failed' $(($(date +%s) - stage_start)) "$stage_name" "$1" "$2")")
}
strip() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1"; }
# A command that exited non-zero yet reported no failure (did not compile, crashed,
# timed out) counts as one failure.
at_least_one() { if [ "$1" != 0 ] && [ "$2" = 0 ]; then echo 1; else echo "$2"; fi; }

begin "0. house rules (fmt, clippy, rustdoc, tsc)"
p=0
f=0
# house NAME LOG COMMAND...: one check each.
house() {
  local name=$1 log=test-artifacts/$2 s=0
  shift 2
  echo "-- $name"
  "$@" >"$log" 2>&1 || s=$?
  if [ $s = 0 ]; then p=$((p + 1)); else f=$((f + 1)); tail -n 40 "$log"; echo "-- $name FAILED (exit $s, log $log)"; fi
}
house "cargo fmt --all --check" fmt.log cargo fmt --all --check
house "cargo clippy --workspace --all-targets -D warnings" clippy.log \
  cargo clippy --workspace --all-targets -- -D warnings
house "cargo doc --workspace --no-deps (-D warnings)" doc.log \
  env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
house "tsc --noEmit (ui)" tsc.log bash -c 'cd ui && npx tsc --noEmit -p .'
end $p $f

begin "1. cargo test (storepos, printers, sim)"
status=0
cargo test --no-fail-fast 2>&1 | tee test-artifacts/cargo-test.log || status=$?
# "test result: ok. 12 passed; 0 failed; ..." per test binary
read -r p f < <(grep -E '^test result:' test-artifacts/cargo-test.log |
  sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
end "$p" "$(at_least_one $status "$f")"

begin "2. ui unit tests (vitest)"
status=0
(cd ui && NO_COLOR=1 FORCE_COLOR=0 npx vitest run --reporter=default) 2>&1 | tee test-artifacts/ui-unit.log || status=$?
# " Tests  2 failed | 310 passed (312)"
line=$(strip test-artifacts/ui-unit.log | grep -E '^\s*Tests\s+' | tail -1 || true)
p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
end "$p" "$(at_least_one $status "$f")"

if grep -q '"e2e"' ui/package.json; then
  begin "3. browser end-to-end (Chromium, storepos serve + sim)"
  status=0
  { cargo build --bin storepos && (cd ui && npm run e2e); } 2>&1 | tee test-artifacts/e2e.log || status=$?
  # node --test's summary: "# pass 12" / "# fail 0" (once per run)
  p=$(strip test-artifacts/e2e.log | grep -E '^# pass [0-9]+' | awk '{s+=$3} END {print s+0}')
  f=$(strip test-artifacts/e2e.log | grep -E '^# fail [0-9]+' | awk '{s+=$3} END {print s+0}')
  end "$p" "$(at_least_one $status "$f")"
fi

begin "4. desktop window smoke test (Tauri under Xvfb)"
status=0
{ cargo build -p storepos-desktop && SMOKE_SHOT_DIR=test-artifacts bash tests/desktop/smoke.sh; } 2>&1 |
  tee test-artifacts/desktop-smoke.log || status=$?
# webdriver_smoke.py ends with "desktop smoke: N passed, M failed"
line=$(grep -E '^desktop smoke: [0-9]+ passed, [0-9]+ failed' test-artifacts/desktop-smoke.log | tail -1 || true)
p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"${line:-x 0 passed}")
f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${line:-x 0 failed}")
end "$p" "$(at_least_one $status "$f")"

echo "== 5. storepos bench --quick (debug build: figures, not assertions)"
bench_start=$(date +%s)
cargo run --quiet --bin storepos -- bench --quick || echo "bench failed (not a test)"
times+=("$(printf '%5d s  5. bench (figures, not counted)' $(($(date +%s) - bench_start)))")

echo
echo "== wall time per stage"
printf '%s\n' "${times[@]}"
printf '%5d s  total (setup included)\n' $(($(date +%s) - script_start))
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
