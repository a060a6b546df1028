#!/usr/bin/env bats
# registry:report's auth-servers fields (Dokku >= 0.38.29, PR #9057):
# --registry-auth-servers (the app's own logins), --registry-global-auth-servers
# and --registry-computed-auth-servers (the app's list when it has any login
# of its own, else the global one; never merged). Comma-joined, sorted hosts,
# Docker Hub as docker.io, never any part of a credential.
#
# Real logins through the keyring: a private D-Bus with gnome-keyring,
# docker-registry with htpasswd on 127.0.0.1 (dokku-login-helpers).

bats_require_minimum_version 1.5.0

load dokku-login-helpers

setup_file() {
  drl_setup_file
}

teardown_file() {
  drl_teardown_file
}

setup() {
  drl_setup
  create_app app1
  create_app app2
}

teardown() {
  drl_teardown
}

# servers APP|--global FLAG: the info flag's value (must exit 0, stderr empty)
servers() {
  drr registry:report "$1" "$2"
  assert_status 0 || return 1
  assert_stderr "" || return 1
  printf '%s\n' "$output"
}

# assert_servers APP OWN GLOBAL COMPUTED: the three fields of APP, as info
# flags and in both JSON spellings
assert_servers() {
  local app=$1 own=$2 global=$3 computed=$4
  assert_eq "$(servers "$app" --registry-auth-servers)" "$own" "$app auth-servers" &&
    assert_eq "$(servers "$app" --registry-global-auth-servers)" "$global" "$app global-auth-servers" &&
    assert_eq "$(servers "$app" --registry-computed-auth-servers)" "$computed" "$app computed-auth-servers" &&
    assert_json "$app" auth-servers "$own" && assert_json "$app" registry-auth-servers "$own" &&
    assert_json "$app" global-auth-servers "$global" && assert_json "$app" registry-global-auth-servers "$global" &&
    assert_json "$app" computed-auth-servers "$computed" &&
    assert_json "$app" registry-computed-auth-servers "$computed"
}

@test "(auth-servers) nothing logged in: all three are empty" {
  assert_servers app1 "" "" ""
  assert_eq "$(servers --global --registry-global-auth-servers)" "" "--global global-auth-servers"
  assert_eq "$(servers --global --registry-computed-auth-servers)" "" "--global computed-auth-servers"
}

@test "(auth-servers) a per-app login: own and computed list the host, global stays empty; no credential in any output" {
  login_app app1 alice "$PW_A"
  assert_servers app1 "$R" "" "$R"
  # the other app is untouched
  assert_servers app2 "" "" ""
  # stdout block: the new keys in Dokku's byte order, values at column 47
  drr registry:report app1
  assert_status 0
  assert_eq "$(sed -n 2,3p <<<"$output")" "$(report_line "Registry auth servers" "$R"; echo
    report_line "Registry computed auth servers" "$R")" "first two report lines"
  assert_eq "$(grep 'Registry global auth servers' <<<"$output")" "$(report_line "Registry global auth servers" "")" \
    "global auth servers line"
  assert_eq "$(grep -c . <<<"$output")" 19 "report lines"
  local all
  all=$("$DR_BIN" registry:report app1; "$DR_BIN" registry:report app1 --format json; "$DR_BIN" registry:report)
  assert_not_contains "$all" "$PW_A"
  assert_not_contains "$all" "$(b64 "alice:$PW_A")"
  assert_not_contains "$all" alice
}

@test "(auth-servers) a global login: an app without its own falls back; an app with its own shadows it (not merged)" {
  login_global bob "$PW_B"
  # another helper's marker: counted as Dokku counts it
  jq '.auths["quay.io"] = {} | .credHelpers["quay.io"] = "secretservice"' "$GDIR/config.json" >"$GDIR/new"
  mv "$GDIR/new" "$GDIR/config.json"
  local global
  global=$(printf '%s\n' "$R" quay.io | LC_ALL=C sort | paste -sd,)
  assert_servers app2 "" "$global" "$global"
  login_app app1 alice "$PW_A"
  assert_servers app1 "$R" "$global" "$R"
  # the global report: its own two fields
  assert_eq "$(servers --global --registry-global-auth-servers)" "$global" "--global global-auth-servers"
  assert_eq "$(servers --global --registry-computed-auth-servers)" "$global" "--global computed-auth-servers"
  drr registry:report --global --registry-auth-servers
  assert_status 1
  assert_contains "$stderr" "Invalid flag passed, valid flags: --registry-computed-auth-servers, "
}

@test "(auth-servers) a plaintext entry counts unless credsStore sends its host to our helper, which lacks it" {
  login_global bob "$PW_B"
  # credsStore is dokku now: docker asks our helper for Docker Hub and gets
  # nothing, whatever the file holds
  jq --arg hub "$(b64 hubuser:hubpw)" '.auths["https://index.docker.io/v1/"] = {auth: $hub}' \
    "$GDIR/config.json" >"$GDIR/new"
  mv "$GDIR/new" "$GDIR/config.json"
  assert_eq "$(servers --global --registry-global-auth-servers)" "$R" "hub entry shadowed by credsStore"
  # handed to another helper, it counts
  jq '.credHelpers["docker.io"] = "desktop"' "$GDIR/config.json" >"$GDIR/new"
  mv "$GDIR/new" "$GDIR/config.json"
  local both
  both=$(printf '%s\n' "$R" docker.io | LC_ALL=C sort | paste -sd,)
  assert_eq "$(servers --global --registry-global-auth-servers)" "$both" "hub entry with its own helper"
  # and with no helper at all, the plaintext entry itself counts
  printf '{"auths":{"https://index.docker.io/v1/":{"auth":"%s"}}}\n' "$(b64 hubuser:hubpw)" >"$(appdir app1)/config.json"
  assert_servers app1 docker.io "$both" docker.io
  # the plaintext password stays out of the report
  assert_not_contains "$("$DR_BIN" registry:report app1 --format json; "$DR_BIN" registry:report --global)" hubpw
}

@test "(auth-servers) --global stdout block with values" {
  login_global bob "$PW_B"
  drr registry:report --global
  assert_status 0
  assert_eq "$(sed -n 1,2p <<<"$output")" "$(echo "=====> --global registry information"
    report_line "Registry computed auth servers" "$R")" "first lines"
  assert_eq "$(sed -n 7p <<<"$output")" "$(report_line "Registry global auth servers" "$R")" "line 7"
  assert_eq "$(grep -c . <<<"$output")" 11 "report lines"
}

@test "(auth-servers) names as registry:login takes them: Docker Hub spellings, legacy keys, ports, duplicates" {
  jq -n '{auths: {
      "https://index.docker.io/v1/": {}, "docker.io": {}, "index.docker.io": {}, "hub.docker.com": {},
      "https://ghcr.io/v1/": {}, "ghcr.io": {}, "http://localhost:5000/v2/": {},
      "registry-1.docker.io": {}, "Quay.io": {}
    }}' >"$(appdir app1)/config.json"
  assert_servers app1 "Quay.io,docker.io,ghcr.io,localhost:5000,registry-1.docker.io" "" \
    "Quay.io,docker.io,ghcr.io,localhost:5000,registry-1.docker.io"
}

@test "(auth-servers) a marker our helper no longer backs is not listed (as auth-status says nothing is stored)" {
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  dr_keyring_clear
  # the app's auths is still non-empty, so docker is still pointed at its dir
  assert_servers app1 "" "" ""
  drr registry:auth-status app1 "$R"
  assert_status 0
}

@test "(auth-servers) logout takes the host off again" {
  login_app app1 alice "$PW_A"
  assert_eq "$(servers app1 --registry-auth-servers)" "$R" "before logout"
  must registry:logout app1 "$R"
  assert_servers app1 "" "" ""
}

@test "(auth-servers) a locked keyring: the report still works and lists the markers (Dokku's rule)" {
  login_app app1 alice "$PW_A"
  lock_keyring
  drr_timeout 60 registry:report app1 --registry-auth-servers
  assert_status 0
  assert_eq "$output" "$R" "auth-servers with a locked keyring"
}

@test "(auth-servers) an unreadable config.json lists nothing and does not fail the report" {
  printf '{"auths":' >"$(appdir app1)/config.json"
  assert_eq "$(servers app1 --registry-auth-servers)" "" "auth-servers of a broken config"
  drr registry:report app1
  assert_status 0
}

@test "(auth-servers) every app of 'registry:report' gets its own lists" {
  login_app app2 bob "$PW_B"
  drr registry:report --registry-auth-servers
  assert_status 0
  assert_eq "$output" "$(printf '\n%s' "$R")" "one value per app (app1 empty, app2 $R)"
}
