#!/usr/bin/env bash
# Puts Debian 12's qemu-system-arm (7.2) in a cache directory without changing the
# machine's packages: `apt-get install` would replace the machine's newer qemu-utils, so
# the .debs are fetched with `apt-get download` and unpacked with `dpkg-deb -x`, together
# with the shared libraries it links that the machine lacks. Idempotent: a second run
# only checks the binary starts.
# Prints the path of a wrapper that runs the binary with the cached libraries.
# Usage: ci/qemu-install.sh   (cache: $ALLOCSTATE_QEMU_CACHE or ~/.cache/allocstate-qemu)
set -euo pipefail
cache="${ALLOCSTATE_QEMU_CACHE:-${HOME:-/root}/.cache/allocstate-qemu}"
root="$cache/root"
wrapper="$cache/qemu-system-arm"
package=qemu-system-arm
version="${QEMU_DEB_VERSION:-1:7.2+dfsg-7+deb12u18+b2}"

if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
  echo "$wrapper"
  exit 0
fi

mkdir -p "$cache/debs" "$root"
cd "$cache/debs"
chmod 755 "$cache" "$cache/debs"   # so apt can download as its own user
# One `apt-get update`, and only if the package lists do not know the package yet.
if ! apt-cache show "$package=$version" >/dev/null 2>&1; then
  apt-get update -qq >&2
  if ! apt-cache show "$package=$version" >/dev/null 2>&1; then
    version=$(apt-cache policy "$package" | awk '/Candidate:/ {print $2}')
  fi
fi

# The package itself plus every library it needs, directly or through another library,
# that is not installed here.
wanted=("$package=$version")
queue=("$package=$version")
seen=" "
while [ "${#queue[@]}" -gt 0 ]; do
  current="${queue[0]}"
  queue=("${queue[@]:1}")
  for dep in $(apt-cache depends "$current" | awk '/^  Depends: (lib|zlib)/ {print $2}'); do
    case "$seen" in *" $dep "*) continue ;; esac
    seen="$seen$dep "
    if ! dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed'; then
      wanted+=("$dep")
      queue+=("$dep")
    fi
  done
done
echo "fetching: ${wanted[*]}" >&2
apt-get download -qq -o APT::Sandbox::User=root "${wanted[@]}" >&2
for deb in ./*.deb; do
  dpkg-deb -x "$deb" "$root"
done

libs=$(find "$root" -name '*.so*' -printf '%h\n' | sort -u | paste -sd: -)
cat > "$wrapper" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$libs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$root/usr/bin/qemu-system-arm" "\$@"
WRAP
chmod +x "$wrapper"
"$wrapper" --version >&2
echo "$wrapper"
