#!/usr/bin/env bash
# Runs every test of storepos on this machine (installs what it needs first):
#   1. Rust: unit, property, integration, crash (SIGKILL), chaos, disk, security tests
#   2. UI unit tests (vitest)
#   3. browser end-to-end tests: headless Chromium against `storepos serve` + `storepos sim`
#   4. the desktop window (Tauri) under Xvfb through tauri-driver: a smoke test
#   5. `storepos bench --quick`: figures, printed, not asserted
# Ends with one line "tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target test-artifacts
bash scripts/setup.sh --desktop

passed=0
failed=0
count_cargo() {
  # "test result: ok. 12 passed; 0 failed; ..."
  while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
    grep -E '^test result:' "$1" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' || true)
}

echo "== 1. cargo test (storepos, printers, sim)"
status=0
cargo test --no-fail-fast 2>&1 | tee test-artifacts/cargo-test.log || status=$?
count_cargo test-artifacts/cargo-test.log
[ $status = 0 ] || { echo "tests: $passed passed, $((failed > 0 ? failed : 1)) failed"; exit 1; }

echo "== 2. ui unit tests"
(cd ui && NO_COLOR=1 FORCE_COLOR=0 npx vitest run --reporter=default) 2>&1 | tee test-artifacts/ui-unit.log
p=$(sed -E 's/\x1b\[[0-9;]*m//g' test-artifacts/ui-unit.log | grep -E '^\s*Tests\s+[0-9]+ passed' | sed -E 's/[^0-9]*([0-9]+) passed.*/\1/' | tail -1 || true)
passed=$((passed + ${p:-0}))

if grep -q '"e2e"' ui/package.json; then
  echo "== 3. browser end-to-end (Chromium, storepos serve + sim)"
  cargo build --bin storepos
  (cd ui && npm run e2e) 2>&1 | tee test-artifacts/e2e.log
  p=$(grep -E '^# pass [0-9]+' test-artifacts/e2e.log | awk '{s+=$3} END {print s+0}' || true)
  passed=$((passed + p))
fi

echo "== 4. desktop window smoke test (Tauri under Xvfb)"
cargo build -p storepos-desktop
SMOKE_SHOT_DIR=test-artifacts bash tests/desktop/smoke.sh 2>&1 | tee test-artifacts/desktop-smoke.log
passed=$((passed + 1))

echo "== 5. storepos bench --quick (debug build: figures, not assertions)"
cargo run --quiet --bin storepos -- bench --quick || echo "bench failed (not a test)"

echo "tests: $passed passed, $failed failed"
