# shellcheck shell=bash
# The hostile registry (tests/lib/hostile-registry.py) for the fault tests:
# source after tests/lib/env.sh and tests/lib/registry-tls.sh.

# hr_start [UPSTREAM]: starts it (a proxy in front of UPSTREAM when given);
# sets HR_A (the registry address), HR_B_PORT (the other origin), HR_T_PORT
# (https, when $DR_DIR/pki exists) and HR_LOG
hr_start() {
  local py pf="$DR_DIR/hostile.port" tls=()
  py=$(rt_python) || { _rt_err "no python3"; return 1; }
  [ -f "$DR_DIR/pki/server.crt" ] && tls=(--cert "$DR_DIR/pki/server.crt" --key "$DR_DIR/pki/server.key")
  rm -f "$pf"
  HR_LOG="$DR_DIR/hostile.jsonl"
  : >"$HR_LOG"
  "$py" "$DR_LIB_DIR/hostile-registry.py" --port-file "$pf" --log "$HR_LOG" \
    ${1:+--upstream "$1"} "${tls[@]}" </dev/null >>"$DR_DIR/hostile.log" 2>&1 \
    3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  HR_PID=$!
  printf '%s\n' "$HR_PID" >>"$DR_DIR/rt-pids"
  local ports
  ports=$(_rt_wait_port "$pf" "$HR_PID") ||
    { _rt_err "hostile registry did not start: $(tail -n 5 "$DR_DIR/hostile.log")"; return 1; }
  read -r HR_A_PORT HR_B_PORT HR_T_PORT <<<"$ports"
  HR_A="127.0.0.1:$HR_A_PORT"
  export HR_A HR_A_PORT HR_B_PORT HR_T_PORT HR_LOG HR_PID
}

# hr_mode MODE: switches the mode and empties the request log
hr_mode() {
  curl -fsS -m 5 -o /dev/null "http://$HR_A/__mode/$1" || return 1
  : >"$HR_LOG"
}

# hr_log LISTENER: the requests LISTENER (A, B or T) logged, one JSON a line
hr_log() { jq -c --arg l "$1" 'select(.listener == $l)' "$HR_LOG"; }

# hr_b_clean SECRET...: B got no Authorization header and none of the secrets
hr_b_clean() {
  local b s
  b=$(hr_log B)
  case "$b" in *'Authorization:'* | *'authorization:'*)
    echo "B received an Authorization header: $b" >&2; return 1 ;;
  esac
  for s in "$@"; do
    case "$b" in *"$s"*) echo "B received a secret: $b" >&2; return 1 ;; esac
  done
}

# timed [--separate-stderr] CMD...: runs CMD under /usr/bin/time, like
# bats' run (status, output[, stderr]); sets ELAPSED (seconds) and MAXRSS_KB
timed() {
  local t0 tf="$BATS_TEST_TMPDIR/time.out" opts=()
  [ "${1-}" = --separate-stderr ] && { opts=(--separate-stderr); shift; }
  t0=$(date +%s.%N)
  run "${opts[@]}" /usr/bin/time -o "$tf" -f '%M' "$@"
  ELAPSED=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.3f", b-a}')
  MAXRSS_KB=$(tail -n 1 "$tf")
  export ELAPSED MAXRSS_KB
}

# assert_bounded SECS KB: the last `timed` took less than SECS and KB of RSS
# (HR_FIGURES=FILE collects the measured figures)
assert_bounded() {
  local kb=$2
  # ASan's shadow memory and quarantine: a sanitized build gets 3 times the room
  case "${DR_BUILD_DIR:-}" in *-san*) kb=$((kb * 3)) ;; esac
  case "$output${stderr-}" in *Sanitizer* | *"runtime error"*)
    echo "sanitizer report: $output ${stderr-}" >&2; return 1 ;;
  esac
  set -- "$1" "$kb"
  [ -n "${HR_FIGURES:-}" ] &&
    printf '%s\t%ss\t%s KiB\t(bounds %ss, %s KiB)\n' "$BATS_TEST_DESCRIPTION" "$ELAPSED" \
      "$MAXRSS_KB" "$1" "$2" >>"$HR_FIGURES"
  awk -v e="$ELAPSED" -v m="$1" 'BEGIN{exit !(e < m)}' ||
    { echo "took ${ELAPSED}s, expected < $1 s" >&2; return 1; }
  [ "$MAXRSS_KB" -lt "$2" ] || { echo "max RSS ${MAXRSS_KB} KiB, expected < $2 KiB" >&2; return 1; }
}
