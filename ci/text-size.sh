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
size=$(python3 - "$elf" "$features" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
# ELF32 little-endian: section headers at e_shoff, names in section e_shstrndx.
shoff, = struct.unpack_from('<I', data, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x2E)
def header(i):
    return struct.unpack_from('<IIIIIIIIII', data, shoff + i * shentsize)
def name_in(table, at):
    end = data.index(b'\0', table + at)
    return data[table + at:end].decode()
names_offset = header(shstrndx)[4]
sections = [name_in(names_offset, header(i)[0]) for i in range(shnum)]
total = 0
for i in range(shnum):
    if sections[i] == '.text' or sections[i].startswith('.text.'):
        total += header(i)[5]
# The idle statics (see the panic proof) must have no initial image: `.bss`, not `.data`.
# Each must be there, so that a renamed or dropped static does not pass unchecked.
expected = {'IDLE_TASK'} if 'core-only' in sys.argv[2] else {'IDLE_TASK', 'IDLE_ALLOCATION', 'IDLE_RUNNER'}
for i in range(shnum):
    if sections[i] != '.symtab':
        continue
    _, _, _, _, offset, size, link, _, _, entsize = header(i)
    strings = header(link)[4]
    for at in range(offset, offset + size, entsize):
        name_at, _, _, _, _, shndx = struct.unpack_from('<IIIBBH', data, at)
        name = name_in(strings, name_at)
        if name.startswith('IDLE_'):
            where = sections[shndx] if shndx < shnum else '?'
            if not where.startswith('.bss'):
                print(f'{name} is in {where}, not .bss: new() is not all zero bytes', file=sys.stderr)
                sys.exit(1)
            print(f'{name} in {where}', file=sys.stderr)
            expected.discard(name)
if expected:
    print(f'missing from the panic proof: {sorted(expected)}', file=sys.stderr)
    sys.exit(1)
print(total)
PY
)
echo ".text [${features:-no features}]: ${size} bytes ($((size / 1024)) KiB)"
if [ -n "$budget" ] && [ "$size" -gt "$budget" ]; then
  echo "over budget: ${size} > ${budget} bytes" >&2
  exit 1
fi
