#!/usr/bin/env bats
# dokku-registry doctor [--network] [--format stdout|json]: one line per check,
# `<status> <check> <detail>[; fix: …]` with status ok/warn/FAIL/skip, for the
# helper, settings, bus, provider, collection, unlocked, entries, chained,
# config and (--network) login checks; exit 1 when anything FAILs.
#
# Real components, one private set per test: dbus-daemon, gnome-keyring,
# docker-registry with htpasswd on 127.0.0.1, the docker CLI (client side),
# Debian's docker-credential-secretservice and docker-credential-pass.

load helpers

PW=doctor-pw-1

setup() {
  e2e_env_init || return 1
  export DOKKU_ROOT="$DR_DIR/dokku-root" DOKKU_LIB_ROOT="$DR_DIR/dokku-lib"
  mkdir -p "$DOKKU_ROOT" "$DOKKU_LIB_ROOT/config/registry"
  REG="$DOKKU_LIB_ROOT/config/registry"
  # the global docker config is then $DOKKU_ROOT/.docker, as for the dokku user
  unset DOCKER_CONFIG
  GDIR="$DOKKU_ROOT/.docker"
  CFG="$XDG_CONFIG_HOME/docker-credential-dokku/config.json"
}

teardown() {
  dr_keyring_resume
  e2e_env_stop
}

# doc ARGS...: dokku-registry doctor under `run`; stderr in $BATS_TEST_TMPDIR/doctor.stderr
doc() { run _doc "$@"; }
_doc() { dokku-registry doctor "$@" 2>"$BATS_TEST_TMPDIR/doctor.stderr"; }

# The daemons a test needs. Not `a && b` at the top of a test: bats runs tests
# under errexit, which would then stop inside the last one at the first poll
# that fails while the daemon is still starting.
start_keyring() { { dr_bus_start && dr_keyring_start; } || return 1; }
start_registry() { dr_registry_start alice "$PW" || return 1; }

create_app() {
  mkdir "$DOKKU_ROOT/$1" && dokku-registry post-create "$1" >/dev/null
}

docker_login() { # CONFIG_DIR PASSWORD
  printf %s "$2" | DOCKER_CONFIG="$1" docker login -u alice --password-stdin "$DR_REGISTRY" >/dev/null 2>&1
}

# assert_check STATUS CHECK [TEXT]: a line with that status and check (and TEXT)
assert_check() {
  local want_st=$1 want_ck=$2 text=${3-} line st ck
  while IFS= read -r line; do
    read -r st ck _ <<<"$line"
    if [ "$st" = "$want_st" ] && [ "$ck" = "$want_ck" ] && [[ $line == *"$text"* ]]; then
      return 0
    fi
  done <<<"$output"
  printf 'no line "%s %s …%s…" in:\n%s\n' "$want_st" "$want_ck" "$text" "$output" >&2
  return 1
}

# assert_no_check STATUS [CHECK]: no line with that status (for that check)
assert_no_check() {
  local line st ck
  while IFS= read -r line; do
    read -r st ck _ <<<"$line"
    if [ "$st" = "$1" ] && { [ -z "${2:-}" ] || [ "$ck" = "$2" ]; }; then
      printf 'unexpected line: %s\n  in:\n%s\n' "$line" "$output" >&2
      return 1
    fi
  done <<<"$output"
}

# no line of the login check (only --network logs in)
assert_no_login_check() {
  if grep -qE '^[a-zA-Z]+ +login ' <<<"$output"; then
    printf 'login checked without --network:\n%s\n' "$output" >&2
    return 1
  fi
}

# every stdout line is `<status> <check> <detail>`
assert_format() {
  local line bad=""
  while IFS= read -r line; do
    [[ $line =~ ^(ok|warn|FAIL|skip)\ +(helper|settings|bus|provider|collection|unlocked|entries|chained|plugin|config|login)\ +[^\ ].*$ ]] ||
      bad="$bad"$'\n'"  $line"
  done <<<"$output"
  [ -z "$bad" ] || { printf 'malformed lines:%s\n' "$bad" >&2; return 1; }
}

# exit status 1 exactly when a line is FAIL
assert_status_matches_lines() {
  local want=0
  grep -q '^FAIL ' <<<"$output" && want=1
  assert_status "$want"
}

# assert_json_agrees ARGS...: `doctor ARGS --format json` reports the same checks
# as the stdout lines in $output, with the same exit status, and the shape
# {"ok":bool,"checks":[{"check","status","detail","fix"}]}
assert_json_agrees() {
  local text=$output text_status=$status json from_json from_text
  run _doc "$@" --format json
  json=$output
  [ "$status" -eq "$text_status" ] || { echo "json exit $status, stdout exit $text_status" >&2; return 1; }
  jq -e 'type == "object" and (keys == ["checks","ok"]) and (.ok | type == "boolean")
         and (.checks | type == "array" and length > 0)
         and all(.checks[]; (keys == ["check","detail","fix","status"])
                 and all(.[]; type == "string"))' <<<"$json" >/dev/null ||
    { echo "bad JSON shape: $json" >&2; return 1; }
  assert_eq "$(jq -r .ok <<<"$json")" "$([ "$text_status" -eq 0 ] && echo true || echo false)" '"ok"'
  from_json=$(jq -r '.checks[] | "\(.status) \(.check) \(.detail)" + (if .fix != "" then "; fix: \(.fix)" else "" end)' <<<"$json")
  from_text=$(sed -E 's/^([^ ]+) +([^ ]+) +/\1 \2 /' <<<"$text")
  assert_eq "$from_json" "$from_text" "checks in JSON vs stdout"
  output=$text status=$text_status
}

# ---------------------------------------------------------------------------

@test "all good after real logins: every check ok, exit 0, JSON ok:true" {
  start_keyring
  start_registry
  # the global config where $DOCKER_CONFIG says
  export DOCKER_CONFIG="$DR_DIR/docker-global"
  run dokku-registry login --global "$DR_REGISTRY" alice "$PW"
  assert_status 0
  # an app's own config, logged in by the docker CLI through the helper
  create_app app1
  printf '{"credsStore":"dokku"}\n' >"$REG/app1/config.json"
  docker_login "$REG/app1" "$PW"
  # an entry written by upstream's helper is a docker entry too
  creds_json other.example.com u p | docker-credential-secretservice store
  doc
  assert_status 0
  assert_format
  assert_no_check FAIL
  assert_no_check warn
  assert_no_check skip
  assert_check ok helper 'docker-credential-dokku (dokku-registry)'
  assert_check ok settings
  assert_check ok bus
  assert_check ok provider
  assert_check ok collection
  assert_check ok unlocked
  assert_check ok entries '3 docker credential'
  assert_check ok config "$DOCKER_CONFIG/config.json"
  assert_check ok config "$REG/app1/config.json"
  # no network check unless asked for
  assert_no_login_check
  [[ $output != *"$PW"* ]]
  assert_json_agrees
}

@test "no session bus: FAIL bus, the later keyring steps skip, exit 1" {
  if [ -S "/run/user/$(id -u)/bus" ]; then
    skip "this machine has a systemd user bus at /run/user/$(id -u)/bus"
  fi
  [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]
  local t0
  t0=$(now)
  doc
  assert_elapsed_lt "$t0" 15
  assert_status 1
  assert_format
  assert_check ok helper
  assert_check ok settings
  assert_check FAIL bus 'no D-Bus session bus'
  local ck
  for ck in provider collection unlocked entries; do assert_check skip "$ck"; done
  assert_no_check ok provider
  assert_json_agrees
}

@test "a bus without a Secret Service provider: FAIL provider, the rest of the keyring skips" {
  dr_bus_start || return 1
  doc
  assert_status 1
  assert_format
  assert_check ok bus
  assert_check FAIL provider 'no Secret Service provider'
  local ck
  for ck in collection unlocked entries; do assert_check skip "$ck"; done
  assert_json_agrees
  # --format stdout is the default
  local plain=$output
  doc --format stdout
  assert_status 1
  assert_eq "$output" "$plain" "--format stdout"
}

@test "a stalled provider: FAIL within the timeout, with and without --network" {
  start_keyring
  # a config that uses the helper, so --network has a login to check as well
  mkdir -p "$GDIR"
  printf '{"credsStore":"dokku","auths":{"127.0.0.1:9":{}}}\n' >"$GDIR/config.json"
  dr_keyring_stall
  export DOCKER_CREDENTIAL_DOKKU_TIMEOUT=1
  local t0
  t0=$(now)
  doc
  assert_elapsed_lt "$t0" 15
  assert_status 1
  assert_format
  assert_check ok bus
  assert_check FAIL provider 'did not answer'
  local ck
  for ck in collection unlocked entries; do assert_check skip "$ck"; done
  t0=$(now)
  doc --network
  assert_elapsed_lt "$t0" 15
  assert_status 1
  assert_check FAIL provider
  assert_check FAIL login '127.0.0.1:9'
  t0=$(now)
  assert_json_agrees --network
  assert_elapsed_lt "$t0" 15
}

@test "a locked collection: FAIL unlocked, entries skip" {
  start_keyring
  dr_keyring_lock
  doc
  assert_status 1
  assert_format
  assert_check ok provider
  assert_check ok collection
  assert_check FAIL unlocked 'locked'
  assert_check skip entries
  assert_json_agrees
}

@test "a chained helper that is not installed: FAIL chained with the fix; the fix clears it" {
  start_keyring
  run dokku-registry helpers:set '*.dkr.ecr.*.amazonaws.com' nosuch-ecr
  assert_status 0
  run dokku-registry helpers:set pass.example.com pass
  assert_status 0
  doc
  assert_status 1
  assert_format
  assert_check ok settings "$CFG"
  assert_check FAIL chained 'docker-credential-nosuch-ecr'
  assert_check FAIL chained "dokku-registry helpers:unset '*.dkr.ecr.*.amazonaws.com'"
  assert_check ok chained 'pass.example.com -> docker-credential-pass'
  assert_json_agrees
  run dokku-registry helpers:unset '*.dkr.ecr.*.amazonaws.com'
  assert_status 0
  doc
  # nothing FAILs any more; a warning alone does not fail the doctor
  assert_status 0
  assert_no_check FAIL
  assert_check ok chained 'pass.example.com'
  assert_check warn config
  assert_json_agrees
}

@test "plaintext auth in config.json (a docker login without the helper): FAIL config with the migrate fix" {
  start_keyring
  start_registry
  # global, in $DOKKU_ROOT/.docker; a marker keeps docker from choosing a store itself
  mkdir -p "$GDIR"
  printf '{"auths":{"dummy.invalid":{}}}\n' >"$GDIR/config.json"
  docker_login "$GDIR" "$PW"
  [ -n "$(jq -r --arg r "$DR_REGISTRY" '.auths[$r].auth // empty' "$GDIR/config.json")" ] ||
    { echo "docker login wrote no plaintext auth: $(cat "$GDIR/config.json")" >&2; return 1; }
  # and an app's own config
  create_app app1
  printf '{"auths":{"dummy.invalid":{}}}\n' >"$REG/app1/config.json"
  docker_login "$REG/app1" "$PW"
  doc
  assert_status 1
  assert_format
  assert_check FAIL config "$GDIR/config.json"
  assert_check FAIL config 'fix: dokku-registry migrate --global'
  assert_check FAIL config "$REG/app1/config.json"
  assert_check FAIL config 'fix: dokku-registry migrate app1'
  assert_check ok entries '0 docker credential'
  [[ $output != *"$PW"* && $output != *"$(printf 'alice:%s' "$PW" | base64 -w0)"* ]] ||
    { echo "the doctor printed a secret" >&2; return 1; }
  assert_json_agrees
  # following the fixes clears the FAILs
  run dokku-registry migrate --global
  assert_status 0
  run dokku-registry migrate app1
  assert_status 0
  doc
  assert_status 0
  assert_no_check FAIL
  assert_check ok config "$GDIR/config.json"
  assert_check ok config "$REG/app1/config.json"
  assert_check ok entries '2 docker credential'
  assert_json_agrees
}

@test "--network: ok with a good login, FAIL login (refused) once the registry's password changes" {
  start_keyring
  start_registry
  run dokku-registry login --global "$DR_REGISTRY" alice "$PW"
  assert_status 0
  doc --network
  assert_status 0
  assert_format
  assert_no_check FAIL
  assert_check ok config "$GDIR/config.json"
  assert_check ok login "$DR_REGISTRY"
  assert_json_agrees --network

  htpasswd -Bb "$DR_DIR/htpasswd" alice "changed-$PW" 2>/dev/null
  local code
  for _ in $(seq 1 50); do
    code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' -u "alice:$PW" "http://$DR_REGISTRY/v2/")
    [ "$code" = 401 ] && break
    sleep 0.1
  done
  assert_eq "$code" 401 "registry answer to the old password"
  doc --network
  assert_status 1
  assert_format
  assert_check FAIL login "$DR_REGISTRY"
  assert_check FAIL login 'refused'
  assert_json_agrees --network
  assert_eq "$(jq -r '.checks[] | select(.check == "login") | .status' <<<"$(_doc --network --format json)")" FAIL "login status in JSON"
  # without --network nothing is sent, so nothing can tell
  doc
  assert_status 0
  assert_no_login_check
}

@test "an invalid settings file: FAIL settings naming the file" {
  mkdir -p "$(dirname "$CFG")"
  printf '{"timeout": "soon"}\n' >"$CFG"
  doc
  assert_status 1
  assert_format
  assert_check FAIL settings "$CFG"
  assert_json_agrees
}

@test "docker-credential-dokku not on PATH: FAIL helper" {
  local d
  for d in /usr/bin /bin; do
    [ ! -e "$d/docker-credential-dokku" ] || skip "docker-credential-dokku is installed in $d"
  done
  run env PATH=/usr/bin:/bin "$DR_BUILD_DIR/dokku-registry" doctor
  assert_status 1
  assert_format
  assert_check FAIL helper 'docker-credential-dokku'
}

@test "a docker-credential-dokku that exits 0 and prints nothing: FAIL helper, no crash" {
  # a broken install: whatever program has the name, it answers `version`
  # with exit 0 and no output
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\nexit 0\n' >"$BATS_TEST_TMPDIR/bin/docker-credential-dokku"
  chmod +x "$BATS_TEST_TMPDIR/bin/docker-credential-dokku"
  run env PATH="$BATS_TEST_TMPDIR/bin:/usr/bin:/bin" "$DR_BUILD_DIR/dokku-registry" doctor
  assert_status 1
  assert_format
  assert_check FAIL helper 'docker-credential-dokku version exited 0 but printed nothing'
}

@test "an unknown --format is refused" {
  doc --format xml
  assert_status 1
  grep -q 'xml' "$BATS_TEST_TMPDIR/doctor.stderr" || {
    echo "stderr: $(cat "$BATS_TEST_TMPDIR/doctor.stderr")" >&2; return 1; }
}
