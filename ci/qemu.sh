#!/usr/bin/env bash
# The on-target tests: builds ci/qemu-firmware for three Cortex-M cores and runs it under
# Debian 12's qemu-system-arm (installed into a cache by ci/qemu-install.sh). Each run
# replays tests/scenarios and compares with the host's output byte for byte, runs the
# restart table and an allocation's orders, and checks stack budgets (thumbv7em).
# Ends with `N passed, M failed` over all machines; exits non-zero if any check failed or
# a run did not end cleanly (panic, fault, stack overflow, timeout).
# Then the embassy firmware (examples/embassy-runner): a task group supervised through the
# runner, journaled to a RAM NOR flash, with power cuts; its log must be the host's
# (examples/embassy-runner/expected.log, checked by tests/embassy_runner.rs): one more
# check.
set -euo pipefail
cd "$(dirname "$0")"

# target, machine, extra QEMU options. On the Cortex-M4F the firmware also counts
# instructions through SysTick: `-icount shift=0` makes virtual time one nanosecond per
# instruction (the DWT cycle counter does not count in QEMU 7.2).
MACHINES=(
  "thumbv6m-none-eabi microbit"
  "thumbv7m-none-eabi lm3s6965evb"
  "thumbv7em-none-eabihf mps2-an386 -icount shift=0"
)

qemu=$(bash qemu-install.sh)
command -v flip-link >/dev/null || cargo install --quiet --locked flip-link
rustup target add thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf >/dev/null 2>&1

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for entry in "${MACHINES[@]}"; do
  read -r target machine options <<<"$entry"
  echo "==> $machine ($target)"
  # Its own target directory, whatever CARGO_TARGET_DIR says: the ELF is read from it.
  (cd qemu-firmware && CARGO_TARGET_DIR=target cargo build --quiet --release --target "$target")
  elf="qemu-firmware/target/$target/release/qemu-firmware"
  status=0
  # shellcheck disable=SC2086 # the options are words
  timeout 300 "$qemu" -machine "$machine" ${options:-} -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$elf" >"$log" 2>&1 || status=$?
  cat "$log"
  summary=$(grep -E '^firmware: [0-9]+ passed, [0-9]+ failed$' "$log" || true)
  machine_failed=0
  if [ -n "$summary" ]; then
    read -r _ machine_passed _ machine_failed _ <<<"$summary"
    passed=$((passed + machine_passed))
    failed=$((failed + machine_failed))
  fi
  # A run that stopped early (fault, overflow, timeout) or whose exit status disagrees
  # with its own count is one more failure.
  if [ -z "$summary" ] || { [ "$status" -ne 0 ] && [ "$machine_failed" -eq 0 ]; }; then
    echo "FAIL $machine: the run did not end cleanly (exit status $status)"
    failed=$((failed + 1))
  fi
done

# The embassy firmware. `sleep=off`: while the core sleeps in WFI, virtual time jumps to
# the next timer instead of passing in real time (the script covers 34 s).
echo "==> embassy-runner (mps2-an386, thumbv7em-none-eabihf)"
(cd ../examples/embassy-runner && CARGO_TARGET_DIR=target cargo build --quiet --release)
elf=../examples/embassy-runner/target/thumbv7em-none-eabihf/release/embassy-runner
status=0
timeout 300 "$qemu" -machine mps2-an386 -icount shift=0,sleep=off -nographic -monitor none \
  -serial none -semihosting-config enable=on,target=native -kernel "$elf" >"$log" 2>&1 || status=$?
cat "$log"
if [ "$status" -eq 0 ] && grep -v '^#' "$log" | diff ../examples/embassy-runner/expected.log -; then
  echo "PASS embassy-runner: the log is the host's (examples/embassy-runner/expected.log)"
  passed=$((passed + 1))
else
  echo "FAIL embassy-runner: exit status $status, or the log differs from the host's (diff above)"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
