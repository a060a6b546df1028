#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS JOBS BIN...: runs each libFuzzer target for SECONDS
# on its seed corpus (tests/fuzz/corpus/<name>, read only) plus a work corpus
# in build-fuzz/corpus/<name> (kept between runs), JOBS at a time. A crash,
# leak, UB report, timeout (10 s per input) or out-of-memory (2 GiB) fails
# the run; its input is kept in build-fuzz/artifacts/. Prints one line per
# target with its executions, then "fuzz: N passed, N failed".
set -u
secs=$1 jobs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
out=$(dirname "$1")
mkdir -p "$out/corpus" "$out/artifacts" "$out/logs"

one() {
  local bin=$1 name seeds work log
  name=$(basename "$bin")
  name=${name#fuzz_}
  seeds="$here/corpus/$name"
  work="$out/corpus/$name"
  log="$out/logs/$name.log"
  mkdir -p "$work"
  [ -d "$seeds" ] || seeds=
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$name-" "$work" ${seeds:+"$seeds"} >"$log" 2>&1; then
    printf 'ok   %-22s %10s execs\n' "$name" "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  else
    printf 'FAIL %-22s see %s\n' "$name" "$log"
    grep -m3 -E 'ERROR|SUMMARY|Timeout|out-of-memory' "$log" | sed 's/^/     /'
    return 1
  fi
}
export -f one
export secs out here
# ASan's leak check and UBSan reports abort the input (a finding, not a log line)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
results=$(printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one "$1"' _ {})
printf '%s\n' "$results"
pass=$(grep -c '^ok ' <<<"$results")
fail=$(grep -c '^FAIL ' <<<"$results")
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -eq "$#" ]
