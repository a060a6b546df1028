#!/usr/bin/env bash
# bench/report-bench.sh - `dokku-registry report --format json` across 1000
# apps (run by `make bench`). Target: median <= 100 ms. Prints a table and
# writes it to build/bench-report.txt. Exit 0 when it ran (a MISS is a
# result), non-zero when something failed to run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${DR_BUILD_DIR:-$ROOT/build}/dokku-registry
APPS=${BENCH_APPS:-1000}
RUNS=${BENCH_RUNS:-20}
OUT=$ROOT/build/bench-report.txt

[ -x "$BIN" ] || { echo "report-bench: $BIN not built" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "report-bench: hyperfine missing (packaging/deps.sh)" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dokku-report-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export DOKKU_ROOT=$WORK/root DOKKU_LIB_ROOT=$WORK/lib
mkdir -p "$DOKKU_ROOT"

# 1000 apps, each with a few properties set, and global ones
for ((i = 1; i <= APPS; i++)); do
    app=$(printf 'app-%04d' "$i")
    mkdir -p "$DOKKU_ROOT/$app" "$DOKKU_LIB_ROOT/config/registry/$app"
    printf 'ghcr.io' >"$DOKKU_LIB_ROOT/config/registry/$app/server"
    printf 'true' >"$DOKKU_LIB_ROOT/config/registry/$app/push-on-release"
    printf '%d' "$i" >"$DOKKU_LIB_ROOT/config/registry/$app/tag-version"
done
mkdir -p "$DOKKU_LIB_ROOT/config/registry/--global"
printf 'org/{{ .AppName }}' >"$DOKKU_LIB_ROOT/config/registry/--global/image-repo-template"

lines=$("$BIN" report --format json | wc -l)
[ "$lines" = "$APPS" ] || { echo "report-bench: $lines JSON lines for $APPS apps" >&2; exit 1; }

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$WORK/h.json" \
    "$BIN report --format json" >"$WORK/h.log" 2>&1 || { cat "$WORK/h.log" >&2; exit 1; }
median=$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$WORK/h.json")
result=$(python3 -c 'import sys; print("PASS" if float(sys.argv[1]) <= 100 else "MISS")' "$median")
{
    echo "dokku-registry report --format json, $APPS apps (hyperfine median of $RUNS runs)"
    printf '%-28s %10s %8s %8s\n' case median_ms target result
    printf '%-28s %10s %8s %8s\n' "report --format json" "$median" "<=100" "$result"
} | tee "$OUT"
