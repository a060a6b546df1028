#!/usr/bin/env bats
# core/registry against real docker-registry instances on 127.0.0.1, through the
# test-only tests/tools/registry-probe: docker-login semantics with htpasswd
# Basic auth over http, over https with a test CA, and the Bearer token flow
# with a test token service (tests/lib/token-server.py).

bats_require_minimum_version 1.5.0

# env.sh resets DR_BUILD_DIR to build/; keep the caller's (e.g. build-san)
_RC_BUILD_DIR=${DR_BUILD_DIR:-}
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/registry-tls.sh
source "$BATS_TEST_DIRNAME/../lib/registry-tls.sh"
PROBE="${_RC_BUILD_DIR:-$DR_BUILD_DIR}/registry-probe"

B_USER=basic-user
T_USER=token-user
SERVICE=dr-test-service
ISSUER=dr-test-issuer

setup_file() {
  [ -x "$PROBE" ] || { echo "# $PROBE not built (make check-e2e builds it)" >&3; return 1; }
  RC_DIR=$(mktemp -d /tmp/dr-regc.XXXXXX) || return 1
  export RC_DIR
  dr_env_init "$RC_DIR" || return 1
  # passwords seen nowhere else, with the characters Basic auth must survive
  B_PASS="b:pw $RANDOM$RANDOM"
  T_PASS="t:pw $RANDOM$RANDOM"
  REFRESH="refresh-$RANDOM$RANDOM"
  export B_PASS T_PASS REFRESH
  rt_make_certs || return 1
  dr_registry_start "$B_USER" "$B_PASS" || return 1
  B_REG=$DR_REGISTRY
  B_PID=$DR_REGISTRY_PID
  rt_registry_start tls "$B_USER" "$B_PASS" || return 1
  TLS_REG=$RT_ADDR
  export B_REG B_PID TLS_REG
  if rt_python >/dev/null; then
    rt_token_server_start "$T_USER" "$T_PASS" "$SERVICE" "$ISSUER" "$REFRESH" other-aud huge ||
      return 1
    rt_registry_start token "http://127.0.0.1:$RT_TOKEN_PORT/token" "$SERVICE" "$ISSUER" || return 1
    TOKEN_REG=$RT_ADDR
    rt_stall_start || return 1
    export TOKEN_REG
  fi
}

teardown_file() {
  rt_stop_all
  dr_env_stop
  [ -n "${RC_DIR:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$RC_DIR"
  return 0
}

need_python() {
  [ -n "${TOKEN_REG:-}" ] || skip "no python3 on this machine: token service tests need one"
}

# probe PASSWORD ARGS...: registry-probe with PASSWORD on stdin
probe() {
  local pw=$1
  shift
  printf '%s\n' "$pw" | "$PROBE" "$@"
}

# token_log FILTER EXPR: EXPR for each request the token server logged where
# FILTER holds (r: the record, q: its query, f: its form)
token_log() {
  "$(rt_python)" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    q, f = r.get("query", {}), r.get("form", {})
    if eval(sys.argv[2]):
        print(eval(sys.argv[3]))' "$RC_DIR/token-server.jsonl" "$1" "$2"
}

# the secret must appear in no output
no_secret() {
  case "$output$stderr" in
    *"$1"*) echo "secret leaked: $output $stderr" >&2; return 1 ;;
  esac
}

@test "basic auth over http on loopback: good password logs in over http" {
  run --separate-stderr probe "$B_PASS" "$B_REG" "$B_USER"
  [ "$status" -eq 0 ] || { echo "$stderr"; false; }
  [ "$output" = "ok http" ]
}

@test "basic auth: wrong password is refused with exit 2" {
  run --separate-stderr probe "not-$B_PASS" "$B_REG" "$B_USER"
  [ "$status" -eq 2 ] || { echo "$status $stderr"; false; }
  [[ $stderr == "registry $B_REG refused the credentials (401 Unauthorized)"* ]]
  [ -z "$output" ]
  no_secret "not-$B_PASS"
}

@test "basic auth: a user the registry does not know is refused" {
  run --separate-stderr probe "$B_PASS" "$B_REG" nobody
  [ "$status" -eq 2 ]
  [[ $stderr == *refused* ]]
}

@test "basic auth: an identity token cannot answer a Basic challenge" {
  run --separate-stderr probe "some-identity-token" "$B_REG" "<token>"
  [ "$status" -eq 2 ]
  [ "$stderr" = "registry $B_REG wants a password: an identity token cannot be used with Basic authentication" ]
}

# dockerd always counts 127.0.0.0/8 and ::1 as insecure registries (moby
# daemon/pkg/registry/config.go, loadInsecureRegistries): their certificates are
# not verified. The verified cases (unknown CA refused, certs.d, SSL_CERT_FILE)
# need a registry off loopback: daemon-registry.bats.
@test "TLS on loopback with an unknown CA logs in over https, unverified as by docker" {
  run --separate-stderr probe "$B_PASS" "$TLS_REG" "$B_USER"
  [ "$status" -eq 0 ] || { echo "$status $stderr"; false; }
  [ "$output" = "ok https" ]
}

@test "TLS on loopback by the name localhost: unverified too (it resolves to 127.0.0.1)" {
  local port=${TLS_REG#*:}
  run --separate-stderr probe "$B_PASS" "localhost:$port" "$B_USER"
  [ "$status" -eq 0 ] || { echo "$stderr"; false; }
  [ "$output" = "ok https" ]
}

@test "TLS with --insecure logs in over https without verification" {
  run --separate-stderr probe "$B_PASS" --insecure "$TLS_REG" "$B_USER"
  [ "$status" -eq 0 ] || { echo "$stderr"; false; }
  [ "$output" = "ok https" ]
}

@test "TLS with --insecure and a wrong password is still refused" {
  run --separate-stderr probe "x$B_PASS" --insecure "$TLS_REG" "$B_USER"
  [ "$status" -eq 2 ]
  [[ $stderr == "registry $TLS_REG refused the credentials (401 Unauthorized)"* ]]
  no_secret "x$B_PASS"
}

@test "bearer token flow: good password logs in (token from the realm, no scope)" {
  need_python
  : >"$RC_DIR/token-server.jsonl"
  run --separate-stderr probe "$T_PASS" "$TOKEN_REG" "$T_USER"
  [ "$status" -eq 0 ] || { echo "$stderr"; false; }
  [ "$output" = "ok http" ]
  # what docker login sends: Basic auth, service, account, no scope
  run token_log 'r["method"] == "GET"' \
    '[r["basic"], q["service"][0], q["account"][0], q.get("scope", "none")]'
  [ "$output" = "[True, '$SERVICE', '$T_USER', 'none']" ]
}

@test "bearer token flow: bad password is refused by the token service (exit 2)" {
  need_python
  run --separate-stderr probe "bad-$T_PASS" "$TOKEN_REG" "$T_USER"
  [ "$status" -eq 2 ] || { echo "$status $stderr"; false; }
  [ "$stderr" = "registry $TOKEN_REG refused the credentials (401 Unauthorized): incorrect username or password" ]
  no_secret "bad-$T_PASS"
}

@test "bearer token flow: a token the registry does not accept is refused (exit 2)" {
  need_python
  run --separate-stderr probe "$T_PASS" "$TOKEN_REG" other-aud
  [ "$status" -eq 2 ] || { echo "$status $stderr"; false; }
  [ "$stderr" = "registry $TOKEN_REG refused the credentials (401 Unauthorized): authentication required" ]
}

@test "bearer token flow: a token response over 1 MiB is cut off" {
  need_python
  run --separate-stderr probe "$T_PASS" "$TOKEN_REG" huge
  [ "$status" -eq 1 ] || { echo "$status $stderr"; false; }
  [ "$stderr" = "response too large from token service 127.0.0.1 (over 1048576 bytes)" ]
}

@test "bearer token flow: an identity token (<token>) goes through the OAuth refresh grant" {
  need_python
  : >"$RC_DIR/token-server.jsonl"
  run --separate-stderr probe "$REFRESH" "$TOKEN_REG" "<token>"
  [ "$status" -eq 0 ] || { echo "$stderr"; false; }
  [ "$output" = "ok http" ]
  run token_log True '[r["method"], f["grant_type"][0], f["client_id"][0], r["basic"]]'
  [ "$output" = "['POST', 'refresh_token', 'docker', False]" ]
  run --separate-stderr probe "stale-$REFRESH" "$TOKEN_REG" "<token>"
  [ "$status" -eq 2 ]
  [[ $stderr == *"invalid refresh token" ]]
  no_secret "stale-$REFRESH"
}

@test "a registry that never answers times out with exit 3" {
  need_python
  run --separate-stderr probe pw --timeout-ms 500 "127.0.0.1:$RT_STALL_PORT" u
  [ "$status" -eq 3 ]
  [ "$stderr" = "cannot reach registry 127.0.0.1:$RT_STALL_PORT: timed out after 0.5s" ]
}

@test "garbage server names are rejected with exit 1" {
  run --separate-stderr probe pw "ftp://127.0.0.1" u
  [ "$status" -eq 1 ]
  [[ $stderr == "not a registry address"* ]]
}

@test "basic auth: registry stopped is unreachable with exit 3" {
  _dr_kill "$B_PID" docker-registry || true  # not our child here: wait fails
  if _dr_alive "$B_PID"; then echo "registry still running"; false; fi
  run --separate-stderr probe "$B_PASS" "$B_REG" "$B_USER"
  [ "$status" -eq 3 ] || { echo "$status $stderr"; false; }
  [[ $stderr == "cannot reach registry $B_REG: "*"Connection refused"* ||
     $stderr == "cannot reach registry $B_REG: "*"Couldn't connect"* ]]
}
