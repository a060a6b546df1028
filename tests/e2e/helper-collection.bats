#!/usr/bin/env bats
# Collection selection (DOCKER_CREDENTIAL_DOKKU_COLLECTION) and the JSON config file
# (DOCKER_CREDENTIAL_DOKKU_CONFIG); env vars override the file.

load helpers

SESSION=/org/freedesktop/secrets/collection/session
LOGIN=/org/freedesktop/secrets/collection/login

setup_file() {
  e2e_env_init || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
  CONF=$DR_DIR/dokku-config.json
  printf '{"collection":"session","timeout":2,"unavailable":"not-found"}\n' >"$CONF"
  export CONF
}

teardown_file() {
  e2e_env_stop
}

setup() {
  dr_keyring_resume
  dr_keyring_clear
}

collections() {
  gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
    --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Service Collections
}

@test "COLLECTION=session stores into the session collection, get finds it there only" {
  h_store s1.example.com su ss DOCKER_CREDENTIAL_DOKKU_COLLECTION=session
  local p
  p=$(dr_item_paths server s1.example.com)
  [[ $p == "$SESSION"/* ]] || { echo "item path: '$p'" >&2; return 1; }
  assert_eq "$(dr_count_items server s1.example.com)" 1 items
  assert_get s1.example.com su ss DOCKER_CREDENTIAL_DOKKU_COLLECTION=session
  # the default collection does not see it
  assert_not_found s1.example.com
  run dh list unused
  assert_status 0
  assert_output '{}'
  run dh DOCKER_CREDENTIAL_DOKKU_COLLECTION=session list unused
  assert_status 0
  assert_output '{"s1.example.com":"su"}'
  # erase through the default collection does not touch it
  run dh erase s1.example.com
  assert_status 0
  assert_eq "$(dr_count_items server s1.example.com)" 1 "items after default erase"
  run dh DOCKER_CREDENTIAL_DOKKU_COLLECTION=session erase s1.example.com
  assert_status 0
  assert_eq "$(dr_count_items server s1.example.com)" 0 "items after session erase"
}

@test "default collection: items live in the login collection; session does not see them" {
  h_store d1.example.com du ds
  local p
  p=$(dr_item_paths server d1.example.com)
  [[ $p == "$LOGIN"/* ]] || { echo "item path: '$p'" >&2; return 1; }
  h_store d2.example.com du2 ds2 DOCKER_CREDENTIAL_DOKKU_COLLECTION=default
  p=$(dr_item_paths server d2.example.com)
  [[ $p == "$LOGIN"/* ]] || { echo "item path: '$p'" >&2; return 1; }
  assert_not_found d1.example.com DOCKER_CREDENTIAL_DOKKU_COLLECTION=session
}

@test "a collection can be named by its label" {
  h_store l1.example.com lu ls DOCKER_CREDENTIAL_DOKKU_COLLECTION=Login
  local p
  p=$(dr_item_paths server l1.example.com)
  [[ $p == "$LOGIN"/* ]] || { echo "item path: '$p'" >&2; return 1; }
  assert_get l1.example.com lu ls DOCKER_CREDENTIAL_DOKKU_COLLECTION=Login
  # give the session collection a label of its own and address it by that label
  gdbus call --session --dest org.freedesktop.secrets --object-path "$SESSION" \
    --method org.freedesktop.DBus.Properties.Set org.freedesktop.Secret.Collection Label \
    "<'Scratch Pad'>" >/dev/null
  h_store l2.example.com lu2 ls2 DOCKER_CREDENTIAL_DOKKU_COLLECTION='Scratch Pad'
  p=$(dr_item_paths server l2.example.com)
  [[ $p == "$SESSION"/* ]] || { echo "item path: '$p'" >&2; return 1; }
  assert_get l2.example.com lu2 ls2 DOCKER_CREDENTIAL_DOKKU_COLLECTION='Scratch Pad'
  assert_get l2.example.com lu2 ls2 DOCKER_CREDENTIAL_DOKKU_COLLECTION=session
  assert_not_found l2.example.com DOCKER_CREDENTIAL_DOKKU_COLLECTION=Login
  assert_not_found l1.example.com DOCKER_CREDENTIAL_DOKKU_COLLECTION='Scratch Pad'
}

@test "an unknown collection is an error and is not created" {
  local before
  before=$(collections)
  run dh DOCKER_CREDENTIAL_DOKKU_COLLECTION=nosuch get x.example.com
  assert_fail_line 'collection "nosuch" not found'
  assert_not_contains "$NOT_FOUND"
  run dh DOCKER_CREDENTIAL_DOKKU_COLLECTION=nosuch store \
    '{"ServerURL":"x.example.com","Username":"u","Secret":"s"}'
  assert_fail_line 'not found'
  run dh DOCKER_CREDENTIAL_DOKKU_COLLECTION=nosuch list unused
  assert_fail_line 'not found'
  assert_eq "$(collections)" "$before" "collections"
  assert_eq "$(dr_count_items)" 0 items
}

@test "config file: collection from the file; env var overrides it" {
  h_store c1.example.com cu cs DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF"
  local p
  p=$(dr_item_paths server c1.example.com)
  [[ $p == "$SESSION"/* ]] || { echo "item path: '$p'" >&2; return 1; }
  assert_get c1.example.com cu cs DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF"
  assert_not_found c1.example.com
  # env wins over the file
  assert_not_found c1.example.com DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF" \
    DOCKER_CREDENTIAL_DOKKU_COLLECTION=default
  h_store c2.example.com cu2 cs2 DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF" \
    DOCKER_CREDENTIAL_DOKKU_COLLECTION=default
  p=$(dr_item_paths server c2.example.com)
  [[ $p == "$LOGIN"/* ]] || { echo "item path: '$p'" >&2; return 1; }
}

@test "config file: unavailable=not-found from the file; env var overrides it" {
  # no bus at all
  run dh -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$DR_DIR/run" \
    DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF" get c3.example.com
  assert_status 1
  assert_output "$NOT_FOUND"
  run dh -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$DR_DIR/run" \
    DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF" DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=error \
    get c3.example.com
  assert_fail_line 'session bus'
}

@test "config file: timeout from the file; env vars override timeout and unavailable" {
  dr_keyring_stall
  local t0 el
  # file: timeout 2, unavailable=not-found
  t0=$(now)
  run dh DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF" get c4.example.com
  el=$(elapsed_since "$t0")
  assert_status 1
  assert_output "$NOT_FOUND"
  float_ge "$el" 1.8 || { echo "returned after ${el}s, before the 2 s timeout" >&2; return 1; }
  # the file's timeout is the one that ran out (said by the error, not timed)
  run dh DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF" DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=error get c4.example.com
  assert_fail_line 'did not answer within 2.0s'
  # env timeout 1 and unavailable=error win
  t0=$(now)
  run dh DOCKER_CREDENTIAL_DOKKU_CONFIG="$CONF" DOCKER_CREDENTIAL_DOKKU_TIMEOUT=1 \
    DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=error get c4.example.com
  el=$(elapsed_since "$t0")
  assert_fail_line 'did not answer within 1.0s'
  float_ge "$el" 0.8 || { echo "returned after ${el}s, before the 1 s timeout" >&2; return 1; }
  dr_keyring_resume
}

@test "config file: \$XDG_CONFIG_HOME/docker-credential-dokku/config.json is the default path" {
  local d=$XDG_CONFIG_HOME/docker-credential-dokku
  mkdir -p "$d"
  printf '{"collection":"session"}\n' >"$d/config.json"
  h_store x1.example.com xu xs
  rm -f "$d/config.json"
  local p
  p=$(dr_item_paths server x1.example.com)
  [[ $p == "$SESSION"/* ]] || { echo "item path: '$p'" >&2; return 1; }
  assert_not_found x1.example.com
  assert_get x1.example.com xu xs DOCKER_CREDENTIAL_DOKKU_COLLECTION=session
}
