#!/usr/bin/env bash
# bench/push-bench.sh - dokku-registry push-image vs skopeo copy, pushing one
# OCI image layout (8 layers x 8 MiB of random data, gzip'd) to a local
# docker-registry (tests/lib/env.sh). Run by `make bench`.
#
# Measures, median of BENCH_PUSH_RUNS runs each, alternating who goes first:
#   first push   a fresh registry (new storage, no blob caches) per push
#   re-push      the same image to the same repository (every blob exists)
# and our peak RSS (GNU time %M). With BENCH_PUSH_BIG=1 (default) also the
# peak RSS of pushing a single 1 GiB layer (target: constant memory).
# Prints a table and writes it to build/bench-push.txt.
#
# Exit status: 0 when everything ran (a MISS is a result, not a failure).
#
# Knobs: BENCH_PUSH_RUNS=5, BENCH_PUSH_BIG=1, BENCH_PUSH_JOBS=4,
#        BENCH_OURS=$DR_BUILD_DIR/dokku-registry
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${BENCH_PUSH_RUNS:-5}
BIG=${BENCH_PUSH_BIG:-1}
JOBS=${BENCH_PUSH_JOBS:-4}
OURS=${BENCH_OURS:-${DR_BUILD_DIR:-$ROOT/build}/dokku-registry}
TABLE=$ROOT/build/bench-push.txt

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'push-bench: error: %s\n' "$*" >&2; exit 1; }

[ -x "$OURS" ] || die "$OURS is not built (make all)"
command -v skopeo >/dev/null || die "skopeo is not installed (packaging/deps.sh)"
[ -x /usr/bin/time ] || die "GNU time is not installed (packaging/deps.sh)"

# shellcheck source=../tests/lib/env.sh
source "$ROOT/tests/lib/env.sh"
# shellcheck source=../tests/lib/images.sh
source "$ROOT/tests/lib/images.sh"

WORK=$(mktemp -d /tmp/dr-push-bench.XXXXXX)
cleanup() { dr_env_stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
dr_env_init "$WORK/env" || die "dr_env_init failed"
PW="bench-$RANDOM$RANDOM"
POLICY=$(dr_policy_file)

# fresh_registry: new storage, no blob-info caches on either side
fresh_registry() {
  dr_registry_stop
  rm -rf "$DR_DIR/registry-data" "$XDG_CACHE_HOME/dokku-registry" "$HOME/.local/share/containers"
  dr_registry_start bench "$PW" >/dev/null || die "docker-registry did not start"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$DR_REGISTRY" "$(printf 'bench:%s' "$PW" | base64 -w0)" \
    >"$DOCKER_CONFIG/config.json"
}

# timed OUT-PREFIX CMD...: wall seconds to OUT-PREFIX.t, peak RSS KiB to OUT-PREFIX.m
timed() {
  local out=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$out.m" "$@" >/dev/null 2>"$out.err" ||
    die "$* failed: $(tail -n 3 "$out.err")"
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >"$out.t"
}

ours() { timed "$1" "$OURS" push-image --quiet --jobs "$JOBS" "oci:$2:latest" "$DR_REGISTRY/$3"; }
theirs() {
  timed "$1" skopeo --policy "$POLICY" copy -q --dest-tls-verify=false \
    --dest-creds "bench:$PW" "oci:$2:latest" "docker://$DR_REGISTRY/$3"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max() { sort -g | tail -n 1; }

say "generating 8 x 8 MiB random layers"
dr_img_oci "$WORK/img" 8 8388608 latest gzip || die "image generation failed"
mkdir -p "$WORK/r"

say "first pushes ($RUNS runs each, fresh registry per push)"
for i in $(seq 1 "$RUNS"); do
  for who in ours theirs; do
    # alternate who goes first, so page-cache warmth is shared fairly
    [ $((i % 2)) = 0 ] && who=$([ "$who" = ours ] && echo theirs || echo ours)
    fresh_registry
    "$who" "$WORK/r/first-$who-$i" "$WORK/img" "bench/first:$i"
  done
done

say "re-pushes ($RUNS runs each)"
fresh_registry
ours "$WORK/r/seed-ours" "$WORK/img" bench/re-ours:1
theirs "$WORK/r/seed-theirs" "$WORK/img" bench/re-theirs:1
for i in $(seq 1 "$RUNS"); do
  if [ $((i % 2)) = 1 ]; then
    ours "$WORK/r/re-ours-$i" "$WORK/img" bench/re-ours:1
    theirs "$WORK/r/re-theirs-$i" "$WORK/img" bench/re-theirs:1
  else
    theirs "$WORK/r/re-theirs-$i" "$WORK/img" bench/re-theirs:1
    ours "$WORK/r/re-ours-$i" "$WORK/img" bench/re-ours:1
  fi
done

stat_of() { cat "$WORK"/r/"$1"-*."$2" | "$3"; }
f_ours=$(stat_of first-ours t median)
f_theirs=$(stat_of first-theirs t median)
r_ours=$(stat_of re-ours t median)
r_theirs=$(stat_of re-theirs t median)
rss_ours=$(cat "$WORK"/r/first-ours-*.m "$WORK"/r/re-ours-*.m | max)
rss_theirs=$(cat "$WORK"/r/first-theirs-*.m "$WORK"/r/re-theirs-*.m | max)

big_rss="-" big_s="-" big_theirs="-"
if [ "$BIG" = 1 ]; then
  say "1 GiB single-layer push (peak RSS)"
  dr_img_oci "$WORK/big" 1 1073741824 latest tar || die "1 GiB image generation failed"
  fresh_registry
  timed "$WORK/r/big-ours" "$OURS" push-image --quiet --jobs 1 --compress none "oci:$WORK/big:latest" \
    "$DR_REGISTRY/bench/big:1"
  big_rss=$(cat "$WORK/r/big-ours.m")
  big_s=$(cat "$WORK/r/big-ours.t")
  fresh_registry
  theirs "$WORK/r/big-theirs" "$WORK/big" bench/big:1
  big_theirs=$(cat "$WORK/r/big-theirs.m")
  rm -rf "$WORK/big"
fi

# the floor: the same binary doing nothing (its shared libraries mapped)
floor=$(for _ in 1 2 3; do /usr/bin/time -f '%M' "$OURS" help 2>&1 >/dev/null | tail -n 1; done | sort -g | head -n 1)

verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "PASS" : "MISS" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
fr=$(ratio "$f_ours" "$f_theirs")
rr=$(ratio "$r_ours" "$r_theirs")
mib() { [ "$1" = - ] && echo - || awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

mkdir -p "$(dirname "$TABLE")"
{
  printf 'dokku-registry push-image benchmark (%s)\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf 'image: OCI layout, 8 layers x 8 MiB random (gzip), local docker-registry %s (htpasswd, http)\n' \
    "$(docker-registry --version 2>/dev/null | awk '{print $NF}')"
  printf 'ours: %s push-image --jobs %s; theirs: %s copy; median of %s runs, wall time\n\n' \
    "$OURS" "$JOBS" "$(skopeo --version)" "$RUNS"
  printf '%-14s %10s %10s %8s %8s  %s\n' case skopeo_s ours_s ratio target result
  printf '%-14s %10.3f %10.3f %8s %8s  %s\n' first-push "$f_theirs" "$f_ours" "$fr" '<=0.80' "$(verdict "$fr" 0.80)"
  printf '%-14s %10.3f %10.3f %8s %8s  %s\n' re-push "$r_theirs" "$r_ours" "$rr" '<=1.00' "$(verdict "$rr" 1.0)"
  printf '\npeak RSS (MiB)   skopeo     ours   target  result\n'
  printf '%-14s %8s %8s %8s  %s\n' idle-floor - "$(mib "$floor")" report '(dokku-registry help)'
  printf '%-14s %8s %8s %8s  %s\n' 8x8MiB "$(mib "$rss_theirs")" "$(mib "$rss_ours")" report -
  if [ "$BIG" = 1 ]; then
    printf '%-14s %8s %8s %8s  %s\n' 1GiB-layer "$(mib "$big_theirs")" "$(mib "$big_rss")" '<=16' \
      "$(verdict "$(mib "$big_rss")" 16)"
    printf '(1 GiB push: ours %.1f s)\n' "$big_s"
  fi
} | tee "$TABLE"
say "table written to $TABLE"
