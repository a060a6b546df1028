#!/usr/bin/env bash
# bench/push-daemon-bench.sh - dokku-registry push-image docker-daemon:NAME
# vs `docker push` by the same Docker daemon, on a shaped link and unshaped.
# Run by `make bench` (as root: it needs namespaces, tc and dockerd).
#
# The script re-runs itself inside `unshare -n -m`: a network namespace of its
# own whose loopback is limited for the shaped rounds with
# `tc qdisc add dev lo root tbf rate 200mbit burst 512kb latency 100ms`;
# docker-registry (tests/lib/env.sh) and a private vfs dockerd
# (tests/lib/dockerd.sh) run in it.
#
# Images, built at bench time in that daemon:
#   v1  `docker load` of a docker save tarball of about 150 MB of files from
#       /usr/share and /usr/lib in two layers (bench/push-link-bench.sh's (a))
#   v2  `FROM v1` + one new small top layer (a 64 KiB file): a release
# Each run, per contender (ours gzip, ours --compress zstd, docker push; who
# goes first alternates): a fresh registry and empty caches, v1 pushed (first
# push), then v2 pushed to the same repository (re-push: the registry already
# has the base layers, and the contender's own caches are warm from v1).
# Prints wall time, bytes stored (config + layers of the pushed manifest) and
# peak RSS of the client process (GNU time %M: our pusher, or the docker CLI;
# the daemon's own memory is in neither), medians of BENCH_DAEMON_RUNS runs,
# ratios ours/docker push and the targets as PASS/FAIL; writes the table to
# build/bench-daemon.txt. Exit 0 when everything ran (a FAIL is a result).
#
# Knobs: BENCH_DAEMON_RUNS=5, BENCH_LINK_RATE=200mbit, BENCH_LINK_MB=150,
#        BENCH_LINK_ARCHIVE=FILE (reused when it exists),
#        BENCH_OURS=$DR_BUILD_DIR/dokku-registry
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${BENCH_DAEMON_RUNS:-5}
RATE=${BENCH_LINK_RATE:-200mbit}
ARCHIVE_MB=${BENCH_LINK_MB:-150}
OURS=${BENCH_OURS:-${DR_BUILD_DIR:-$ROOT/build}/dokku-registry}
TABLE=$ROOT/build/bench-daemon.txt

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'push-daemon-bench: error: %s\n' "$*" >&2; exit 1; }

if [ "${_DR_DAEMON_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "needs root (unshare -n, tc, dockerd); run it with sudo"
  command -v unshare >/dev/null || die "unshare is not installed (util-linux)"
  command -v tc >/dev/null || die "tc is not installed (iproute2, packaging/deps.sh)"
  exec env _DR_DAEMON_INNER=1 unshare -n -m --propagation private -- bash "$0" "$@"
fi

[ -x "$OURS" ] || die "$OURS is not built (make all)"
command -v skopeo >/dev/null || die "skopeo is not installed (packaging/deps.sh)"
[ -x /usr/bin/time ] || die "GNU time is not installed (packaging/deps.sh)"
ip link set lo up || die "cannot bring lo up in the new network namespace"

# shellcheck source=../tests/lib/env.sh
source "$ROOT/tests/lib/env.sh"
# shellcheck source=../tests/lib/dockerd.sh
source "$ROOT/tests/lib/dockerd.sh"
# shellcheck source=usr-archive.sh
source "$ROOT/bench/usr-archive.sh"

WORK=$(mktemp -d /tmp/dr-dbench.XXXXXX)
cleanup() { dr_dockerd_stop || true; dr_env_stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
dr_env_init "$WORK/env" || die "dr_env_init failed"
PW="bench-$RANDOM$RANDOM"
POLICY=$(dr_policy_file)
dr_dockerd_start "$WORK/d" >/dev/null || die "dockerd did not start: $(dr_dockerd_log 20)"

shape() { # on|off
  tc qdisc del dev lo root 2>/dev/null || true
  if [ "$1" = on ]; then
    tc qdisc add dev lo root tbf rate "$RATE" burst 512kb latency 100ms || die "tc failed"
  fi
}

# fresh_registry: an empty registry, and no cache of ours (the daemon's
# record of what it pushed where names a registry that is gone: docker push
# finds every blob missing and uploads it)
fresh_registry() {
  dr_registry_stop
  rm -rf "$DR_DIR/registry-data" "$XDG_CACHE_HOME/dokku-registry"
  dr_registry_start bench "$PW" >/dev/null || die "docker-registry did not start"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$DR_REGISTRY" "$(printf 'bench:%s' "$PW" | base64 -w0)" \
    >"$DOCKER_CONFIG/config.json"
}

# timed OUT CMD...: wall seconds to OUT.t, peak RSS KiB to OUT.m
timed() {
  local out=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$out.m" "$@" >/dev/null 2>"$out.err" ||
    die "$* failed: $(tail -n 3 "$out.err")"
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >"$out.t"
}

# stored OUT REPO:TAG: bytes of config + layers the registry holds for it
stored() {
  skopeo --policy "$POLICY" inspect --raw --tls-verify=false --creds "bench:$PW" \
    "docker://$DR_REGISTRY/$2" | jq '.config.size + ([.layers[].size] | add)' >"$1.b"
}

ours() { # OUT NAME:TAG REPO:TAG [FLAGS...]
  local out=$1 src=$2 dest=$3
  shift 3
  timed "$out" "$OURS" push-image --quiet "$@" "docker-daemon:$src" "$DR_REGISTRY/$dest"
  stored "$out" "$dest"
}
theirs() { # OUT NAME:TAG REPO:TAG
  docker tag "$2" "$DR_REGISTRY/$3" || die "docker tag failed"
  timed "$1" docker push "$DR_REGISTRY/$3"
  docker rmi "$DR_REGISTRY/$3" >/dev/null || die "docker rmi failed"
  stored "$1" "$3"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { cat "$WORK"/r/"$1"-*."$2" | median; } # NAME t|m|b

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
ARCHIVE=${BENCH_LINK_ARCHIVE:-}
if [ -z "$ARCHIVE" ] || [ ! -f "$ARCHIVE" ]; then
  ARCHIVE=${ARCHIVE:-$WORK/usr.tar}
  say "building v1: a docker save tarball of ~$ARCHIVE_MB MB from /usr/share and /usr/lib"
  build_archive "$ARCHIVE"
fi
docker load -q -i "$ARCHIVE" >/dev/null || die "docker load failed"
mkdir -p "$WORK/ctx" "$WORK/r"
head -c 65536 /dev/urandom >"$WORK/ctx/release.bin"
printf 'FROM bench/usr:1\nCOPY release.bin /release.bin\n' >"$WORK/ctx/Dockerfile"
docker build -q -t bench/usr:2 "$WORK/ctx" >/dev/null || die "docker build of v2 failed"
V1_BYTES=$(docker image inspect --format '{{.Size}}' bench/usr:1)

# round LINK: every measurement at one link setting
round() {
  local link=$1 i who order
  shape "$([ "$link" = shaped ] && echo on || echo off)"
  say "$link: first push and re-push, ours (gzip, zstd) and docker push ($RUNS runs)"
  for i in $(seq 1 "$RUNS"); do
    # who goes first alternates (page cache, CPU frequency)
    order="gzip zstd docker"
    ((i % 2)) || order="docker zstd gzip"
    for who in $order; do
      fresh_registry
      case $who in
        gzip)
          ours "$WORK/r/$link-gzip-$i" bench/usr:1 b/gzip:1
          ours "$WORK/r/$link-rgzip-$i" bench/usr:2 b/gzip:2 ;;
        zstd)
          ours "$WORK/r/$link-zstd-$i" bench/usr:1 b/zstd:1 --compress zstd
          ours "$WORK/r/$link-rzstd-$i" bench/usr:2 b/zstd:2 --compress zstd ;;
        docker)
          theirs "$WORK/r/$link-docker-$i" bench/usr:1 b/docker:1
          theirs "$WORK/r/$link-rdocker-$i" bench/usr:2 b/docker:2 ;;
      esac
    done
  done
}

round shaped
round unshaped
shape off
# the floor of any push through this API: GET /images/{name}/get exports every
# layer of the image, the unchanged ones too, and has no way to ask for fewer
say "the export alone: GET /images/bench/usr:2/get to /dev/null ($RUNS runs)"
for i in $(seq 1 "$RUNS"); do
  timed "$WORK/r/export-$i" curl -sf --unix-socket "$DR_DOCKERD_DIR/docker.sock" -o /dev/null \
    "http://docker/images/bench%2Fusr:2/get"
  # when the first byte comes: the daemon writes the whole save before it sends it
  curl -sf --unix-socket "$DR_DOCKERD_DIR/docker.sock" -o /dev/null -w '%{time_starttransfer}\n' \
    "http://docker/images/bench%2Fusr:2/get" >"$WORK/r/export-$i.f"
done

# row LINK WHAT OURS THEIRS TARGET: one line of the table
row() {
  local l=$1 what=$2 o=$3 t=$4 target=$5 ot tt ratio verdict
  ot=$(med "$l-$o" t)
  tt=$(med "$l-$t" t)
  ratio=$(awk -v a="$ot" -v b="$tt" 'BEGIN { printf "%.2f", a / b }')
  verdict=$(awk -v r="$ratio" -v g="$target" 'BEGIN { print g == "-" ? "(info)" : (r <= g) ? "PASS" : "FAIL" }')
  printf '%-9s %-16s %8.2f %8.2f %6s %6s %-7s %10s %10s %7s %8s %8s\n' "$l" "$what" "$ot" "$tt" \
    "$ratio" "$([ "$target" = - ] && echo - || echo "<=$target")" "$verdict" "$(med "$l-$o" b)" "$(med "$l-$t" b)" \
    "$(awk -v a="$(med "$l-$o" b)" -v b="$(med "$l-$t" b)" 'BEGIN { printf "%.3f", a / b }')" \
    "$(med "$l-$o" m | awk '{ printf "%d", $1 / 1024 }')" "$(med "$l-$t" m | awk '{ printf "%d", $1 / 1024 }')"
}

{
  printf 'dokku-registry push-image docker-daemon: vs docker push, same daemon (%s)\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf 'daemon: dockerd %s, vfs; shaped: tc tbf rate %s burst 512kb latency 100ms on lo of a private netns\n' \
    "$(docker version --format '{{.Server.Version}}')" "$RATE"
  printf 'v1: %s bytes in 2 layers (/usr/share + /usr/lib); v2: v1 + a 64 KiB top layer, pushed after v1\n' "$V1_BYTES"
  printf 'median of %s runs; %s CPUs; load before: %s; RSS: the client process only\n\n' "$RUNS" "$(nproc)" "$LOAD0"
  printf '%-9s %-16s %8s %8s %6s %6s %-7s %10s %10s %7s %8s %8s\n' link push ours_s docker_s ratio target \
    verdict ours_B docker_B B_ratio ours_MiB cli_MiB
  row shaped "first gzip" gzip docker 0.95
  row shaped "first zstd" zstd docker 0.70
  row shaped "re-push gzip" rgzip rdocker 0.8
  row shaped "re-push zstd" rzstd rdocker 0.8
  row unshaped "first gzip" gzip docker 1.0
  row unshaped "first zstd" zstd docker 1.0
  row unshaped "re-push gzip" rgzip rdocker 1.0
  row unshaped "re-push zstd" rzstd rdocker 1.0
  printf '\nthe export alone (GET /images/{name}/get of v2 to /dev/null): %.2f s, its first byte after %.2f s\n' \
    "$(med export t)" "$(med export f)"
  printf 'B of a re-push: the whole v2 manifest (config + all layers), whatever was uploaded.\n'
} | tee "$TABLE"
