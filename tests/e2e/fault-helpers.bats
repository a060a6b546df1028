#!/usr/bin/env bats
# Fault injection: misbehaving chained credential helpers and hostile host
# patterns (linear matching; floods, hangs and leftovers stopped). The misbehaving helpers are small
# scripts: no real helper floods, hangs or leaves a process holding stdout on
# purpose, so these stand in for a broken one. Everything else is real: our
# helper, its config, the private keyring. Time budget: about 25 s.

load helpers

setup_file() {
  e2e_env_init || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
  BAD_BIN="$DR_E2E_DIR/bad-bin"
  mkdir -p "$BAD_BIN"
  # docker-credential-bad: BAD_MODE picks the misbehaviour; BAD_PIDS gets the
  # pids of what it leaves behind
  cat >"$BAD_BIN/docker-credential-bad" <<'EOS'
#!/bin/bash
cat >/dev/null
case ${BAD_MODE:-} in
  flood) echo "$$" >>"$BAD_PIDS"; exec yes 'flood flood flood flood' ;;
  hang) sleep 60 & echo "$!" >>"$BAD_PIDS"; wait ;;
  orphan) # answers and exits 0; a child keeps stdout open
    sleep 60 & echo "$!" >>"$BAD_PIDS"
    printf '{"Username":"u","Secret":"orphan-ok"}\n'; exit 0 ;;
  escape) # the same, the child in its own session (out of our process group)
    setsid sleep 60 & echo "$!" >>"$BAD_PIDS"
    printf '{"Username":"u","Secret":"escape-ok"}\n'; exit 0 ;;
  *) printf '{"Username":"u","Secret":"plain"}\n' ;;
esac
EOS
  chmod 0755 "$BAD_BIN/docker-credential-bad"
  export PATH="$DR_BUILD_DIR:$BAD_BIN:${PATH#"$DR_BUILD_DIR":}"
  export BAD_BIN
}

teardown_file() {
  e2e_env_stop
}

setup() {
  export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config" BAD_PIDS="$BATS_TEST_TMPDIR/bad.pids"
  CFG="$XDG_CONFIG_HOME/docker-credential-dokku/config.json"
  mkdir -p "$(dirname "$CFG")"
  : >"$BAD_PIDS"
  printf '{"chain_timeout":10,"helpers":{"*.bad.example":"bad"}}\n' >"$CFG"
}

# what the stand-in left running (the escape test leaves one on purpose)
teardown() {
  local pid
  while read -r pid; do
    _dr_kill "$pid" sleep
  done <"$BAD_PIDS"
}

left_running() {
  local pid left=""
  while read -r pid; do
    _dr_alive "$pid" && left="$left $pid"
  done <"$BAD_PIDS"
  printf '%s' "$left"
}

@test "a chained helper flooding stdout: 'too much output', not a timeout; nothing left running" {
  run dh BAD_MODE=flood get x.bad.example
  assert_fail_line 'docker-credential-bad printed too much output'
  assert_not_contains 'did not answer'
  sleep 0.2
  [ -z "$(left_running)" ] || { echo "the flood is still running:$(left_running)" >&2; return 1; }
}

@test "a chained helper that answers and exits while its child holds stdout: the answer is taken at once, the child killed" {
  local t0
  t0=$(now)
  run dh BAD_MODE=orphan get x.bad.example
  # the child holds stdout for 60 s
  assert_elapsed_lt "$t0" 20
  assert_status 0
  assert_output '{"Username":"u","Secret":"orphan-ok"}'
  sleep 0.3
  [ -z "$(left_running)" ] || { echo "still running:$(left_running)" >&2; return 1; }
}

@test "a setsid grandchild escapes the group kill: the answer is still taken at once (the process stays: threat table)" {
  local t0
  t0=$(now)
  run dh BAD_MODE=escape get x.bad.example
  assert_elapsed_lt "$t0" 20
  assert_status 0
  assert_output '{"Username":"u","Secret":"escape-ok"}'
  # documents the known limit: a process in its own session is out of reach
  [ -n "$(left_running)" ] || { echo "expected the setsid child to survive (limit in tests/README.md)" >&2; return 1; }
}

@test "a chained helper that hangs: the error names it and chain_timeout, and its children die" {
  printf '{"chain_timeout":1,"helpers":{"*.bad.example":"bad"}}\n' >"$CFG"
  local t0
  t0=$(now)
  run dh BAD_MODE=hang get x.bad.example
  # the helper sleeps 60 s
  assert_elapsed_lt "$t0" 20
  assert_fail_line 'credential helper docker-credential-bad did not answer within 1.0s'
  sleep 0.3
  [ -z "$(left_running)" ] || { echo "still running:$(left_running)" >&2; return 1; }
}

@test "the last-resort alarm names what was running (a request on stdin that never ends), not the keyring" {
  local t0 out rc fifo=$BATS_TEST_TMPDIR/stdin
  # stdin stays open for 30 s; the budget is 1 s and no helper is chained,
  # so the alarm goes at 1 + 2 s
  printf '{}\n' >"$CFG"
  mkfifo "$fifo"
  sleep 30 >"$fifo" 3>&- &
  echo "$!" >>"$BAD_PIDS"
  t0=$(now)
  out=$(DOCKER_CREDENTIAL_DOKKU_TIMEOUT=1 "$H" get <"$fifo" 2>/dev/null) || rc=$?
  assert_elapsed_lt "$t0" 20
  assert_eq "${rc:-0}" 1 "exit status"
  assert_eq "$out" "docker-credential-dokku gave up after 3s reading the request on stdin" "answer"
}

@test "hostile pattern: helpers:set refuses more than 8 '*' and more than 255 characters, file untouched" {
  local before long
  before=$(sha256sum "$CFG")
  run dokku-registry helpers:set '*********.bad.example' bad
  assert_status 1
  assert_contains 'more than 8 * wildcards'
  long=$(printf 'a%.0s' $(seq 1 256))
  run dokku-registry helpers:set "$long" bad
  assert_status 1
  assert_contains 'longer than 255 characters'
  assert_eq "$(sha256sum "$CFG")" "$before" "config file"
  # written by hand: the helper names the file and the limit
  printf '{"helpers":{"**********b":"bad"}}\n' >"$CFG"
  run dh get aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  assert_fail_line "$CFG"
  assert_contains 'more than 8 * wildcards'
  # and helpers:unset is the way to repair it
  run dokku-registry helpers:unset '**********b'
  assert_status 0
  assert_eq "$(jq -c .helpers "$CFG")" '{}' "helpers after unset"
}

@test "hostile pattern: 8 '*' against a 60-character label is matched, not minutes of backtracking" {
  # the backtracking matcher needed C(60,8) steps, minutes of CPU; the
  # matcher's speed itself is measured by make bench
  local host t0
  host="$(printf 'a%.0s' $(seq 1 60)).bad.example"
  printf '{"chain_timeout":10,"helpers":{"********b.bad.example":"bad","*.bad.example":"bad"}}\n' >"$CFG"
  t0=$(now)
  run dh get "$host"
  assert_elapsed_lt "$t0" 20
  assert_status 0
  assert_output '{"Username":"u","Secret":"plain"}'
}
