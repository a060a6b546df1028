#!/usr/bin/env bash
# tests/system/run.sh (make check-system): the system tests, a Debian 12
# container under a real systemd per bats file (tests/system/README.md).
# Skipped with one line where the machine cannot run them; otherwise builds
# the .deb (make deb), the cached root (lib/root.sh) and runs every
# tests/system/*.bats, ending with "system: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
repo=$PWD

skip() { echo "check-system: skipped: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn, mounts)"
for t in debootstrap systemd-nspawn nsenter bats; do
    command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (packaging/deps.sh installs it)"
done
unshare --mount --pid --fork --uts --ipc true 2>/dev/null ||
    skip "this machine does not allow new namespaces (unshare --mount --pid failed)"
probe=$(mktemp -d)
mkdir "$probe/l" "$probe/u" "$probe/w" "$probe/m"
if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"
    rm -rf "$probe"
else
    rm -rf "$probe"
    skip "overlayfs mounts are not allowed here"
fi

export DR_SYSTEM_OUT=${DR_SYSTEM_OUT:-$repo/build/system/out}
mkdir -p "$DR_SYSTEM_OUT"
: >"$DR_SYSTEM_OUT/timings"
start=$(date +%s)
stamp() { echo "$1: $(( $(date +%s) - start )) s" >>"$DR_SYSTEM_OUT/timings"; }

# the root (cached; about 2 minutes when it is built, mostly downloads and
# dpkg) is built while the .deb is
tests/system/lib/root.sh path >"$DR_SYSTEM_OUT/root.log" 2>&1 &
root_pid=$!
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
# DR_SYSTEM_DEB: test that .deb instead of building this tree's
if [ -n "${DR_SYSTEM_DEB:-}" ]; then
    DR_SYSTEM_NO_BUILD=1
else
    DR_SYSTEM_DEB=$repo/build/dokku-registry_${version}_$(dpkg --print-architecture).deb
fi
export DR_SYSTEM_DEB
# a .deb newer than every file of the tree (make check's packaging tests
# build one) is this tree's: no second build
if [ -z "${DR_SYSTEM_NO_BUILD:-}" ] && [ -f "$DR_SYSTEM_DEB" ] && git rev-parse --git-dir >/dev/null 2>&1; then
    newer=$(git ls-files -z -co --exclude-standard | xargs -0 -r -I{} find {} -maxdepth 0 -newer "$DR_SYSTEM_DEB" -print 2>/dev/null | head -n 1)
    [ -n "$newer" ] || DR_SYSTEM_NO_BUILD=1
fi
if [ -z "${DR_SYSTEM_NO_BUILD:-}" ] || [ ! -f "$DR_SYSTEM_DEB" ]; then
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make deb DEB_LINTIAN=0 >"$DR_SYSTEM_OUT/make-deb.log" 2>&1 || {
        tail -n 20 "$DR_SYSTEM_OUT/make-deb.log"
        wait "$root_pid"
        echo "system: 0 passed, 1 failed (make deb)"
        exit 1
    }
fi
# the tests read their own copy: make check's packaging tests, running
# beside them in CI, build build/'s again
if [ "$(dirname "$DR_SYSTEM_DEB")" != "$DR_SYSTEM_OUT" ]; then
    cp "$DR_SYSTEM_DEB" "$DR_SYSTEM_OUT/" || { wait "$root_pid"; echo "system: 0 passed, 1 failed (copy of the .deb)"; exit 1; }
    DR_SYSTEM_DEB=$DR_SYSTEM_OUT/$(basename "$DR_SYSTEM_DEB")
fi
stamp "deb built"
if ! wait "$root_pid"; then
    cat "$DR_SYSTEM_OUT/root.log"
    echo "system: 0 passed, 1 failed (the root could not be built)"
    exit 1
fi
stamp "root ready"

files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/system/*.bats)
bats --timing "${files[@]}" | tee "$DR_SYSTEM_OUT/bats.log"
rc=${PIPESTATUS[0]}
stamp "tests done"
cat "$DR_SYSTEM_OUT/timings"
awk '/^ok / { p++ } /^not ok / { f++ } END { printf "system: %d passed, %d failed\n", p, f }' "$DR_SYSTEM_OUT/bats.log"
exit "$rc"
