#!/usr/bin/env bats
# Broken environments: every failure is ONE line on stdout, exit 1, and fast.
# Each test gets a fresh environment (bus/keyring state differs per case).

load helpers

STORE_JSON='{"ServerURL":"fail.example.com","Username":"fu","Secret":"fs"}'

setup() {
  e2e_env_init || return 1
}

teardown() {
  dr_keyring_resume
  e2e_env_stop
}

# check_all_actions TEXT [env...]: get/store/list/erase each fail with one line
# containing TEXT, exit 1, well before a stalled keyring would answer (timeout 1 s).
check_all_actions() {
  local text=$1 action input t0
  shift
  for action in get store list erase; do
    case $action in
      store) input=$STORE_JSON ;;
      list) input=unused ;;
      *) input=fail.example.com ;;
    esac
    t0=$(now)
    run dh DOCKER_CREDENTIAL_DOKKU_TIMEOUT=1 "$@" "$action" "$input"
    assert_elapsed_lt "$t0" 15 || { echo "($action)" >&2; return 1; }
    assert_fail_line "$text" || { echo "($action)" >&2; return 1; }
    assert_not_contains "$NOT_FOUND" || { echo "($action)" >&2; return 1; }
  done
}

# check_get_not_found [env...]: with UNAVAILABLE=not-found, get prints exactly the
# not-found message; store still fails.
check_get_not_found() {
  local t0
  t0=$(now)
  run dh DOCKER_CREDENTIAL_DOKKU_TIMEOUT=1 DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=not-found "$@" \
    get fail.example.com
  assert_elapsed_lt "$t0" 15
  assert_status 1
  assert_output "$NOT_FOUND"
  run dh DOCKER_CREDENTIAL_DOKKU_TIMEOUT=1 DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=not-found "$@" \
    store "$STORE_JSON"
  assert_status 1
  assert_one_line
}

@test "no session bus at all" {
  [ ! -e "$XDG_RUNTIME_DIR/bus" ]
  check_all_actions 'session bus' -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR"
}

@test "no session bus at all: unavailable=not-found" {
  check_get_not_found -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR"
}

@test "DBUS_SESSION_BUS_ADDRESS pointing at a dead socket" {
  check_all_actions 'session bus' DBUS_SESSION_BUS_ADDRESS="unix:path=$DR_DIR/nonexistent-bus"
}

@test "a bus with no Secret Service provider" {
  dr_bus_start
  check_all_actions 'no Secret Service provider'
}

@test "a bus with no Secret Service provider: unavailable=not-found" {
  dr_bus_start
  check_get_not_found
}

@test "a provider that owns the name but never answers" {
  dr_bus_start
  dr_keyring_start
  h_store fail.example.com fu fs
  dr_keyring_stall
  check_all_actions 'did not answer'
}

@test "a provider that never answers: unavailable=not-found" {
  dr_bus_start
  dr_keyring_start
  dr_keyring_stall
  check_get_not_found
}

@test "a locked collection: errors say 'is locked', never 'not found', nothing written" {
  dr_bus_start
  dr_keyring_start
  h_store fail.example.com fu fs
  h_store other.example.com ou os
  dr_keyring_lock
  local before
  before=$(dr_item_paths xdg:schema io.docker.Credentials | sort)
  assert_eq "$(printf '%s\n' "$before" | grep -c .)" 2 "items before"
  run dh DOCKER_CREDENTIAL_DOKKU_TIMEOUT=1 store \
    '{"ServerURL":"new.example.com","Username":"nu","Secret":"ns"}'
  assert_fail_line 'is locked'
  check_all_actions 'is locked'
  # still locked, still exactly the same two items: no store, no erase happened
  assert_eq "$(dr_collection_locked /org/freedesktop/secrets/collection/login)" true locked
  assert_eq "$(dr_item_paths xdg:schema io.docker.Credentials | sort)" "$before" "items after"
  assert_eq "$(dr_count_items server new.example.com)" 0 "items for new.example.com"
  assert_eq "$(dr_count_items server fail.example.com)" 1 "items for fail.example.com"
  # unlocked again (restart with the password): the old secrets are intact
  dr_keyring_restart
  assert_get fail.example.com fu fs
  assert_get other.example.com ou os
  assert_not_found new.example.com
}

@test "a locked collection: unavailable=not-found" {
  dr_bus_start
  dr_keyring_start
  h_store fail.example.com fu fs
  dr_keyring_lock
  check_get_not_found
  assert_eq "$(dr_count_items)" 1 items
}

@test "unavailable=not-found does not hide a plain miss or change success" {
  dr_bus_start
  dr_keyring_start
  h_store ok.example.com ou os
  assert_get ok.example.com ou os DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=not-found
  assert_not_found missing.example.com DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=not-found
}

@test "no DBUS_SESSION_BUS_ADDRESS but \$XDG_RUNTIME_DIR/bus is the bus: works" {
  dr_bus_start
  dr_keyring_start
  local rt=$DR_DIR/rt2
  mkdir -m 0700 "$rt"
  ln -s "$DR_DIR/bus" "$rt/bus"
  run dh -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$rt" store \
    '{"ServerURL":"xdg.example.com","Username":"xu","Secret":"xs"}'
  assert_status 0
  assert_output ''
  assert_get xdg.example.com xu xs -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$rt"
  # and it really went to our keyring
  assert_get xdg.example.com xu xs
}

@test "default timeout is bounded (a stalled provider does not hang for 25 s)" {
  dr_bus_start
  dr_keyring_start
  dr_keyring_stall
  local t0
  t0=$(now)
  run dh get fail.example.com
  assert_elapsed_lt "$t0" 20
  assert_fail_line 'did not answer within 5.0s'
}
