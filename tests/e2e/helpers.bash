# shellcheck shell=bash
# Shared helpers for the e2e bats files: load with `load helpers`.

# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"

H=docker-credential-dokku
NOT_FOUND='credentials not found in native keychain'
USAGE='Usage: docker-credential-dokku <store|get|erase|list|version>'

# e2e_env_init: fresh hermetic environment in a short /tmp path (unix socket paths
# must stay under 108 bytes). Exports DR_E2E_DIR.
e2e_env_init() {
  DR_E2E_DIR=$(mktemp -d /tmp/dr-e2e.XXXXXX) || return 1
  export DR_E2E_DIR
  dr_env_init "$DR_E2E_DIR" || return 1
  e2e_require_helper
}

e2e_env_stop() {
  dr_env_stop
  if [ -n "${DR_E2E_DIR:-}" ] && [ -z "${DR_KEEP:-}" ]; then
    rm -rf "$DR_E2E_DIR"
  fi
}

# The helper under test must come from the repo's build/ dir.
e2e_require_helper() {
  local p
  p=$(command -v "$H") || { echo "# $H not found: run make in $DR_REPO_DIR" >&3; return 1; }
  [ "$p" = "$DR_BUILD_DIR/$H" ] || { echo "# $H resolves to $p, not $DR_BUILD_DIR/$H" >&3; return 1; }
}

# dh [-u NAME | NAME=VALUE]... ACTION [INPUT]
# Runs the helper with INPUT (verbatim, printf %s) on stdin. stdout passes through
# (so `run` sees it) and is also saved raw in $BATS_TEST_TMPDIR/stdout; stderr goes to
# $BATS_TEST_TMPDIR/stderr. Returns the helper's exit status.
dh() {
  local unsets=() envargs=()
  while [ $# -gt 0 ]; do
    case $1 in
      -u) unsets+=(-u "$2"); shift 2 ;;
      *=*) envargs+=("$1"); shift ;;
      *) break ;;
    esac
  done
  envargs=("${unsets[@]}" "${envargs[@]}")
  local action=$1 input=${2-}
  printf %s "$input" | env "${envargs[@]}" "$H" "$action" \
    2>"$BATS_TEST_TMPDIR/stderr" | tee "$BATS_TEST_TMPDIR/stdout"
  return "${PIPESTATUS[1]}"
}

# dhf [env...] ACTION FILE: like dh, stdin from FILE.
dhf() {
  local unsets=() envargs=()
  while [ $# -gt 0 ]; do
    case $1 in
      -u) unsets+=(-u "$2"); shift 2 ;;
      *=*) envargs+=("$1"); shift ;;
      *) break ;;
    esac
  done
  envargs=("${unsets[@]}" "${envargs[@]}")
  env "${envargs[@]}" "$H" "$1" <"$2" 2>"$BATS_TEST_TMPDIR/stderr" | tee "$BATS_TEST_TMPDIR/stdout"
  return "${PIPESTATUS[0]}"
}

# dha ARGS...: helper with arbitrary argv and empty stdin.
dha() {
  "$H" "$@" </dev/null 2>"$BATS_TEST_TMPDIR/stderr" | tee "$BATS_TEST_TMPDIR/stdout"
  return "${PIPESTATUS[0]}"
}

# store/get shortcuts that must succeed (used for set-up steps, not under `run`)
h_store() { # SERVER USER SECRET [env...]
  local s=$1 u=$2 p=$3
  shift 3
  local json
  json=$(jq -cn --arg s "$s" --arg u "$u" --arg p "$p" '{ServerURL:$s,Username:$u,Secret:$p}')
  local out rc
  out=$(printf '%s\n' "$json" | env "$@" "$H" store 2>&1)
  rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "store of $s failed (exit $rc): $out" >&2
    return 1
  fi
}

_e2e_dump() {
  printf '  stdout (raw, first 2000 bytes): %q\n' "$(head -c 2000 "$BATS_TEST_TMPDIR/stdout" 2>/dev/null; printf x)" >&2
  [ -s "$BATS_TEST_TMPDIR/stderr" ] && printf '  stderr: %s\n' "$(head -c 2000 "$BATS_TEST_TMPDIR/stderr")" >&2
  return 0
}

assert_status() {
  if [ "$status" -ne "$1" ]; then
    printf 'expected exit status %s, got %s\n  output: %q\n' "$1" "$status" "$output" >&2
    _e2e_dump
    return 1
  fi
}

# assert_output EXPECTED: stdout is exactly EXPECTED plus one newline
# (or exactly empty when EXPECTED is empty).
assert_output() {
  local exp=$1 raw
  raw=$(cat "$BATS_TEST_TMPDIR/stdout"; printf x)
  raw=${raw%x}
  if [ -z "$exp" ]; then
    if [ -n "$raw" ]; then
      printf 'expected empty stdout, got: %q\n' "$raw" >&2
      _e2e_dump
      return 1
    fi
    return 0
  fi
  if [ "$raw" != "$exp"$'\n' ]; then
    printf 'expected stdout: %q\n  actual stdout:  %q\n' "$exp"$'\n' "$raw" >&2
    _e2e_dump
    return 1
  fi
}

# assert_one_line: stdout is exactly one non-empty line terminated by a newline
assert_one_line() {
  local f=$BATS_TEST_TMPDIR/stdout nl size last
  nl=$(tr -cd '\n' <"$f" | wc -c)
  size=$(stat -c %s "$f")
  last=$(tail -c 1 "$f" | od -An -tx1 | tr -d ' ')
  if [ "$nl" -ne 1 ] || [ "$last" != 0a ] || [ "$size" -lt 2 ]; then
    printf 'expected exactly one line on stdout, got: %q\n' "$(head -c 2000 "$f")" >&2
    _e2e_dump
    return 1
  fi
}

assert_contains() {
  case $output in
    *"$1"*) return 0 ;;
  esac
  printf 'expected output to contain %q\n  output: %q\n' "$1" "$output" >&2
  _e2e_dump
  return 1
}

assert_not_contains() {
  case $output in
    *"$1"*)
      printf 'expected output NOT to contain %q\n  output: %q\n' "$1" "$output" >&2
      _e2e_dump
      return 1 ;;
  esac
  return 0
}

assert_eq() { # ACTUAL EXPECTED [what]
  if [ "$1" != "$2" ]; then
    printf '%s: expected %q, got %q\n' "${3:-value}" "$2" "$1" >&2
    return 1
  fi
}

# failure message: one line, exit 1, containing TEXT
assert_fail_line() {
  assert_status 1
  assert_one_line
  assert_contains "$1"
}

now() { date +%s.%N; }

# assert_elapsed_lt T0 SECS: less than SECS seconds since T0 (from `now`).
# A hang guard, not a speed check: SECS sits far above what the step needs
# on a loaded machine and well below what it would take if the deadline
# under test were ignored (the stalled helper's or daemon's own sleep, D-Bus's
# 25 s default). What a deadline was is checked by the error's words ("within
# 1.0s"); speed targets live in `make bench`.
assert_elapsed_lt() {
  local t1 el
  t1=$(now)
  el=$(awk -v a="$1" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
  if ! awk -v e="$el" -v m="$2" 'BEGIN{exit !(e < m)}'; then
    printf 'took %ss, expected < %ss\n' "$el" "$2" >&2
    return 1
  fi
}

# elapsed_since T0 -> seconds (float) on stdout
elapsed_since() {
  awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'
}

float_ge() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a >= b)}'; }
float_lt() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a < b)}'; }

# JSON of a get answer, built with jq (same key order as the contract)
creds_json() { # SERVER USER SECRET
  jq -cn --arg s "$1" --arg u "$2" --arg p "$3" '{ServerURL:$s,Username:$u,Secret:$p}'
}

# assert_get SERVER_REQUESTED USER SECRET [env...]: get prints exactly the creds
assert_get() {
  local s=$1 u=$2 p=$3
  shift 3
  run dh "$@" get "$s"
  assert_status 0
  assert_output "$(creds_json "$s" "$u" "$p")"
}

assert_not_found() { # SERVER [env...]
  local s=$1
  shift
  run dh "$@" get "$s"
  assert_status 1
  assert_output "$NOT_FOUND"
}
