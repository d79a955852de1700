#!/usr/bin/env bash
# Builds the panic proof for thumbv7em-none-eabihf in release and holds the size of its
# .text (all of allocstate's public API it calls, plus core's formatting) to a budget.
# Usage: ci/text-size.sh [FEATURES] [BUDGET_BYTES]
set -euo pipefail
cd "$(dirname "$0")/panic-check"
features="${1:-}"
budget="${2:-}"
cargo build --quiet --release ${features:+--features "$features"}
elf=target/thumbv7em-none-eabihf/release/panic-check
size=$(python3 - "$elf" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
# ELF32 little-endian: section headers at e_shoff, names in section e_shstrndx.
shoff, = struct.unpack_from('<I', data, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x2E)
def header(i):
    return struct.unpack_from('<IIIIIIIIII', data, shoff + i * shentsize)
names_offset = header(shstrndx)[4]
total = 0
for i in range(shnum):
    name_at, _, _, _, _, size, *_ = header(i)
    end = data.index(b'\0', names_offset + name_at)
    name = data[names_offset + name_at:end].decode()
    if name == '.text' or name.startswith('.text.'):
        total += size
print(total)
PY
)
echo ".text [${features:-no features}]: ${size} bytes ($((size / 1024)) KiB)"
if [ -n "$budget" ] && [ "$size" -gt "$budget" ]; then
  echo "over budget: ${size} > ${budget} bytes" >&2
  exit 1
fi
