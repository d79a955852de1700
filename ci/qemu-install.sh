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
series="${QEMU_DEB_SERIES:-1:7.2+}"   # Debian 12's 7.2; rebuilds (+b2, +b3, ...) replace each other

if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
  echo "$wrapper"
  exit 0
fi

mkdir -p "$cache/debs" "$root"
cd "$cache/debs"
chmod 755 "$cache" "$cache/debs"   # so apt can download as its own user

# The newest version of the series the package lists offer, read from `apt-cache madison`
# (one line per version the archives hold, newest first). `apt-cache show PKG=VERSION`
# cannot be the check: it exits 0 for a version no archive has. QEMU_DEB_VERSION pins one.
pick_version() {
  if [ -n "${QEMU_DEB_VERSION:-}" ]; then
    apt-cache madison "$package" | awk -F' *[|] *' -v v="$QEMU_DEB_VERSION" '$2 == v {print $2; exit}'
  else
    apt-cache madison "$package" | awk -F' *[|] *' -v s="$series" 'index($2, s) == 1 {print $2; exit}'
  fi
}
# Lists left from an earlier day may name a build the archive has since replaced (a
# download of it fails): refresh them once, as only a missing cache gets here.
apt-get update -qq >&2
version=$(pick_version)
if [ -z "$version" ]; then
  echo "ci/qemu-install.sh: no $package ${QEMU_DEB_VERSION:-of the series $series} in the package lists" >&2
  apt-cache madison "$package" >&2 || true
  exit 1
fi
echo "qemu-install: $package=$version" >&2

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
