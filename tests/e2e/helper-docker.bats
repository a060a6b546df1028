#!/usr/bin/env bats
# Real clients: the docker CLI (client-side login fallback, no daemon) and skopeo
# (containers/image credHelpers) against a real docker-registry with htpasswd auth,
# using docker-credential-dokku on a private bus + gnome-keyring.

load helpers

REG_USER=e2e-user

setup_file() {
  e2e_env_init || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
  # a password that appears nowhere else, so grepping for it is meaningful
  REG_PASS="pw-$RANDOM$RANDOM-e2e"
  export REG_PASS
  dr_registry_start "$REG_USER" "$REG_PASS" || return 1
  printf '{"credsStore":"dokku"}\n' >"$DOCKER_CONFIG/config.json"
  AUTHFILE="$DR_DIR/auth.json"
  printf '{"credHelpers":{"%s":"dokku"}}\n' "$DR_REGISTRY" >"$AUTHFILE"
  export AUTHFILE
}

teardown_file() {
  e2e_env_stop
}

docker_login() { # PASSWORD
  printf %s "$1" | docker login -u "$REG_USER" --password-stdin "$DR_REGISTRY" 2>&1
}

auths_json() { jq -c '.auths // {}' "$DOCKER_CONFIG/config.json"; }

@test "docker CLI has no daemon to talk to" {
  run docker version --format '{{.Server.Version}}'
  [ "$status" -ne 0 ]
}

@test "docker login with a wrong password fails and stores nothing" {
  run docker_login "not-$REG_PASS"
  [ "$status" -ne 0 ] || { echo "login unexpectedly succeeded: $output" >&2; return 1; }
  assert_not_found "$DR_REGISTRY"
  assert_eq "$(auths_json)" '{}' auths
  assert_eq "$(dr_count_items)" 0 items
}

@test "docker login (client-side) stores through the helper; no password on disk" {
  run docker_login "$REG_PASS"
  assert_status 0
  assert_contains 'Login Succeeded'
  assert_eq "$(auths_json)" "{\"$DR_REGISTRY\":{}}" auths
  assert_eq "$(jq -r .credsStore "$DOCKER_CONFIG/config.json")" dokku credsStore
  run grep -r -l -F -- "$REG_PASS" "$DOCKER_CONFIG" "$HOME"
  [ "$status" -eq 1 ] || { echo "password found on disk: $output" >&2; return 1; }
  run grep -r -l -F -- "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" "$DOCKER_CONFIG"
  [ "$status" -eq 1 ] || { echo "base64 auth found on disk: $output" >&2; return 1; }
  assert_get "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  assert_eq "$(dr_count_items server "$DR_REGISTRY")" 1 "items for the registry"
  # written by docker-credential-dokku (canonical key attribute), not another helper
  assert_eq "$(dr_count_items dokku_key "$DR_REGISTRY")" 1 "items with dokku_key"
}

@test "docker logout erases the keyring entry and the marker" {
  run docker_login "$REG_PASS"
  assert_status 0
  assert_get "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run docker logout "$DR_REGISTRY"
  assert_status 0
  assert_eq "$(auths_json)" '{}' auths
  assert_not_found "$DR_REGISTRY"
  assert_eq "$(dr_count_items)" 0 items
}

@test "skopeo copy pushes with credentials from the helper (credHelpers in --authfile)" {
  # no credentials yet: the push must be refused
  run dh erase "$DR_REGISTRY"
  assert_status 0
  run dr_push_test_image "$DR_REGISTRY/test/noauth:1" --authfile "$AUTHFILE"
  [ "$status" -ne 0 ] || { echo "push without credentials succeeded" >&2; return 1; }
  [[ $output == *unauthorized* || $output == *"authentication required"* ]] || {
    echo "unexpected push failure: $output" >&2; return 1; }

  h_store "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run dr_push_test_image "$DR_REGISTRY/test/img:1" --authfile "$AUTHFILE"
  assert_status 0
}

@test "skopeo inspect authenticates through the helper; fails once the entry is erased" {
  h_store "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  # make sure the image exists even when run alone
  run dr_push_test_image "$DR_REGISTRY/test/img:1" --authfile "$AUTHFILE"
  assert_status 0
  run skopeo --policy "$(dr_policy_file)" inspect --tls-verify=false --authfile "$AUTHFILE" \
    "docker://$DR_REGISTRY/test/img:1"
  assert_status 0
  assert_eq "$(jq -r .Name <<<"$output")" "$DR_REGISTRY/test/img" Name
  assert_eq "$(jq -c .RepoTags <<<"$output")" '["1"]' RepoTags
  # same via REGISTRY_AUTH_FILE
  run env REGISTRY_AUTH_FILE="$AUTHFILE" skopeo --policy "$(dr_policy_file)" inspect \
    --tls-verify=false "docker://$DR_REGISTRY/test/img:1"
  assert_status 0

  run dh erase "$DR_REGISTRY"
  assert_status 0
  run skopeo --policy "$(dr_policy_file)" inspect --tls-verify=false --authfile "$AUTHFILE" \
    "docker://$DR_REGISTRY/test/img:1"
  [ "$status" -ne 0 ] || { echo "inspect succeeded without credentials" >&2; return 1; }
  [[ $output == *unauthorized* || $output == *"authentication required"* ]] || {
    echo "expected an auth error, got: $output" >&2; return 1; }
}

@test "docker login then skopeo: one login serves both tools" {
  run docker_login "$REG_PASS"
  assert_status 0
  run dr_push_test_image "$DR_REGISTRY/test/img2:1" --authfile "$AUTHFILE"
  assert_status 0
  run skopeo --policy "$(dr_policy_file)" inspect --tls-verify=false --authfile "$AUTHFILE" \
    "docker://$DR_REGISTRY/test/img2:1"
  assert_status 0
  run docker logout "$DR_REGISTRY"
  assert_status 0
  run skopeo --policy "$(dr_policy_file)" inspect --tls-verify=false --authfile "$AUTHFILE" \
    "docker://$DR_REGISTRY/test/img2:1"
  [ "$status" -ne 0 ] || { echo "inspect succeeded after logout" >&2; return 1; }
  [[ $output == *unauthorized* || $output == *"authentication required"* ]] || {
    echo "expected an auth error, got: $output" >&2; return 1; }
}
