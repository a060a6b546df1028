#!/usr/bin/env bash
# bench/helper-bench.sh - docker-credential-dokku vs upstream
# docker-credential-secretservice on one private gnome-keyring holding ~1000
# docker credentials. Run by `make bench`.
#
# Measures the median wall time (hyperfine) of get, store, erase and list for
# both helpers, prints a table (operation, upstream ms, ours ms, ratio
# ours/upstream, target, PASS/MISS) and writes it to build/bench-helper.txt;
# hyperfine's JSON exports go to build/bench/helper-<op>.json.
#
# Exit status: 0 when everything ran (a MISS is a result, not a failure);
# non-zero when something could not run (missing tool, helper error, failed
# sanity check).
#
# Knobs (environment):
#   BENCH_ITEMS=1000   docker items to put in the keyring
#   BENCH_RUNS=30      hyperfine --runs
#   BENCH_WARMUP=3     hyperfine --warmup
#   BENCH_JOBS=8       parallel stores while filling the keyring
#   BENCH_OURS=$DR_BUILD_DIR/docker-credential-dokku (DR_BUILD_DIR defaults to build)
#   BENCH_UPSTREAM=/usr/bin/docker-credential-secretservice
#
# Only fake secrets are used. Nothing touches the real keyring or ~/.docker:
# tests/lib/env.sh gives a private HOME/XDG/DOCKER_CONFIG, a private
# dbus-daemon and a private gnome-keyring, all stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${BENCH_ITEMS:-1000}
RUNS=${BENCH_RUNS:-30}
WARMUP=${BENCH_WARMUP:-3}
JOBS=${BENCH_JOBS:-8}
OURS=${BENCH_OURS:-${DR_BUILD_DIR:-$ROOT/build}/docker-credential-dokku}
UPSTREAM=${BENCH_UPSTREAM:-/usr/bin/docker-credential-secretservice}
OUTDIR=$ROOT/build
TABLE=$OUTDIR/bench-helper.txt
JSONDIR=$OUTDIR/bench

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'helper-bench: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
for t in hyperfine dbus-daemon gnome-keyring-daemon gdbus awk; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found (run packaging/deps.sh)"
done
[ -x "$OURS" ] || die "$OURS not built (run make)"
[ -x "$UPSTREAM" ] || die "$UPSTREAM not found (package golang-docker-credential-helpers)"
OURS=$(cd "$(dirname "$OURS")" && pwd)/$(basename "$OURS")
[ "$N" -ge 10 ] 2>/dev/null || die "BENCH_ITEMS must be a number >= 10"

# Stdin payloads come from files. Debian 12's hyperfine (1.15) has no --input,
# so commands that read stdin run through sh with a `< file` redirection;
# hyperfine measures the spawn time of sh and subtracts it. `list` needs no
# input and runs without a shell (-N).

# shellcheck source=tests/lib/env.sh
. "$ROOT/tests/lib/env.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dokku-bench.XXXXXX")
# Long steps (the fill, each hyperfine) run as a background job in a process
# group of their own, so that a signal is acted on at once (bash defers traps
# while a foreground command runs) and cleanup can stop the job with all its
# children.
BG_PID=
run_bg() {
    local rc=0
    set -m
    "$@" </dev/null &
    BG_PID=$!
    set +m
    wait "$BG_PID" || rc=$?
    BG_PID=
    return "$rc"
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$BG_PID" ]; then
        kill -TERM -- "-$BG_PID" 2>/dev/null || true
        wait "$BG_PID" 2>/dev/null || true
    fi
    dr_env_stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

mkdir -p "$OUTDIR" "$JSONDIR"
T0=$(date +%s)

say "private bus and gnome-keyring in $WORK"
dr_env_init "$WORK/env" || die "dr_env_init failed"
dr_bus_start || die "dr_bus_start failed"
dr_keyring_start bench-pw || die "dr_keyring_start failed"

IN=$WORK/in
mkdir -p "$IN"
host() { printf 'bench-%s.example.com:5000' "$1"; }
payload() { # server user secret
    printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3"
}

# ------------------------------------------------------------------------ fill
say "storing $N items (odd through upstream, even through ours, $JOBS in parallel)"
for ((i = 1; i <= N; i++)); do
    if ((i % 2)); then printf '%s %s\n' "$UPSTREAM" "$i"; else printf '%s %s\n' "$OURS" "$i"; fi
done >"$WORK/fill.list"
# The fill is not measured: a generous per-call budget keeps 8 parallel
# writers (each keyring save rewrites the whole file) from timing out.
# shellcheck disable=SC2016 # the sh -c script expands its own $1 $2
DOCKER_CREDENTIAL_DOKKU_TIMEOUT=60 run_bg xargs -a "$WORK/fill.list" -P "$JOBS" -n 2 sh -c '
    printf "{\"ServerURL\":\"bench-%s.example.com:5000\",\"Username\":\"user-%s\",\"Secret\":\"secret-%s\"}" "$2" "$2" "$2" |
        "$1" store || { echo "store of item $2 through $1 failed" >&2; exit 255; }' sh ||
    die "filling the keyring failed"
say "filled in $(($(date +%s) - T0)) s"

# ---------------------------------------------------------------- sanity checks
expect_get() { # helper server user secret
    local got want
    want=$(payload "$2" "$3" "$4")
    got=$(printf '%s' "$2" | "$1" get) || die "$(basename "$1") get $2 failed: $got"
    [ "$got" = "$want" ] || die "$(basename "$1") get $2: got '$got', want '$want'"
}
count_bench() { # helper -> number of distinct bench-N keys in `list`
    local out
    out=$("$1" list </dev/null) || die "$(basename "$1") list failed"
    printf '%s' "$out" | grep -o '"bench-[0-9]*\.example\.com:5000":' | sort -u | wc -l
}

say "sanity: get returns the stored values, both ways"
expect_get "$OURS" "$(host 2)" user-2 secret-2                       # ours -> ours
expect_get "$OURS" "$(host 1)" user-1 secret-1                       # upstream -> ours
expect_get "$OURS" "$(host "$N")" "user-$N" "secret-$N"
expect_get "$UPSTREAM" "$(host 2)" user-2 secret-2                   # ours -> upstream
expect_get "$UPSTREAM" "$(host 3)" user-3 secret-3

say "sanity: list sees all $N items in both helpers"
for h in "$UPSTREAM" "$OURS"; do
    c=$(count_bench "$h")
    [ "$c" -ge "$N" ] || die "$(basename "$h") list shows $c of $N bench items"
    printf '    %s list: %s bench items\n' "$(basename "$h")" "$c" >&2
done

say "sanity: erase really deletes (both helpers)"
for h in "$UPSTREAM" "$OURS"; do
    s=bench-erase-check.example.com:5000
    payload "$s" u s | "$h" store
    printf '%s' "$s" | "$h" erase
    if printf '%s' "$s" | "$h" get >/dev/null 2>&1; then
        die "$(basename "$h"): get still finds $s after erase"
    fi
done

# --------------------------------------------------------------------- timing
GET_KEY=$(host $((N / 2 + 1)))          # odd: stored by upstream
STORE_KEY=$(host $((N / 2)))            # even: stored by ours
ERASE_KEY=bench-erase.example.com:5000  # re-stored before every timed erase

printf '%s' "$GET_KEY" >"$IN/get"
printf '%s' "$ERASE_KEY" >"$IN/erase"
payload "$ERASE_KEY" erase-user erase-secret >"$IN/erase-store"
for who in upstream ours; do
    payload "$STORE_KEY" "user-$((N / 2))" "secret-$who-0" >"$IN/store-$who"
done

# hf OP INPUT_UPSTREAM INPUT_OURS [hyperfine options...]
# Benchmarks `HELPER OP < INPUT` for upstream then ours in one hyperfine run;
# empty inputs mean no stdin and no shell.
hf() {
    local op=$1 in_up=$2 in_ours=$3
    shift 3
    local opts=(--warmup "$WARMUP" --runs "$RUNS" --style basic
        --export-json "$JSONDIR/helper-$op.json"
        --export-csv "$WORK/$op.csv" "$@")
    say "hyperfine: $op"
    if [ -z "$in_up" ]; then
        run_bg hyperfine -N "${opts[@]}" \
            -n upstream "$(printf '%q %s' "$UPSTREAM" "$op")" \
            -n ours "$(printf '%q %s' "$OURS" "$op")" >&2
    else
        run_bg hyperfine --shell=sh "${opts[@]}" \
            -n upstream "$(printf '%q %s < %q' "$UPSTREAM" "$op" "$in_up")" \
            -n ours "$(printf '%q %s < %q' "$OURS" "$op" "$in_ours")" >&2
    fi
}

# get: an existing key
hf get "$IN/get" "$IN/get"

# store: the same existing key again, with a fresh secret on every run (the
# untimed --prepare rewrites the payload file)
prep_store() {
    printf "printf '{\"ServerURL\":\"%%s\",\"Username\":\"%%s\",\"Secret\":\"%s-%%s\"}' %q %q \"\$(date +%%s%%N)\" > %q" \
        "$1" "$STORE_KEY" "user-$((N / 2))" "$IN/store-$1"
}
hf store "$IN/store-upstream" "$IN/store-ours" \
    --prepare "$(prep_store upstream)" --prepare "$(prep_store ours)"

# erase: every timed erase deletes a real item; the untimed --prepare stores it
# again through the same helper first.
hf erase "$IN/erase" "$IN/erase" \
    --prepare "$(printf '%q store < %q' "$UPSTREAM" "$IN/erase-store")" \
    --prepare "$(printf '%q store < %q' "$OURS" "$IN/erase-store")"

# list: no input
hf list "" ""

# ------------------------------------------------------------- after-checks
notes=()
# The store benchmark must not have piled up duplicates of STORE_KEY.
dups=$(dr_count_items server "$STORE_KEY" 2>/dev/null || echo '?')
[ "$dups" = 1 ] || notes+=("note: $dups keyring items for $STORE_KEY after the store benchmark (want 1)")
# The erase benchmark ends with an erase: the key must be gone.
left=$(dr_count_items server "$ERASE_KEY" 2>/dev/null || echo '?')
[ "$left" = 0 ] || notes+=("note: $left keyring items for $ERASE_KEY after the erase benchmark (want 0)")
expect_get "$OURS" "$GET_KEY" "user-$((N / 2 + 1))" "secret-$((N / 2 + 1))"

# ---------------------------------------------------------------------- table
median_ms() { # op name
    awk -F, -v n="$2" 'NR > 1 && $1 == n { printf "%.3f", $4 * 1000; found = 1 }
        END { if (!found) exit 1 }' "$WORK/$1.csv" ||
        die "no median for $2 in $1 results"
}

{
    printf 'docker-credential-dokku helper benchmark (%s)\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    printf 'keyring: private gnome-keyring %s, %s docker items; hyperfine %s, --warmup %s --runs %s, median wall time\n' \
        "$(gnome-keyring-daemon --version 2>/dev/null | awk '{print $2; exit}')" "$N" \
        "$(hyperfine --version | awk '{print $2}')" "$WARMUP" "$RUNS"
    printf 'ours: %s\nupstream: %s\n\n' "$OURS" "$UPSTREAM"
    printf '%-10s %12s %12s %8s %8s  %s\n' operation upstream_ms ours_ms ratio target result
    for op in get store erase list; do
        up=$(median_ms "$op" upstream)
        ou=$(median_ms "$op" ours)
        case $op in
            get) target=0.55 ;;
            store) target=0.50 ;;
            list) target=0.15 ;;
            erase) target= ;;
        esac
        awk -v op="$op" -v up="$up" -v ou="$ou" -v t="$target" 'BEGIN {
            r = (up > 0) ? ou / up : 0
            if (t == "") { tt = "report"; res = "-" }
            else { tt = "<=" t; res = (r <= t + 0) ? "PASS" : "MISS" }
            printf "%-10s %12.2f %12.2f %8.3f %8s  %s\n", op, up, ou, r, tt, res
        }'
    done
    for n in "${notes[@]}"; do printf '%s\n' "$n"; done
} >"$WORK/table"

cp "$WORK/table" "$TABLE"
echo
cat "$TABLE"
say "done in $(($(date +%s) - T0)) s; table in ${TABLE#"$ROOT"/}, hyperfine JSON in ${JSONDIR#"$ROOT"/}/"
