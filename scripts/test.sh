#!/usr/bin/env bash
# Runs every test of storepos: Rust unit/property/integration/crash/chaos tests, the
# UI's unit tests, browser end-to-end tests and the desktop smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --desktop

echo "== cargo test (workspace)"
cargo test --workspace --no-fail-fast 2>&1 | tee target/cargo-test.log
echo "== storepos bench --quick (figures, not assertions)"
cargo run --quiet --bin storepos -- bench --quick

if [ -f ui/package.json ]; then
  echo "== ui unit tests"
  (cd ui && npm test)
fi
