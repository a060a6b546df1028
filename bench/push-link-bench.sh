#!/usr/bin/env bash
# bench/push-link-bench.sh - dokku-registry push-image vs skopeo copy on a
# shaped link. Run by `make bench` (as root: it needs namespaces and tc).
#
# The script re-runs itself inside `unshare -n -m`: a network namespace of
# its own whose loopback is brought up and, for the shaped rounds, limited
# with `tc qdisc add dev lo root tbf rate 200mbit burst 512kb latency 100ms`
# (only that namespace's lo); docker-registry (tests/lib/env.sh) runs in it.
# The mount namespace gives skopeo an empty blob-info cache for every push.
#
# Images, built at bench time:
#   (a) a docker save tarball (legacy format, written with tar) of about
#       150 MB of files from /usr/share and /usr/lib: real, compressible data
#   (b) an OCI layout of 8 x 8 MiB random layers, gzip'd (tests/lib/images.sh)
# Rounds, each at 200 Mbit/s and unshaped, ours and skopeo alternating who
# goes first, a fresh registry (and no caches) for every first push:
#   archive    (a): ours with gzip (the default), ours with --compress zstd,
#              skopeo copy (gzip)
#   oci        (b): first push, then re-push (every blob exists)
#   once, unshaped: (a) with --compress-level 12, gzip's fewest bytes
# Prints wall time, bytes stored (config + layers of the pushed manifest)
# and peak RSS (GNU time %M), medians of BENCH_LINK_RUNS runs, ratios
# ours/skopeo and the issue's targets as PASS/FAIL; writes the table to
# build/bench-link.txt. Exit 0 when everything ran (a FAIL is a result).
#
# Knobs: BENCH_LINK_RUNS=3, BENCH_LINK_RATE=200mbit, BENCH_LINK_MB=150,
#        BENCH_LINK_ARCHIVE=FILE (kept: built there once, reused after),
#        BENCH_OURS=$DR_BUILD_DIR/dokku-registry
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${BENCH_LINK_RUNS:-3}
RATE=${BENCH_LINK_RATE:-200mbit}
ARCHIVE_MB=${BENCH_LINK_MB:-150}
OURS=${BENCH_OURS:-${DR_BUILD_DIR:-$ROOT/build}/dokku-registry}
TABLE=$ROOT/build/bench-link.txt

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'push-link-bench: error: %s\n' "$*" >&2; exit 1; }

if [ "${_DR_LINK_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "needs root (unshare -n, tc); run it with sudo"
  command -v unshare >/dev/null || die "unshare is not installed (util-linux)"
  command -v tc >/dev/null || die "tc is not installed (iproute2, packaging/deps.sh)"
  exec env _DR_LINK_INNER=1 unshare -n -m --propagation private -- bash "$0" "$@"
fi

[ -x "$OURS" ] || die "$OURS is not built (make all)"
command -v skopeo >/dev/null || die "skopeo is not installed (packaging/deps.sh)"
[ -x /usr/bin/time ] || die "GNU time is not installed (packaging/deps.sh)"
ip link set lo up || die "cannot bring lo up in the new network namespace"

# shellcheck source=../tests/lib/env.sh
source "$ROOT/tests/lib/env.sh"
# shellcheck source=../tests/lib/images.sh
source "$ROOT/tests/lib/images.sh"

WORK=$(mktemp -d /tmp/dr-link-bench.XXXXXX)
cleanup() { dr_env_stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
dr_env_init "$WORK/env" || die "dr_env_init failed"
PW="bench-$RANDOM$RANDOM"
POLICY=$(dr_policy_file)
# skopeo (as root) keeps its blob-info cache here: a tmpfs of this namespace
mkdir -p /var/lib/containers/cache
mount -t tmpfs -o size=64m tmpfs /var/lib/containers/cache || die "cannot mount a tmpfs"

shape() { # on|off
  tc qdisc del dev lo root 2>/dev/null || true
  if [ "$1" = on ]; then
    tc qdisc add dev lo root tbf rate "$RATE" burst 512kb latency 100ms || die "tc failed"
  fi
}

fresh_registry() {
  dr_registry_stop
  rm -rf "$DR_DIR/registry-data" "$XDG_CACHE_HOME/dokku-registry" "$HOME/.local/share/containers"
  rm -rf /var/lib/containers/cache/*
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

ours() { # OUT SRC REPO:TAG [FLAGS...]
  local out=$1 src=$2 dest=$3
  shift 3
  timed "$out" "$OURS" push-image --quiet "$@" "$src" "$DR_REGISTRY/$dest"
  stored "$out" "$dest"
}
theirs() { # OUT SRC REPO:TAG
  timed "$1" skopeo --policy "$POLICY" copy -q --dest-tls-verify=false \
    --dest-creds "bench:$PW" "$2" "docker://$DR_REGISTRY/$3"
  stored "$1" "$3"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { cat "$WORK"/r/"$1"-*."$2" | median; } # NAME t|m|b

# shellcheck source=usr-archive.sh
source "$ROOT/bench/usr-archive.sh"

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
ARCHIVE=${BENCH_LINK_ARCHIVE:-$WORK/usr.tar}
if [ ! -f "$ARCHIVE" ]; then
  say "building (a): a docker save tarball of ~$ARCHIVE_MB MB from /usr/share and /usr/lib"
  build_archive "$ARCHIVE"
fi
ARCHIVE_BYTES=$(stat -c %s "$ARCHIVE")
say "building (b): 8 x 8 MiB random gzip'd layers"
dr_img_oci "$WORK/oci" 8 8388608 latest gzip || die "image generation failed"
mkdir -p "$WORK/r"

# round LINK: every measurement at one link setting
round() {
  local link=$1 i first
  shape "$([ "$link" = shaped ] && echo on || echo off)"
  say "$link: archive and OCI pushes ($RUNS runs each)"
  for i in $(seq 1 "$RUNS"); do
    # who goes first alternates (page cache, CPU frequency)
    for first in $( ((i % 2)) && echo "ours theirs" || echo "theirs ours"); do
      if [ "$first" = ours ]; then
        fresh_registry
        ours "$WORK/r/$link-a-gzip-$i" "docker-archive:$ARCHIVE" a/gzip:1
        fresh_registry
        ours "$WORK/r/$link-a-zstd-$i" "docker-archive:$ARCHIVE" a/zstd:1 --compress zstd
        fresh_registry
        ours "$WORK/r/$link-o-ours-$i" "oci:$WORK/oci:latest" o/ours:1
        ours "$WORK/r/$link-or-ours-$i" "oci:$WORK/oci:latest" o/ours:1
      else
        fresh_registry
        theirs "$WORK/r/$link-a-skopeo-$i" "docker-archive:$ARCHIVE" a/skopeo:1
        fresh_registry
        theirs "$WORK/r/$link-o-skopeo-$i" "oci:$WORK/oci:latest" o/skopeo:1
        theirs "$WORK/r/$link-or-skopeo-$i" "oci:$WORK/oci:latest" o/skopeo:1
      fi
    done
  done
}

round shaped
round unshaped
shape off
# the densest gzip, once: how few bytes gzip can get this image to at all
say "unshaped: archive with --compress-level 12 (1 run)"
fresh_registry
ours "$WORK/r/unshaped-a-gzip12-1" "docker-archive:$ARCHIVE" a/gzip12:1 --compress-level 12

# row LINK WHAT OURS THEIRS TARGET [BYTES-TOO]: one line of the table
row() {
  local l=$1 what=$2 o=$3 t=$4 target=$5 bytes=${6:-} ot tt ratio verdict
  ot=$(med "$l-$o" t)
  tt=$(med "$l-$t" t)
  ratio=$(awk -v a="$ot" -v b="$tt" 'BEGIN { printf "%.2f", a / b }')
  verdict=$(awk -v r="$ratio" -v g="$target" 'BEGIN { print g == "-" ? "(info)" : (r <= g) ? "PASS" : "FAIL" }')
  if [ -n "$bytes" ] && [ "$(med "$l-$o" b)" -gt "$(med "$l-$t" b)" ]; then
    verdict="FAIL(bytes)"
  fi
  printf '%-9s %-24s %8.2f %8.2f %6s %6s %-11s %10s %10s %7s %8s %8s\n' "$l" "$what" "$ot" "$tt" \
    "$ratio" "$([ "$target" = - ] && echo - || echo "<=$target")" "$verdict" "$(med "$l-$o" b)" "$(med "$l-$t" b)" \
    "$(awk -v a="$(med "$l-$o" b)" -v b="$(med "$l-$t" b)" 'BEGIN { printf "%.3f", a / b }')" \
    "$(med "$l-$o" m | awk '{ printf "%d", $1 / 1024 }')" "$(med "$l-$t" m | awk '{ printf "%d", $1 / 1024 }')"
}

{
  printf 'dokku-registry push-image vs skopeo copy on a link (%s)\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf 'shaped: tc tbf rate %s burst 512kb latency 100ms on lo of a private netns; unshaped: same netns, no qdisc\n' "$RATE"
  printf '(a) docker save tarball of %s bytes (/usr/share + /usr/lib, 2 layers); (b) OCI 8 x 8 MiB gzip layers\n' "$ARCHIVE_BYTES"
  printf 'median of %s runs; %s CPUs; load before: %s\n\n' "$RUNS" "$(nproc)" "$LOAD0"
  printf '%-9s %-24s %8s %8s %6s %6s %-11s %10s %10s %7s %8s %8s\n' link image ours_s skopeo_s ratio target \
    verdict ours_B skopeo_B B_ratio ours_MiB sk_MiB
  row shaped "archive gzip" a-gzip a-skopeo 0.9 bytes
  row shaped "archive zstd" a-zstd a-skopeo 0.8
  row shaped "oci first push" o-ours o-skopeo 1.02
  row unshaped "oci first push" o-ours o-skopeo 0.5
  row unshaped "oci re-push" or-ours or-skopeo 0.7
  row unshaped "archive gzip" a-gzip a-skopeo 1.0
  row unshaped "archive zstd" a-zstd a-skopeo -
  row shaped "oci re-push" or-ours or-skopeo -
  row unshaped "archive gzip-12 (1 run)" a-gzip12 a-skopeo -
  printf '\nWhere the link is the limit, time follows bytes: a ratio below B_ratio needs fewer bytes,\n'
  printf 'not more speed. gzip-12 is libdeflate at its densest (--compress-level 12), the floor of\n'
  printf 'B_ratio for gzip on this image.\n'
} | tee "$TABLE"
