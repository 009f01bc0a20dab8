#!/usr/bin/env bash
# The full-size versions of the evidence CI runs in reduced form (scripts/test.sh):
# more crash rounds, 10,000 chaos schedules, more fuzz cases, and every benchmark at
# full size in a release build. Takes tens of minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export STOREPOS_CRASH_ROUNDS=${STOREPOS_CRASH_ROUNDS:-200}
export STOREPOS_CHAOS_SCHEDULES=${STOREPOS_CHAOS_SCHEDULES:-10000}
export STOREPOS_CHANNELS_CHAOS=${STOREPOS_CHANNELS_CHAOS:-300}
export STOREPOS_FUZZ_CASES=${STOREPOS_FUZZ_CASES:-1000}
cargo test --release --test it -- --nocapture crash_ledger:: sync_chaos:: channels_chaos:: fuzz_commands:: print_queue::
cargo build --release --bin storepos
./target/release/storepos bench all
# The installable package (release .deb via Tauri's bundler): too long for CI.
scripts/package.sh
