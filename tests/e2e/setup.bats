#!/usr/bin/env bats
# `dokku-registry setup` against a scratch root (--root) laid out like a
# Debian 12 host with Dokku: /etc/passwd with a dokku user, Dokku's plugin
# directories with the core registry plugin enabled, apps with plaintext
# config.json files. Real parts: systemd-creds (with a host key of the
# scratch root through SYSTEMD_CREDENTIAL_SECRET), packaging/keyring-session
# with dbus-daemon and gnome-keyring-daemon run as the dokku user, the helper,
# dokku-registry migrate and doctor. The one stand-in is `systemctl`
# (tests/lib/systemctl-standin): there is no systemd as PID 1 here, so it
# runs the unit the way systemd would (credential, RuntimeDirectory=, User=).
# The dokku user is `nobody` (uid 65534): dbus-daemon needs the uid in the
# host's user database, and a non-root user shows that ownership is right.

bats_require_minimum_version 1.5.0

# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
DR=dokku-registry

setup() {
  [ -x "$DR_BUILD_DIR/$DR" ] || { echo "# $DR_BUILD_DIR/$DR is not built" >&3; return 1; }
  command -v systemd-creds >/dev/null || { echo "# systemd-creds missing (packaging/deps.sh installs systemd)" >&3; return 1; }
  command -v setpriv >/dev/null || { echo "# setpriv missing (util-linux)" >&3; return 1; }
  [ "$(id -u)" = 0 ] || { echo "# setup's tests run as root (setup requires it; CI runs as root)" >&3; return 1; }
  D=$(mktemp -d /tmp/dr-su.XXXXXX)   # short: the bus socket path stays < 108 bytes
  chmod 0755 "$D"                    # the dokku user walks into it
  dr_env_init "$D/env" || return 1
  R=$D/root
  U=65534
  getent passwd "$U" >/dev/null || { echo "# no uid $U (nobody) on this host" >&3; return 1; }
  mkdir -p "$R"/etc "$R"/run/systemd/system "$R"/var/lib/systemd \
    "$R"/var/lib/dokku/plugins/available "$R"/var/lib/dokku/plugins/enabled \
    "$R"/var/lib/dokku/core-plugins/available/registry "$R"/usr/share/dokku-registry \
    "$R"/home/dokku/.docker "$R"/var/lib/dokku/config/registry/--global
  echo "dokku:x:$U:$U:dokku:/home/dokku:/bin/bash" >"$R/etc/passwd"
  cp -r "$DR_REPO_DIR/packaging/dokku-plugin" "$R/usr/share/dokku-registry/dokku-plugin"
  cp -r "$DR_REPO_DIR/packaging/dokku-plugin-guard" "$R/usr/share/dokku-registry/dokku-plugin-guard"
  ln -s "$R/var/lib/dokku/core-plugins/available/registry" "$R/var/lib/dokku/plugins/available/registry"
  ln -s "$R/var/lib/dokku/plugins/available/registry" "$R/var/lib/dokku/plugins/enabled/registry"
  # three apps: two with their own plaintext login, one without
  for app in api web worker; do
    mkdir -p "$R/home/dokku/$app" "$R/var/lib/dokku/config/registry/$app"
  done
  GPASS="global-$RANDOM$RANDOM" APASS="api-$RANDOM$RANDOM" WPASS="web-$RANDOM$RANDOM"
  printf '{"auths":{"127.0.0.1:5999":{"auth":"%s"}},"HttpHeaders":{"X-Keep":"1"}}\n' \
    "$(printf 'gu:%s' "$GPASS" | base64 -w0)" >"$R/home/dokku/.docker/config.json"
  printf '{"auths":{"reg.example.com":{"auth":"%s"}}}\n' "$(printf 'au:%s' "$APASS" | base64 -w0)" \
    >"$R/var/lib/dokku/config/registry/api/config.json"
  printf '{"auths":{"ghcr.io":{"auth":"%s"}}}\n' "$(printf 'wu:%s' "$WPASS" | base64 -w0)" \
    >"$R/var/lib/dokku/config/registry/web/config.json"
  chown -R "$U:$U" "$R/home/dokku" "$R/var/lib/dokku/config"
  # the stand-in systemctl first on PATH
  mkdir -p "$D/bin"
  ln -s "$DR_REPO_DIR/tests/lib/systemctl-standin" "$D/bin/systemctl"
  export PATH="$D/bin:$PATH" STANDIN_ROOT="$R" STANDIN_LOG="$D/systemctl.log" STANDIN_UID=$U \
    STANDIN_GID=$U STANDIN_HOME="$R/home/dokku" DR_REPO_DIR \
    SYSTEMD_CREDENTIAL_SECRET="$R/var/lib/systemd/credential.secret" \
    DOKKU_REGISTRY_SETUP_READY_TIMEOUT=20 DOKKU_REGISTRY_PKGDATADIR=/usr/share/dokku-registry
  export D R U GPASS APASS WPASS
}

teardown() {
  [ -n "${R:-}" ] && systemctl stop dokku-keyring.service >/dev/null 2>&1
  dr_env_stop
  [ -n "${D:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$D"
  return 0
}

# a fingerprint of everything under the root but the stand-in's state
tree() { (cd "$R" && find . -path ./run/standin -prune -o -printf '%p %m %u %l\n' | sort && find . -type f -not -path './run/standin/*' -exec sha256sum {} + | sort); }

su_setup() { run "$DR" setup --root "$R" "$@"; }

# runs a command as the dokku user, with its own environment only
as_dokku() {
  setpriv --reuid="$U" --regid="$U" --clear-groups -- env -i PATH="$PATH" HOME="$R/home/dokku" \
    DOKKU_ROOT="$R/home/dokku" DOKKU_LIB_ROOT="$R/var/lib/dokku" "$@"
}

@test "setup --dry-run: one line per step, nothing changed" {
  before=$(tree)
  su_setup --dry-run
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${#lines[@]}" -eq 6 ] || { echo "$output"; false; }
  [[ ${lines[0]} == "-----> (dry run) keyring password: would generate a password for $R/etc/dokku-registry/keyring-password.cred" ]]
  [[ ${lines[1]} == "-----> (dry run) keyring unit: would enable and start dokku-keyring.service" ]]
  [[ ${lines[2]} == "-----> (dry run) helper config: would set \"bus\": \"unix:path=$R/run/dokku-keyring/bus\" in $R/home/dokku/.config/docker-credential-dokku/config.json" ]]
  [[ ${lines[3]} == "-----> (dry run) plugin: would point $R/var/lib/dokku/plugins/available/registry at $R/usr/share/dokku-registry/dokku-plugin (was $R/var/lib/dokku/core-plugins/available/registry) and enable registry-guard" ]]
  [[ ${lines[4]} == "-----> (dry run) migrate: would move the plaintext credentials of 3 config file(s) into the keyring (first: --global)" ]]
  [[ ${lines[5]} == "-----> (dry run) doctor: not run (dry run)" ]]
  [ "$(tree)" = "$before" ]
  [ ! -s "$D/systemctl.log" ] || ! grep -qvE 'is-(enabled|active)' "$D/systemctl.log"
}

@test "setup: every step on a fresh Dokku host, doctor's verdict last" {
  su_setup
  [ "$status" -eq 0 ] || { echo "$output"; cat "$R/run/standin/journal"; false; }
  [[ ${lines[0]} == "-----> keyring password: sealed with systemd-creds (host key) in $R/etc/dokku-registry/keyring-password.cred" ]]
  [[ ${lines[1]} == "-----> keyring unit: dokku-keyring.service enabled and started; the keyring is unlocked on unix:path=$R/run/dokku-keyring/bus" ]]
  [[ ${lines[2]} == "-----> helper config: wrote $R/home/dokku/.config/docker-credential-dokku/config.json: \"bus\": \"unix:path=$R/run/dokku-keyring/bus\"" ]]
  [[ ${lines[3]} == "-----> plugin: $R/var/lib/dokku/plugins/available/registry now points at $R/usr/share/dokku-registry/dokku-plugin"* ]]
  [[ ${lines[4]} == "-----> migrate: moved the plaintext credentials of --global, api, web into the keyring" ]]
  [[ ${lines[-1]} =~ ^'-----> doctor: all '[0-9]+' checks passed'$ ]]
  # the password: sealed, root-only, no plaintext file; the unit loads it encrypted
  [ "$(stat -c '%a %u' "$R/etc/dokku-registry/keyring-password.cred")" = "600 0" ]
  [ ! -e "$R/etc/dokku-registry/keyring-password" ]
  grep -qx "LoadCredentialEncrypted=keyring-password:$R/etc/dokku-registry/keyring-password.cred" \
    "$R/etc/systemd/system/dokku-keyring.service.d/50-sealed-password.conf"
  grep -qx "LoadCredential=" "$R/etc/systemd/system/dokku-keyring.service.d/50-sealed-password.conf"
  grep -qx 'systemctl enable --now dokku-keyring.service' "$D/systemctl.log"
  # the helper config belongs to the dokku user
  [ "$(stat -c '%a %u' "$R/home/dokku/.config/docker-credential-dokku/config.json")" = "600 $U" ]
  [ "$(stat -c '%a %u' "$R/home/dokku/.config/docker-credential-dokku")" = "700 $U" ]
  [ "$(readlink "$R/var/lib/dokku/plugins/available/registry")" = "$R/usr/share/dokku-registry/dokku-plugin" ]
  # registry-guard enabled next to it, as `plugn enable` links a plugin
  [ "$(readlink "$R/var/lib/dokku/plugins/available/registry-guard")" = "$R/usr/share/dokku-registry/dokku-plugin-guard" ]
  [ "$(readlink "$R/var/lib/dokku/plugins/enabled/registry-guard")" = "$R/var/lib/dokku/plugins/available/registry-guard" ]
  # the logins are in the keyring, readable by the dokku user through the unit's bus only
  run as_dokku docker-credential-dokku list
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ $output == *'"127.0.0.1:5999":"gu"'* ]]
  [ "$(printf 'reg.example.com' | as_dokku env DOCKER_CONFIG="$R/var/lib/dokku/config/registry/api" docker-credential-dokku get | jq -r .Secret)" = "$APASS" ]
  # no password left in any file of the root (the keyring file is encrypted)
  ! grep -rqF -e "$GPASS" -e "$APASS" -e "$WPASS" "$R" ||
    { echo "a password is in: $(grep -rlF -e "$GPASS" -e "$APASS" -e "$WPASS" "$R")"; false; }
  ! grep -rqF -e "$(printf 'gu:%s' "$GPASS" | base64 -w0)" "$R" || { echo "an auth field is left"; false; }
  # other keys of config.json survive
  [ "$(jq -r '.HttpHeaders["X-Keep"]' "$R/home/dokku/.docker/config.json")" = 1 ]
  # the worker app had no login and got none
  [ ! -e "$R/var/lib/dokku/config/registry/worker/config.json" ]
}

@test "setup: a second run changes nothing and says so" {
  su_setup
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  before=$(tree)
  : >"$D/systemctl.log"
  su_setup
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ ${lines[0]} == "-----> keyring password: already sealed in $R/etc/dokku-registry/keyring-password.cred" ]]
  [[ ${lines[1]} == "-----> keyring unit: dokku-keyring.service already enabled and running" ]]
  [[ ${lines[2]} == *"already uses unix:path=$R/run/dokku-keyring/bus" ]]
  [[ ${lines[3]} == *"already points at $R/usr/share/dokku-registry/dokku-plugin" ]]
  [[ ${lines[4]} == "-----> migrate: no plaintext credentials in $R/home/dokku/.docker or any app" ]]
  [[ ${lines[5]} == "-----> Nothing to change: every step was already done" ]]
  [[ ${lines[6]} =~ ^'-----> doctor: all '[0-9]+' checks passed'$ ]]
  [ "$(tree)" = "$before" ]
  ! grep -qE 'enable|start|restart|daemon-reload' <(grep -v 'is-' "$D/systemctl.log")
}

@test "setup: the sealed password opens with this host's key only, and unlocks the keyring" {
  printf 'my-keyring-password\nsecond line ignored\n' >"$D/pw"
  su_setup --password-file "$D/pw" --no-migrate
  # doctor's verdict: the plaintext logins left in place are a failure
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [[ ${lines[-1]} =~ ^' !     doctor: 3 of '[0-9]+' checks failed (above); fix them, then run `sudo -u dokku -H dokku-registry doctor`'$ ]]
  [[ $output == *"FAIL  config       $R/var/lib/dokku/config/registry/api/config.json holds 1 plaintext credential(s); fix: dokku-registry migrate api"* ]]
  [[ $output == *"migrate: skipped (--no-migrate)"* ]]
  [ "$(systemd-creds decrypt --name=keyring-password "$R/etc/dokku-registry/keyring-password.cred" -)" = my-keyring-password ]
  # another host key (this machine's own) cannot open it
  run env -u SYSTEMD_CREDENTIAL_SECRET systemd-creds decrypt --name=keyring-password \
    "$R/etc/dokku-registry/keyring-password.cred" -
  [ "$status" -ne 0 ]
  # the keyring was created with that password: a restart of the unit unlocks it again
  systemctl restart dokku-keyring.service
  for _ in $(seq 100); do [ -e "$R/run/dokku-keyring/ready" ] && break; sleep 0.1; done
  [ -e "$R/run/dokku-keyring/ready" ]
  grep -q '"auth"' "$R/var/lib/dokku/config/registry/api/config.json"
}

@test "setup: an existing plaintext password file is sealed and removed" {
  install -d -m 0700 "$R/etc/dokku-registry"
  printf 'old-password\n' >"$R/etc/dokku-registry/keyring-password"
  chmod 0600 "$R/etc/dokku-registry/keyring-password"
  su_setup --no-plugin
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ ! -e "$R/etc/dokku-registry/keyring-password" ]
  [ "$(systemd-creds decrypt --name=keyring-password "$R/etc/dokku-registry/keyring-password.cred" -)" = old-password ]
  [[ $output == *"plugin: left alone (--no-plugin)"* ]]
  [ "$(readlink "$R/var/lib/dokku/plugins/available/registry")" = "$R/var/lib/dokku/core-plugins/available/registry" ]
}

@test "setup: a keyring without its password is not overwritten" {
  mkdir -p "$R/home/dokku/.local/share/keyrings"
  echo keyring >"$R/home/dokku/.local/share/keyrings/login.keyring"
  before=$(tree)
  su_setup
  [ "$status" -eq 1 ]
  [ "$output" = " !     keyring password: a keyring exists ($R/home/dokku/.local/share/keyrings/login.keyring) but no password file: pass its password with --password-file FILE, or move the keyring away to start afresh" ]
  [ "$(tree)" = "$before" ]
}

@test "setup without systemd: a root-only password file, the manual recipe, exit 3" {
  rmdir "$R/run/systemd/system"
  su_setup
  [ "$status" -eq 3 ] || { echo "$output"; false; }
  [[ ${lines[0]} == "-----> keyring password: written to $R/etc/dokku-registry/keyring-password (root-only, mode 0600)" ]]
  [ "$(stat -c '%a %u' "$R/etc/dokku-registry/keyring-password")" = "600 0" ]
  [ "$(wc -l <"$R/etc/dokku-registry/keyring-password")" -eq 1 ]
  [ ! -e "$R/etc/dokku-registry/keyring-password.cred" ]
  [[ $output == *"keyring unit: systemd is not running here: cannot enable dokku-keyring.service"* ]]
  [[ $output == *"Start the keyring by hand (as root), then run setup again:"* ]]
  [[ $output == *"/usr/lib/dokku-registry/keyring-session &"* ]]
  [[ $output == *"migrate: skipped: 3 config file(s) with plaintext credentials wait for the keyring"* ]]
  [[ ${lines[-1]} == "-----> doctor: not run (the keyring is not running)" ]]
  [ ! -s "$D/systemctl.log" ]
}

@test "setup: a unit that fails is stopped again and nothing after it runs" {
  STANDIN_FAIL=enable su_setup
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [[ ${lines[-1]} == " !     keyring unit: systemctl enable failed (exit 1): Failed to enable dokku-keyring.service: stand-in told to fail" ]]
  [ ! -e "$R/run/standin/enabled" ]
  [ ! -e "$R/home/dokku/.config/docker-credential-dokku/config.json" ]
  [ "$(readlink "$R/var/lib/dokku/plugins/available/registry")" = "$R/var/lib/dokku/core-plugins/available/registry" ]
  grep -q '"auth"' "$R/home/dokku/.docker/config.json"
  # a unit that starts but never gets ready (the keyring has another password):
  # it is stopped and disabled again
  rm -rf "$R/etc/dokku-registry"
  su_setup --no-migrate --no-plugin
  systemctl disable --now dokku-keyring.service
  printf 'another password' | systemd-creds encrypt --name=keyring-password - "$R/etc/dokku-registry/keyring-password.cred"
  : >"$D/systemctl.log"
  su_setup
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [[ ${lines[-1]} == " !     keyring unit: dokku-keyring.service stopped before the keyring was ready; see \`journalctl -u dokku-keyring.service\`" ]] || { echo "$output"; false; }
  grep -qx 'systemctl disable --now dokku-keyring.service' "$D/systemctl.log"
  [ ! -e "$R/run/standin/enabled" ]
  grep -q 'wrong password' "$R/run/standin/journal"
}

@test "setup: migration stops at a broken file, which stays as it was" {
  printf '{"auths":{"ghcr.io":{"auth":"not base64!"}}}\n' >"$R/var/lib/dokku/config/registry/web/config.json"
  cp "$R/var/lib/dokku/config/registry/web/config.json" "$D/web-before"
  su_setup
  [ "$status" -eq 1 ]
  [[ ${lines[-1]} == " !     migrate: web: "*"(each file is all-or-nothing: web is unchanged; done before it: --global, api)" ]]
  cmp "$D/web-before" "$R/var/lib/dokku/config/registry/web/config.json"
  run ! grep -q '"auth"' "$R/var/lib/dokku/config/registry/api/config.json"
  # fixed, the next run finishes the job
  printf '{"auths":{"ghcr.io":{"auth":"%s"}}}\n' "$(printf 'wu:%s' "$WPASS" | base64 -w0)" \
    >"$R/var/lib/dokku/config/registry/web/config.json"
  su_setup
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ $output == *"migrate: moved the plaintext credentials of web into the keyring"* ]]
}

@test "setup --undo: no config.json names the helper, the login commands listed, Dokku's own plugin back, the keyring left alone" {
  su_setup
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  kr=$(sha256sum "$R/home/dokku/.local/share/keyrings/login.keyring")
  # an app deleted since (Dokku removed ~dokku/api) still has its file handed back
  rm -rf "$R/home/dokku/api"
  su_setup --undo
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"       dokku registry:login --password-stdin --global 127.0.0.1:5999 gu"* ]]
  [[ $output == *"       dokku registry:login --password-stdin web ghcr.io wu"* ]]
  [[ $output == *"       dokku registry:login --password-stdin api reg.example.com au"* ]]
  [ "${lines[-3]}" = "-----> logins: 3 Docker config(s) no longer use docker-credential-dokku" ]
  [ "${lines[-2]}" = "-----> plugin: $R/var/lib/dokku/plugins/available/registry points at Dokku's own plugin again ($R/var/lib/dokku/core-plugins/available/registry); the keyring is left as it is" ]
  [[ ${lines[-1]} == "-----> units: dokku-keyring.service disabled and stopped"* ]]
  run grep -l '"dokku"' "$R/home/dokku/.docker/config.json" "$R"/var/lib/dokku/config/registry/*/config.json
  [ "$status" -eq 1 ]
  # no plaintext came back, the markers went
  run grep -c '"auth"\|127.0.0.1:5999' "$R/home/dokku/.docker/config.json"
  [ "$output" = 0 ]
  [ "$(readlink "$R/var/lib/dokku/plugins/available/registry")" = "$R/var/lib/dokku/core-plugins/available/registry" ]
  # registry-guard goes too, or it would put the shim back
  [ ! -L "$R/var/lib/dokku/plugins/available/registry-guard" ]
  [ ! -L "$R/var/lib/dokku/plugins/enabled/registry-guard" ]
  [ "$(sha256sum "$R/home/dokku/.local/share/keyrings/login.keyring")" = "$kr" ]
  [ -e "$R/etc/dokku-registry/keyring-password.cred" ]
  su_setup --undo
  [ "$status" -eq 0 ]
  [[ $output == *"logins: no Docker config uses docker-credential-dokku"* ]]
  [[ $output == *"is not the dokku-registry shim: nothing to undo"* ]]
}

@test "setup --undo --restore-plaintext: Docker's plaintext auths back, erased from the keyring" {
  su_setup
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  su_setup --restore-plaintext
  [ "$status" -eq 2 ]
  [ "$output" = " !     --restore-plaintext goes with --undo" ]
  su_setup --undo --restore-plaintext
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"Handed back ghcr.io (wu) as plaintext in $R/var/lib/dokku/config/registry/web/config.json"* ]]
  [ "$(jq -r '.auths["127.0.0.1:5999"].auth' "$R/home/dokku/.docker/config.json")" = "$(printf 'gu:%s' "$GPASS" | base64 -w0)" ]
  [ "$(jq -r '.auths["reg.example.com"].auth' "$R/var/lib/dokku/config/registry/api/config.json")" = "$(printf 'au:%s' "$APASS" | base64 -w0)" ]
  [ "$(jq -r '.auths["ghcr.io"].auth' "$R/var/lib/dokku/config/registry/web/config.json")" = "$(printf 'wu:%s' "$WPASS" | base64 -w0)" ]
  run jq -c '[.credsStore, .credHelpers]' "$R/home/dokku/.docker/config.json"
  [ "$output" = '[null,null]' ]
  [ "$(stat -c %a "$R/home/dokku/.docker/config.json")" = 600 ]
  # the keyring holds them no more (setup brings it back without moving
  # them; doctor then points at the plaintext files: exit 1)
  su_setup --no-migrate
  [[ $output == *"keyring unit: dokku-keyring.service enabled and started"* ]]
  [ "$(as_dokku docker-credential-dokku list)" = '{}' ]
  # and setup moves them into the keyring again
  su_setup
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ $output == *"migrate: moved the plaintext credentials of --global, api, web into the keyring"* ]]
}

@test "setup: usage errors, and only root may run it" {
  su_setup extra
  [ "$status" -eq 2 ]
  [ "$output" = " !     setup takes no arguments (see dokku-registry(1))" ]
  run "$DR" setup --bogus
  [ "$status" -eq 2 ]
  run setpriv --reuid="$U" --regid="$U" --clear-groups -- "$DR_BUILD_DIR/$DR" setup --root "$R"
  [ "$status" -eq 1 ]
  [ "$output" = " !     setup must run as root: sudo dokku-registry setup" ]
}

@test "doctor: warns when the keyring's password is missing from the backup path" {
  su_setup --no-plugin
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run as_dokku "$DR_BUILD_DIR/$DR" doctor
  [ "$status" -eq 0 ]
  [[ $output == *"ok    backup       keyring $R/home/dokku/.local/share/keyrings/login.keyring and its password in $R/etc/dokku-registry (sealed: opens on this host only, keep the password offline too)"* ]]
  mv "$R/etc/dokku-registry/keyring-password.cred" "$D/"
  run as_dokku "$DR_BUILD_DIR/$DR" doctor
  [[ $output == *"warn  backup       no keyring password in $R/etc/dokku-registry: after a restart or a restore $R/home/dokku/.local/share/keyrings/login.keyring cannot be unlocked; fix: dokku-registry setup --password-file FILE (with the keyring's password)"* ]]
  run as_dokku env XDG_DATA_HOME="$D/elsewhere" "$DR_BUILD_DIR/$DR" doctor
  [[ $output == *"warn  backup       the keyring $D/elsewhere/keyrings/login.keyring is outside the documented backup path"* ]]
}

# The dokku user owns every component of ~dokku/.config/docker-credential-dokku/
# config.json: setup (root) must get nothing from links, FIFOs or other
# owners' files placed there. Each attack below worked against root before.
@test "setup vs the dokku user: config.json linked to a root-only file is refused, not copied" {
  mkdir -m 0700 "$R/etc/private"
  printf '{"bus":"unix:path=/x","token":"s3cret-%s"}\n' "$RANDOM" >"$R/etc/private/secret.json"
  chmod 0600 "$R/etc/private/secret.json"
  cp "$R/etc/private/secret.json" "$D/secret-before"
  as_dokku mkdir -p "$R/home/dokku/.config/docker-credential-dokku"
  as_dokku ln -s "$R/etc/private/secret.json" "$R/home/dokku/.config/docker-credential-dokku/config.json"
  su_setup --no-migrate
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [ "${lines[-1]}" = " !     helper config: $R/home/dokku/.config/docker-credential-dokku/config.json is a symbolic link, not a file: remove it" ]
  cmp "$D/secret-before" "$R/etc/private/secret.json"
  [ "$(stat -c '%a %u' "$R/etc/private/secret.json")" = "600 0" ]
  [ -L "$R/home/dokku/.config/docker-credential-dokku/config.json" ]
  run grep -rlF s3cret- "$R/home"
  [ "$status" -eq 1 ] || { echo "$output"; false; }
}

@test "setup vs the dokku user: ~/.config linked to a root directory gets no dokku-owned directory" {
  as_dokku ln -s "$R/etc" "$R/home/dokku/.config"
  su_setup --no-migrate
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [[ ${lines[-1]} == " !     helper config: cannot create $R/home/dokku/.config/docker-credential-dokku: Permission denied" ]] || { echo "$output"; false; }
  [ ! -e "$R/etc/docker-credential-dokku" ]
  run find "$R/etc" -user "$U"
  [ -z "$output" ] || { echo "$output"; false; }
}

@test "setup vs the dokku user: a directory link to a root-owned config.json is neither rewritten nor given away" {
  mkdir -m 0755 "$R/etc/docker-credential-dokku"
  printf '{"bus":"unix:path=/system-wide"}\n' >"$R/etc/docker-credential-dokku/config.json"
  chmod 0644 "$R/etc/docker-credential-dokku/config.json"
  cp "$R/etc/docker-credential-dokku/config.json" "$D/cfg-before"
  as_dokku mkdir -p "$R/home/dokku/.config"
  as_dokku ln -s "$R/etc/docker-credential-dokku" "$R/home/dokku/.config/docker-credential-dokku"
  su_setup --no-migrate
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [[ ${lines[-1]} == " !     helper config: $R/home/dokku/.config/docker-credential-dokku/config.json belongs to uid 0, not $U"* ]] || { echo "$output"; false; }
  cmp "$D/cfg-before" "$R/etc/docker-credential-dokku/config.json"
  [ "$(stat -c '%a %u %U' "$R/etc/docker-credential-dokku" "$R/etc/docker-credential-dokku/config.json")" = "755 0 root
644 0 root" ]
}

@test "setup vs the dokku user: a FIFO as config.json is refused at once, setup does not hang" {
  as_dokku mkdir -p "$R/home/dokku/.config/docker-credential-dokku"
  as_dokku mkfifo "$R/home/dokku/.config/docker-credential-dokku/config.json"
  start=$(date +%s)
  run timeout 60 "$DR_BUILD_DIR/$DR" setup --root "$R" --no-migrate
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [ "${lines[-1]}" = " !     helper config: $R/home/dokku/.config/docker-credential-dokku/config.json is not a regular file (a FIFO, socket or device?): remove it" ]
  [ $(($(date +%s) - start)) -lt 50 ]
}

@test "setup vs the dokku user: plugins/available linked to a root directory gets no link from root" {
  mkdir -p "$R/etc/x"
  chown -R "$U:$U" "$R/var/lib/dokku/plugins"
  rm -rf "$R/var/lib/dokku/plugins/available"
  as_dokku ln -s "$R/etc/x" "$R/var/lib/dokku/plugins/available"
  su_setup --no-migrate
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [ "${lines[-1]}" = " !     plugin: $R/var/lib/dokku/plugins or $R/var/lib/dokku/plugins/available is a symbolic link or not a directory; left alone (Dokku has directories there)" ]
  [ -z "$(ls -A "$R/etc/x")" ]
}
