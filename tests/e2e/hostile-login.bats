#!/usr/bin/env bats
# Login (core/registry through tests/tools/registry-probe) against a hostile
# registry and token service (tests/lib/hostile-registry.py, a stand-in: real
# registries do not misbehave on purpose) on 127.0.0.1. Redirects:
# credentials never follow a redirect to another origin, every hop gets the
# cleartext rule, no https->http downgrade, at most 5 redirects. Loopback: a
# loopback registry's own http answer is reported, not the TLS error of the
# https attempt. Every test bounds wall time and memory.

bats_require_minimum_version 1.5.0

_HL_BUILD_DIR=${DR_BUILD_DIR:-}
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/registry-tls.sh
source "$BATS_TEST_DIRNAME/../lib/registry-tls.sh"
# shellcheck source=hostile-helpers.bash
source "$BATS_TEST_DIRNAME/hostile-helpers.bash"
[ -n "$_HL_BUILD_DIR" ] && DR_BUILD_DIR=$_HL_BUILD_DIR
PROBE="$DR_BUILD_DIR/registry-probe"

# bounds for one login: seconds, KiB of RSS (a 2 MiB body or 300 KiB of
# headers must not be held more than once)
T_MAX=15
RSS_MAX=40000

setup_file() {
  [ -x "$PROBE" ] || { echo "# $PROBE not built (make check-e2e builds it)" >&3; return 1; }
  rt_python >/dev/null || { echo "# no python3: the hostile registry needs one" >&3; return 1; }
  HL_DIR=$(mktemp -d /tmp/dr-hlog.XXXXXX) || return 1
  export HL_DIR
  dr_env_init "$HL_DIR" || return 1
  rt_make_certs || return 1
  HOSTILE_USER=hl-user
  HOSTILE_PASS="hl-pw-$RANDOM$RANDOM"
  HOSTILE_REFRESH="hl-refresh-$RANDOM$RANDOM"
  export HOSTILE_USER HOSTILE_PASS HOSTILE_REFRESH
  hr_start || return 1
}

teardown_file() {
  rt_stop_all
  dr_env_stop
  [ -n "${HL_DIR:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$HL_DIR"
  return 0
}

# login SECRET [USER] [probe options...]: registry-probe against A, timed
login() {
  local pw=$1 user=${2:-$HOSTILE_USER}
  shift 2 || shift $#
  printf '%s\n' "$pw" >"$BATS_TEST_TMPDIR/pw"
  timed --separate-stderr "$PROBE" "$@" "$HR_A" "$user" <"$BATS_TEST_TMPDIR/pw"
}

no_secret_out() {
  case "$output$stderr" in *"$HOSTILE_PASS"* | *"$HOSTILE_REFRESH"*)
    echo "secret in output: $output $stderr" >&2; return 1 ;;
  esac
}

# the last line of stderr (/usr/bin/time may add its own)
err_line() { printf '%s\n' "$stderr" | grep -v '^Command exited' | tail -n 1; }

# ---- credentials and redirects of the token service ----

@test "token realm 302 to another origin: followed, but the password does not go along" {
  hr_mode realm-302-other
  login "$HOSTILE_PASS"
  [ "$status" -eq 2 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "registry $HR_A refused the credentials (401 Unauthorized)" ]
  [ "$(hr_log B | wc -l)" -eq 1 ]
  hr_log B | jq -e '.method == "GET" and (.path | startswith("/token?"))' >/dev/null
  hr_b_clean "$HOSTILE_PASS" "$(printf '%s:%s' "$HOSTILE_USER" "$HOSTILE_PASS" | base64 -w0)"
  no_secret_out
  assert_bounded "$T_MAX" "$RSS_MAX"
}

@test "token realm 307 to another origin with an identity token: the form is not re-posted" {
  hr_mode realm-307-other
  login "$HOSTILE_REFRESH" "<token>"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "token service 127.0.0.1 redirected the token request (HTTP 307) to another host (http://127.0.0.1:$HR_B_PORT/token): the credentials were not sent there" ]
  [ -z "$(hr_log B)" ]
  [ "$(hr_log A | jq -r 'select(.path | startswith("/token")) | .method')" = POST ]
  no_secret_out
  assert_bounded "$T_MAX" "$RSS_MAX"
}

@test "token realm 307 to another origin with a password: a GET without Basic auth" {
  hr_mode realm-307-other
  login "$HOSTILE_PASS"
  [ "$status" -eq 2 ] || { echo "$status $stderr"; false; }
  [ "$(hr_log B | jq -r .method)" = GET ]
  hr_b_clean "$HOSTILE_PASS" "$(printf '%s:%s' "$HOSTILE_USER" "$HOSTILE_PASS" | base64 -w0)"
}

@test "token realm redirects within its own origin: the credentials follow, login works" {
  hr_mode realm-302-same
  login "$HOSTILE_PASS"
  [ "$status" -eq 0 ] || { echo "$status $stderr"; false; }
  [ "$output" = "ok http" ]
  [ "$(hr_log A | jq -r 'select(.path | startswith("/token2")) | .auth')" = true ]
  hr_mode realm-307-same
  login "$HOSTILE_REFRESH" "<token>"
  [ "$status" -eq 0 ] || { echo "$status $stderr"; false; }
  [ "$(hr_log A | jq -r 'select(.path | startswith("/token2")) | .method')" = POST ]
  [ -z "$(hr_log B)" ]
}

@test "token realm redirecting forever: given up after 5 redirects" {
  hr_mode realm-loop
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "token service 127.0.0.1 redirected more than 5 times" ]
  [ "$(hr_log A | jq -r 'select(.path | startswith("/token")) | .path' | wc -l)" -eq 6 ]
  assert_bounded "$T_MAX" "$RSS_MAX"
}

@test "token realm redirecting to plain http off loopback: refused before connecting" {
  hr_mode realm-cleartext
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "token service 127.0.0.1 redirected to http://192.0.2.1/token: plain http to a host that is not loopback; use --insecure only for a registry you trust" ]
  assert_bounded 15 "$RSS_MAX"
}

@test "token realm redirecting to another scheme: refused" {
  hr_mode realm-ftp
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "token service 127.0.0.1 redirected to ftp://127.0.0.1:$HR_B_PORT/token: not http or https" ]
  [ -z "$(hr_log B)" ]
}

@test "https token realm redirecting to http: refused as a downgrade, even on loopback" {
  hr_mode realm-downgrade
  SSL_CERT_FILE="$DR_DIR/pki/ca.crt" login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "token service 127.0.0.1 redirected to http://127.0.0.1:$HR_B_PORT/token: a downgrade from https to http" ]
  [ "$(hr_log T | jq -r .auth)" = true ]
  [ -z "$(hr_log B)" ]
  no_secret_out
}

# ---- the loopback registry's own answer ----

@test "loopback registry answering 500 over http: that answer, not a TLS error" {
  hr_mode v2-500
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "registry $HR_A answered GET /v2/ with HTTP 500: storage on fire" ]
  assert_bounded "$T_MAX" "$RSS_MAX"
}

@test "loopback registry answering 302 over http: the redirect is reported, not followed" {
  hr_mode v2-302
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "registry $HR_A answered GET /v2/ with HTTP 302" ]
  [ -z "$(hr_log B)" ]
}

@test "loopback registry sending a 2 MiB body: too large, bounded memory" {
  hr_mode v2-huge-body
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "response too large from registry $HR_A (over 1048576 bytes)" ]
  assert_bounded "$T_MAX" "$RSS_MAX"
}

@test "loopback registry sending 300 KiB of headers: its failure, not a TLS error" {
  hr_mode v2-huge-headers
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "response too large from registry $HR_A (a header over libcurl's limit, or out of memory)" ]
  assert_bounded "$T_MAX" "$RSS_MAX"
}

@test "loopback registry answering garbage: the http error, not a TLS one" {
  hr_mode garbage
  login "$HOSTILE_PASS"
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "request to registry $HR_A failed: Received HTTP/0.9 when not allowed" ]
  assert_bounded "$T_MAX" "$RSS_MAX"
}

@test "loopback registry that never answers: the timeout, within it" {
  hr_mode v2-slow
  login "$HOSTILE_PASS" "$HOSTILE_USER" --timeout-ms 1000
  [ "$status" -eq 3 ] || { echo "$status $stderr"; false; }
  [ "$(err_line)" = "cannot reach registry $HR_A: timed out after 1s" ]
  assert_bounded 15 "$RSS_MAX"
}

@test "doctor --network: a loopback registry's 500 is reported as such" {
  dr_bus_start
  dr_keyring_start
  export DOKKU_ROOT="$DR_DIR/dokku-root" DOKKU_LIB_ROOT="$DR_DIR/dokku-lib"
  mkdir -p "$DOKKU_ROOT" "$DOKKU_LIB_ROOT/config/registry"
  hr_mode realm-302-same
  run dokku-registry login --global --password-stdin "$HR_A" "$HOSTILE_USER" <<<"$HOSTILE_PASS"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  hr_mode v2-500
  timed dokku-registry doctor --network
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  line=$(grep -E '^FAIL +login ' <<<"$output")
  [[ $line == *"$HR_A ("*"): registry $HR_A answered GET /v2/ with HTTP 500: storage on fire" ]] ||
    { echo "$output"; false; }
  [[ $output != *"TLS error"* ]]
  assert_bounded 10 "$RSS_MAX"
  dr_keyring_stop
  dr_bus_stop
}
