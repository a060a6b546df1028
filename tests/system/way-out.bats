#!/usr/bin/env bats
# The way out of `dokku-registry setup` under a real systemd: `setup --undo`
# (logins handed back as plaintext auths on request, else as the
# `dokku registry:login` command per login), `apt remove` and `apt purge`
# without it, a reinstall, and an upgrade from the previous build. After each
# way out no config.json names the helper, and Docker's CLI logs in with the
# config it finds, as Dokku's core registry plugin does (`docker login`, with
# DOCKER_CONFIG for an app: dokku/plugins/20_registry's login code). The
# registry is Debian's docker-registry on the host's 127.0.0.1 (the container
# shares the host's network); the docker CLI is the host's, bound in, and
# talks to a private dockerd on the host (tests/lib/dockerd.sh) through its
# socket, bound in as /run/docker.sock.

load common
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/dockerd.sh
source "$BATS_TEST_DIRNAME/../lib/dockerd.sh"

APP=web1

setup_file() {
  dr_env_init "$BATS_FILE_TMPDIR/env" || return 1
  dr_registry_start alice "pw-of-alice-$RANDOM" || return 1
  echo "$DR_REGISTRY $DR_REGISTRY_PASS" >"$BATS_FILE_TMPDIR/registry"
  dr_push_test_image "$DR_REGISTRY/shop/web:1" --dest-creds "alice:$DR_REGISTRY_PASS" >/dev/null || return 1
  DOCKERD_DIR=$(mktemp -d /tmp/drsysd.XXXXXX)
  echo "$DOCKERD_DIR" >"$BATS_FILE_TMPDIR/dockerd-dir"
  dr_dockerd_start "$DOCKERD_DIR/d" || return 1
  # the dokku user is in the docker group on a Dokku host; here the private
  # daemon's socket is simply open to it
  chmod 0666 "$DOCKERD_DIR/d/docker.sock"
  SYS_NSPAWN_EXTRA="--bind-ro=$(command -v docker):/usr/local/bin/docker --bind=$DOCKERD_DIR/d/docker.sock:/run/docker.sock"
  export SYS_NSPAWN_EXTRA
  sys_file_setup || return 1
  # an app as Dokku lays it out: ~dokku/APP, and its registry config dir
  sys install -d -o dokku -g dokku /home/dokku/$APP /var/lib/dokku/config/registry/$APP
}

teardown_file() {
  sys_file_teardown
  DR_DOCKERD_DIR=$(cat "$BATS_FILE_TMPDIR/dockerd-dir")/d dr_dockerd_stop
  rm -rf "$(cat "$BATS_FILE_TMPDIR/dockerd-dir")"
  dr_env_stop
}

setup() {
  read -r REG PASS <"$BATS_FILE_TMPDIR/registry"
}

# registry:login through the package's command, as Dokku runs it
dr_login() { # --global|APP
  printf '%s' "$PASS" | as_dokku dokku-registry registry:login --password-stdin "$1" "$REG" alice
}

# Dokku's core plugin: `docker login` with the config of the scope
docker_login() { # CONFIG-DIR
  printf '%s' "$PASS" | sys runuser -u dokku -- env DOCKER_CONFIG="$1" docker login -u alice --password-stdin "$REG"
}

GLOBAL_CFG=/home/dokku/.docker/config.json
APP_CFG=/var/lib/dokku/config/registry/$APP/config.json

# Dokku's core plugin pulling and pushing with the scope's config.json
docker_pull_push() { # CONFIG-DIR TAG
  sys runuser -u dokku -- env DOCKER_CONFIG="$1" docker pull -q "$REG/shop/web:1" &&
    sys runuser -u dokku -- env DOCKER_CONFIG="$1" docker tag "$REG/shop/web:1" "$REG/shop/web:$2" &&
    sys runuser -u dokku -- env DOCKER_CONFIG="$1" docker push -q "$REG/shop/web:$2" &&
    sys runuser -u dokku -- env DOCKER_CONFIG="$1" docker rmi -f "$REG/shop/web:1" "$REG/shop/web:$2" >/dev/null
}

# no config.json names the helper
no_helper_named() {
  run sys sh -c "cat $GLOBAL_CFG $APP_CFG 2>/dev/null"
  echo "$output"
  [[ $output != *'"dokku"'* ]]
}

@test "setup, then logins through the keyring: config.json names the helper" {
  run sys dokku-registry setup
  [ "$status" -eq 0 ]
  run dr_login --global
  echo "$output"
  [ "$status" -eq 0 ]
  run dr_login $APP
  [ "$status" -eq 0 ]
  run sys cat $GLOBAL_CFG
  [[ $output == *'"credsStore": "dokku"'* ]]
  [[ $output != *'"auth":'* ]]
  # docker itself gets the login from the keyring through the helper
  run docker_pull_push /home/dokku/.docker via-helper
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "setup --undo --restore-plaintext: plaintext auths back, no helper named, docker logs in with them" {
  run sys dokku-registry setup --undo --restore-plaintext
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"Handed back $REG (alice) as plaintext in $GLOBAL_CFG"* ]]
  [[ $output == *"Handed back $REG (alice) as plaintext in $APP_CFG"* ]]
  no_helper_named
  local want
  want=$(printf 'alice:%s' "$PASS" | base64 -w0)
  [ "$(jq -r --arg r "$REG" '.auths[$r].auth' "$(sys_path $GLOBAL_CFG)")" = "$want" ]
  [ "$(jq -r --arg r "$REG" '.auths[$r].auth' "$(sys_path $APP_CFG)")" = "$want" ]
  # the units are off, the sealed password stays for a later setup
  [ "$(sys systemctl is-enabled dokku-keyring.service)" = disabled ]
  run sys systemctl is-active dokku-keyring.service
  [ "$output" = inactive ]
  sys test -s /etc/dokku-registry/keyring-password.cred
  # docker's CLI pulls and pushes with the plaintext logins as they are
  run docker_pull_push /home/dokku/.docker plain-global
  echo "$output"
  [ "$status" -eq 0 ]
  run docker_pull_push /var/lib/dokku/config/registry/$APP plain-app
  [ "$status" -eq 0 ]
  # and a new docker login (Dokku's registry:login) writes plaintext
  run docker_login /var/lib/dokku/config/registry/$APP
  [ "$status" -eq 0 ]
  no_helper_named
}

@test "setup again after the undo: the plaintext logins move back into the keyring" {
  run sys dokku-registry setup
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"migrate: moved the plaintext credentials of --global, $APP into the keyring"* ]]
  run sys cat $GLOBAL_CFG
  [[ $output == *'"credsStore": "dokku"'* ]]
  [[ $output != *'"auth":'* ]]
}

@test "setup --undo: the login command for each login, no helper named, docker login works" {
  run sys dokku-registry setup --undo
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"dokku registry:login --password-stdin --global $REG alice"* ]]
  [[ $output == *"dokku registry:login --password-stdin $APP $REG alice"* ]]
  no_helper_named
  run sys cat $GLOBAL_CFG
  [[ $output != *"$REG"* ]]
  run docker_login /home/dokku/.docker
  [ "$status" -eq 0 ]
  run docker_login /var/lib/dokku/config/registry/$APP
  [ "$status" -eq 0 ]
  no_helper_named
  run docker_pull_push /home/dokku/.docker relogin
  [ "$status" -eq 0 ]
}

@test "apt remove without --undo: the logins listed, no helper named, no dangling wants link" {
  run sys dokku-registry setup
  [ "$status" -eq 0 ]
  run dr_login --global
  [ "$status" -eq 0 ]
  run sys env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q dokku-registry
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"dokku registry:login --password-stdin --global $REG alice"* ]]
  no_helper_named
  run sys sh -c 'find /etc/systemd/system -name "*.wants" -exec find {} -name "dokku-*" \;'
  [ -z "$output" ]
  run sys systemctl is-active dokku-keyring.service
  [ "$output" = inactive ]
  run docker_login /home/dokku/.docker
  [ "$status" -eq 0 ]
}

@test "an install after a remove starts and enables nothing" {
  sys_install_deb
  run sys systemctl is-active dokku-keyring.service
  [ "$output" = inactive ]
  run sys systemctl is-enabled dokku-keyring.service
  [ "$output" = disabled ]
}

# the previous build: this .deb with a lower version (its maintainer scripts
# are this tree's; DR_SYSTEM_PREV_DEB names a real older .deb instead)
prev_deb() {
  local d="$BATS_FILE_TMPDIR/prev" v
  if [ -n "${DR_SYSTEM_PREV_DEB:-}" ]; then
    echo "$DR_SYSTEM_PREV_DEB"
    return
  fi
  rm -rf "$d"
  mkdir -p "$d"
  dpkg-deb -R "$SYS_DEB" "$d/x"
  v=$(sed -n 's/^Version: //p' "$d/x/DEBIAN/control")
  sed -i "s/^Version: .*/Version: $v~prev1/" "$d/x/DEBIAN/control"
  dpkg-deb -b "$d/x" "$d/dokku-registry_prev.deb" >/dev/null
  echo "$d/dokku-registry_prev.deb"
}

@test "upgrade from the previous build: the unit restarts only when it was running" {
  local prev pid
  prev=$(prev_deb)
  cp "$prev" "$(sys_path /root/prev.deb)"
  sys env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades /root/prev.deb >/dev/null
  run sys dokku-registry setup
  [ "$status" -eq 0 ]
  # running: restarted by the upgrade
  pid=$(unit_prop dokku-keyring.service MainPID)
  [ "$pid" -gt 0 ]
  sys_install_deb
  wait_keyring 20
  [ "$(unit_prop dokku-keyring.service MainPID)" != "$pid" ]
  # stopped (still enabled): the upgrade leaves it stopped
  sys env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades /root/prev.deb >/dev/null
  sys systemctl stop dokku-keyring.service
  sys_install_deb
  run sys systemctl is-active dokku-keyring.service
  [ "$output" = inactive ]
  [ "$(sys systemctl is-enabled dokku-keyring.service)" = enabled ]
}

@test "apt purge: nothing of the package is left, no helper named, docker login works" {
  sys systemctl start dokku-keyring.service
  run dr_login --global
  [ "$status" -eq 0 ]
  run sys env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q dokku-registry
  echo "$output"
  [ "$status" -eq 0 ]
  no_helper_named
  run sys sh -c 'find /etc /lib/systemd /usr/lib/systemd /usr/bin /usr/lib /usr/share /var/lib/systemd /run/systemd \
      \( -name "*dokku-registry*" -o -name "*dokku-keyring*" -o -name "*docker-credential-dokku*" \) 2>/dev/null'
  echo "left: $output"
  [ -z "$output" ]
  run sys dpkg -s dokku-registry
  [ "$status" -ne 0 ]
  run docker_login /home/dokku/.docker
  [ "$status" -eq 0 ]
  run docker_pull_push /home/dokku/.docker after-purge
  echo "$output"
  [ "$status" -eq 0 ]
}
