#!/usr/bin/env bats
# A keyring outage names itself: Docker hides helper errors (a pull goes on
# anonymously, a push fails with a bare "no basic auth credentials"), so
# dokku-registry's own push and login paths check that the helper can hand out
# the registry's credentials first, and say why not and what to do. Real
# gnome-keyring on a private bus, real docker-registry with htpasswd.

bats_require_minimum_version 1.5.0

_KO_BUILD_DIR=${DR_BUILD_DIR:-}
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/images.sh
source "$BATS_TEST_DIRNAME/../lib/images.sh"
[ -n "$_KO_BUILD_DIR" ] && DR_BUILD_DIR=$_KO_BUILD_DIR
DR=dokku-registry
FIX='check `systemctl status dokku-keyring`, then `dokku registry:doctor`'

setup() {
  [ -x "$DR_BUILD_DIR/$DR" ] || { echo "# $DR_BUILD_DIR/$DR is not built" >&3; return 1; }
  KO=$(mktemp -d /tmp/dr-ko.XXXXXX) || return 1
  dr_env_init "$KO" || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
  PW="pw-$RANDOM$RANDOM"
  dr_registry_start alice "$PW" || return 1
  export DOKKU_ROOT="$KO/dokku" DOKKU_LIB_ROOT="$KO/lib" DOCKER_CONFIG="$KO/dokku/.docker"
  mkdir -p "$DOKKU_ROOT/web" "$DOKKU_LIB_ROOT/config/registry" "$DOCKER_CONFIG"
  "$DR" post-create web
  "$DR" set web server "$DR_REGISTRY" >/dev/null
  dr_img_oci "$KO/oci" 1 1000 latest || return 1
  printf '%s' "$PW" | "$DR" login --password-stdin --global "$DR_REGISTRY" alice >/dev/null
  export KO PW
}

teardown() {
  dr_env_stop
  [ -n "${KO:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$KO"
  return 0
}

@test "push with the keyring down: the real cause and the fix, not an anonymous push" {
  run "$DR" push --from oci:"$KO/oci" web
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  dr_keyring_stop
  run "$DR" push --from oci:"$KO/oci" web
  [ "$status" -eq 1 ]
  [[ $output == *" !     the keyring cannot hand out the credentials for $DR_REGISTRY ($DOCKER_CONFIG/config.json): "*"no Secret Service provider"*"; $FIX" ]] ||
    { echo "$output"; false; }
  # the tag number is not used up
  [ "$(cat "$DOKKU_LIB_ROOT/config/registry/web/tag-version")" = 1 ]
}

@test "push with the keyring locked: says locked, with the fix" {
  dr_keyring_lock
  run "$DR" push --from oci:"$KO/oci" web
  [ "$status" -eq 1 ]
  [[ $output == *"the keyring cannot hand out the credentials for $DR_REGISTRY"*"is locked"*"; $FIX" ]] ||
    { echo "$output"; false; }
}

@test "push when config.json names a login the keyring lost: log in again" {
  printf '%s' "$DR_REGISTRY" | docker-credential-dokku erase
  run "$DR" push --from oci:"$KO/oci" web
  [ "$status" -eq 1 ]
  [ "${lines[-1]}" = " !     $DOCKER_CONFIG/config.json names a login for $DR_REGISTRY, but the keyring has none: log in again (dokku registry:login)" ]
}

@test "login with the keyring down: the store failure carries the fix" {
  dr_keyring_stop
  run "$DR" login --password-stdin --global "$DR_REGISTRY" alice <<<"$PW"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ] || { echo "$output"; false; }
  [[ $output == " !     Unable to store the credentials: "*"no Secret Service provider"*"; $FIX" ]] ||
    { echo "$output"; false; }
}

@test "k8s:pull-secret with the keyring down: the real cause and the fix, no secret printed" {
  run "$DR" k8s:pull-secret web
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  dr_keyring_stop
  run "$DR" k8s:pull-secret web
  [ "$status" -eq 1 ]
  [[ $output == *"no Secret Service provider"*"; $FIX"* ]] || { echo "$output"; false; }
  [[ $output != *apiVersion* ]]
}

@test "a bus named in the helper config is down: the unit's fix, once, never DBUS_SESSION_BUS_ADDRESS" {
  # what setup writes: the helper config names the dokku-keyring unit's bus
  local cfg="$XDG_CONFIG_HOME/docker-credential-dokku/config.json" o
  local -a outs=()
  mkdir -p "${cfg%/*}"
  jq -n --arg b "$DBUS_SESSION_BUS_ADDRESS" '{bus: $b}' >"$cfg"
  run "$DR" push --from oci:"$KO/oci" web
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  dr_keyring_stop
  dr_bus_stop
  run "$DR" login --password-stdin --global "$DR_REGISTRY" alice <<<"$PW"
  [ "$status" -eq 1 ]
  [[ $output == " !     Unable to store the credentials: "*"; $FIX" ]] || { echo "$output"; false; }
  outs+=("$output")
  run "$DR" push --from oci:"$KO/oci" web
  [ "$status" -eq 1 ]
  [[ $output == *"the keyring cannot hand out the credentials for $DR_REGISTRY"*"; $FIX" ]] ||
    { echo "$output"; false; }
  outs+=("$output")
  # the helper as docker runs it, with another bus exported: the configured one wins
  run env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent docker-credential-dokku get <<<"$DR_REGISTRY"
  [ "$status" -eq 1 ]
  [[ $output == *"$FIX"* ]] || { echo "$output"; false; }
  outs+=("$output")
  for o in "${outs[@]}"; do
    [[ $o != *DBUS_SESSION_BUS_ADDRESS* ]] || { echo "$o"; false; }
    [[ $o != *"$FIX"*"$FIX"* ]] || { echo "fix given twice: $o"; false; }
  done
}
