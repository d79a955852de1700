#!/usr/bin/env bash
# Runs the library's unit and integration tests under Miri (doctests are left to
# `cargo test`). Installs nightly's miri and rust-src components if missing.
#
# Skipped, and why:
# - `restart::tracker::tests::extreme_values_never_panic`: over 500,000 decisions, a brute-force
#   sweep (0.5 s natively) that had not finished after 150 s under Miri's interpreter; the
#   crate forbids unsafe code, and the `restart` fuzz target covers the same ground.
# - `every_truncation_leaves_the_allocation_slot_empty` and
#   `every_truncation_or_extension_leaves_the_task_slot_new` (tests/decode_in_place.rs): decodes every prefix
#   of a full task state and of a full allocation, tens of thousands of decodes, which did
#   not finish in 8 minutes under Miri; `every_truncation_is_an_error` in the wire tests
#   covers the by-value decoders the same way, and the in-place ones share their code.
# - `invariants_hold_after_every_step` (the runner's proptest): minutes when interpreted;
#   the runner has no unsafe code, and tests/runner/ (run here) covers the same paths.
#   (The runner's scenario files are the simulation harness's tests, sim/, not the
#   library's: they are not run here.)
# Fewer repetitions under `cfg(miri)`, the same paths: tests/alloc_wire.rs (a stride
# through the bytes, one of two bit flips at each, `Allocation<1>` and `<4>` at their largest, not `<8>`),
# tests/wire_json_core.rs (the largest state's ten events
# with an eighth of their text), tests/wire_postcard.rs.
# proptest cases are cut to PROPTEST_CASES (default 8): each case is interpreted, and Miri
# checks the code paths, not the number of inputs. Miri isolation is disabled only so
# proptest can read its environment and the clock for its timeouts.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! rustup +nightly component list --installed | grep -q '^miri'; then
    rustup +nightly component add miri rust-src
fi
if ! rustup +nightly component list --installed | grep -q '^rust-src'; then
    rustup +nightly component add rust-src
fi

export PROPTEST_CASES="${PROPTEST_CASES:-8}"
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"
cargo +nightly miri setup
cargo +nightly miri test --lib --tests -- \
    --skip restart::tracker::tests::extreme_values_never_panic \
    --skip every_truncation_leaves_the_allocation_slot_empty \
    --skip every_truncation_or_extension_leaves_the_task_slot_new \
    --skip invariants_hold_after_every_step
