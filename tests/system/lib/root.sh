#!/usr/bin/env bash
# tests/system/lib/root.sh: the Debian 12 root the system tests boot, built
# with debootstrap once and cached under $DR_SYSTEM_CACHE (build/system):
#
#   root.sh path     print the cached root's directory (built if missing)
#   root.sh mirror   print the mirror it is built from
#
# The root is rebuilt when its package list (below) changes: the list's hash
# is in the directory name. The mirror is the first `URIs:` (deb822) or
# `deb` line of this machine's own apt sources, read at run time and never
# written into the repository.
set -euo pipefail

PACKAGES=systemd,systemd-sysv,dbus,libpam-systemd,procps,sudo
SUITE=bookworm
cache=${DR_SYSTEM_CACHE:-$(cd "$(dirname "$0")/../../.." && pwd)/build/system}

mirror() {
    local m=''
    # deb822 first (Debian 12's default), then the one-line format
    if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
        m=$(awk 'tolower($1) == "uris:" && $2 !~ /security/ { print $2; exit }' \
            /etc/apt/sources.list.d/*.sources)
    fi
    if [ -z "$m" ] && [ -r /etc/apt/sources.list ]; then
        m=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } } }' \
            /etc/apt/sources.list)
    fi
    [ -n "$m" ] || { echo "root.sh: no mirror in this machine's apt sources" >&2; return 1; }
    printf '%s\n' "$m"
}

root_path() {
    local key dir m
    key=$(printf '%s %s\n' "$SUITE" "$PACKAGES" | sha256sum | cut -c1-12)
    dir=$cache/root-$SUITE-$key
    if [ -f "$dir.done" ]; then
        printf '%s\n' "$dir"
        return 0
    fi
    m=$(mirror)
    mkdir -p "$cache"
    # one builder at a time; a half-built root from a killed run is thrown away
    exec 9>"$dir.lock"
    flock 9
    if [ ! -f "$dir.done" ]; then
        rm -rf "$dir"
        echo "root.sh: building $dir with debootstrap from $m (about 2 minutes, once)" >&2
        debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$dir" "$m" >"$dir.log" 2>&1 || {
            echo "root.sh: debootstrap failed, see $dir.log" >&2
            tail -n 5 "$dir.log" >&2
            return 1
        }
        # the host's own apt sources (security and updates included): the
        # .deb's dependencies come from the archive it was built against
        rm -f "$dir/etc/apt/sources.list"
        [ ! -r /etc/apt/sources.list ] || cp /etc/apt/sources.list "$dir/etc/apt/"
        cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
            "$dir/etc/apt/sources.list.d/" 2>/dev/null || true
        chroot "$dir" apt-get -q update >>"$dir.log" 2>&1 || true
        # no machine-id: every boot of a copy gets its own
        : >"$dir/etc/machine-id"
        rm -rf "$dir/var/cache/apt/archives/"*.deb
        touch "$dir.done"
    fi
    printf '%s\n' "$dir"
}

case "${1:-}" in
    path) root_path ;;
    mirror) mirror ;;
    *) echo "usage: $0 path|mirror" >&2; exit 2 ;;
esac
