#!/bin/sh
# packaging/deps.sh [--check]
#
# The one list of Debian (12, bookworm) packages that docker-credential-dokku
# needs to build, test, bench, demo and package (`make deb`: debhelper, lintian).
#
#   packaging/deps.sh          install whatever is missing (root), or print the
#                              apt command to run and exit 1 (not root)
#   packaging/deps.sh --check  never install: print what is missing, exit 1
#
# Prints nothing and exits 0 when everything is present; this path is one
# dpkg-query call, so it is cheap enough to run on every `make check`.
#
# parallel: `bats --jobs` runs the e2e files side by side through GNU parallel;
# clang: the fuzz targets (libFuzzer); clang-tools: `make analyze` (scan-build).
#
# Installing docker-registry never leaves Debian's system registry service
# (which would listen on :5000 on every interface) running or enabled: the
# tests and the demo start their own registries on 127.0.0.1. The same for
# tinyproxy (:8888): the tests start their own, in a network namespace.
# docker.io (dockerd, containerd, runc) is ensured unless another dockerd,
# containerd and runc are installed (docker-ce): the tests start a private
# dockerd of their own and never use the system's daemon.
set -eu

PKGS='build-essential pkg-config libsecret-1-dev libcurl4-openssl-dev
libjansson-dev check bats dbus dbus-daemon gnome-keyring libsecret-tools
libglib2.0-bin docker-registry apache2-utils skopeo
golang-docker-credential-helpers pass gnupg hyperfine curl ca-certificates
valgrind jq python3 python3-yaml openssl
libarchive-dev libssl-dev libyaml-dev time debhelper lintian
systemd util-linux
libdeflate-dev libzstd-dev zstd iproute2 tinyproxy unicode-data
debootstrap systemd-container parallel clang clang-tools'

# A Docker daemon is needed: tests/e2e/release-dockerd.bats starts its own
# dockerd on its own containerd (tests/lib/dockerd.sh) and pushes through it.
# Debian 12's docker.io ships dockerd (and a docker CLI; any newer docker CLI
# on PATH is fine too), containerd and runc come with it. A host that already
# has a dockerd, containerd and runc from elsewhere (Docker's own docker-ce and
# containerd.io packages, which conflict with docker.io) keeps them.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v containerd >/dev/null 2>&1 ||
    ! command -v runc >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    PKGS="$PKGS docker.io containerd runc"
fi

check_only=0
case "${1:-}" in
    '') ;;
    --check) check_only=1 ;;
    -h|--help)
        sed -n '2,19s/^# \{0,1\}//p' "$0"
        exit 0 ;;
    *)
        echo "usage: $0 [--check]" >&2
        exit 2 ;;
esac

# One dpkg-query for all packages; unknown ones go to stderr and simply do not
# appear as installed.
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
    awk '$2 == "install" && $3 == "ok" && $4 == "installed" { print $1 }') || true

missing=
for p in $PKGS; do
    case "
$installed
" in
        *"
$p
"*) ;;
        *) missing="$missing $p" ;;
    esac
done
missing=${missing# }

[ -z "$missing" ] && exit 0

apt_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing"

if [ "$check_only" = 1 ]; then
    echo "deps.sh: missing packages: $missing (install with: sudo sh -c '$apt_cmd')" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages: $missing; run: sudo sh -c '$apt_cmd'" >&2
    exit 1
fi

echo "deps.sh: installing: $missing" >&2

# Keep invoke-rc.d from starting the docker-registry system service during the
# install (see invoke-rc.d(8), policy-rc.d). An existing policy-rc.d is the
# admin's (or the container image's) and is left alone.
policy=/usr/sbin/policy-rc.d
own_policy=0
case " $missing " in
    *" docker-registry "*|*" tinyproxy "*)
        if [ ! -e "$policy" ]; then
            own_policy=1
            trap 'rm -f "$policy"' EXIT
            trap 'exit 130' INT TERM HUP
            cat >"$policy" <<'EOF'
#!/bin/sh
# temporary, written by docker-credential-dokku packaging/deps.sh
case "$1" in docker-registry|docker-registry.service|tinyproxy|tinyproxy.service) exit 101 ;; esac
exit 0
EOF
            chmod 755 "$policy"
        fi ;;
esac

apt-get update
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing

if [ "$own_policy" = 1 ]; then
    rm -f "$policy"
    trap - EXIT INT TERM HUP
fi

# Make sure the packaged registry service is neither running nor enabled,
# whatever the init system did.
case " $missing " in
    *" docker-registry "*)
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
            systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
        fi
        if [ -x /etc/init.d/docker-registry ]; then
            pidfile=/var/run/docker-registry.pid
            if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
                /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
            fi
            update-rc.d docker-registry disable >/dev/null 2>&1 || true
        fi
        # Verify: nothing may still be serving the packaged config.
        if [ -s /var/run/docker-registry.pid ] &&
            kill -0 "$(cat /var/run/docker-registry.pid)" 2>/dev/null; then
            echo "deps.sh: warning: the docker-registry system service is still running (pid $(cat /var/run/docker-registry.pid)); stop it with: /etc/init.d/docker-registry stop" >&2
        fi
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 &&
            systemctl is-active --quiet docker-registry.service 2>/dev/null; then
            echo "deps.sh: warning: docker-registry.service is still active; run: systemctl disable --now docker-registry" >&2
        fi ;;
esac

case " $missing " in
    *" tinyproxy "*)
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
            systemctl disable --now tinyproxy.service >/dev/null 2>&1 || true
        fi
        if [ -x /etc/init.d/tinyproxy ]; then
            update-rc.d tinyproxy disable >/dev/null 2>&1 || true
        fi ;;
esac

# Re-check: every package must now be installed.
# shellcheck disable=SC2086
still=$(dpkg-query -W -f='${Package} ${Status}\n' $missing 2>/dev/null |
    awk '$2 == "install" && $3 == "ok" && $4 == "installed" { n++ } END { print n+0 }') || still=0
# shellcheck disable=SC2086
set -- $missing
if [ "$still" -ne "$#" ]; then
    echo "deps.sh: some packages are still missing after install: $missing" >&2
    exit 1
fi
exit 0
