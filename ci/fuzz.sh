#!/usr/bin/env bash
# Builds every cargo-fuzz target and runs each for FUZZ_SECONDS (default 30); fails on any
# crash, leak or timeout (libFuzzer exits non-zero and leaves the input in fuzz/artifacts/).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cargo +nightly fuzz build
for target in $(cargo +nightly fuzz list); do
    echo "== fuzz ${target}: ${seconds}s"
    mkdir -p "fuzz/corpus/${target}"
    cargo +nightly fuzz run "${target}" -- -max_total_time="${seconds}" -print_final_stats=1
done
