#!/usr/bin/env bats
# packaging/keyring-session as dokku-keyring.service runs it: RUNTIME_DIRECTORY,
# CREDENTIALS_DIRECTORY with the password file, a HOME of its own, no
# XDG_RUNTIME_DIR. There is no systemd here, so the script runs in the
# background, and docker-credential-dokku reaches it through the `bus` key of
# its config file only (no DBUS_SESSION_BUS_ADDRESS, no XDG_RUNTIME_DIR).

# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"

KS="$DR_REPO_DIR/packaging/keyring-session"
HELPER="$DR_BUILD_DIR/docker-credential-dokku"
PW='correct horse battery staple'

setup() {
  [ -x "$HELPER" ] || { echo "# $HELPER missing: run make" >&3; return 1; }
  D=$(mktemp -d /tmp/dr-hl.XXXXXX)   # short: unix socket paths stay < 108 bytes
  dr_env_init "$D" || return 1
  # as under the unit (User=dokku: HOME from passwd, nothing else)
  unset XDG_RUNTIME_DIR XDG_DATA_HOME
  RT="$D/rt"
  CRED="$D/cred"
  mkdir -m 0700 "$RT" "$CRED"
  printf '%s\n' "$PW" >"$CRED/keyring-password"
  chmod 0600 "$CRED/keyring-password"
  CFG="$D/helper.json"
  printf '{"bus": "unix:path=%s/bus"}\n' "$RT" >"$CFG"
  NOCFG="$D/empty.json"
  echo '{}' >"$NOCFG"
  KS_PID=
  export D RT CRED CFG NOCFG
}

teardown() {
  local pid
  [ -n "${KS_PID:-}" ] && _dr_kill "$KS_PID" keyring-session
  # anything still running on this test's directory (our own daemons only)
  for pid in $(pgrep -f -- "$RT/" 2>/dev/null); do
    _dr_kill "$pid" "$RT/"
  done
  [ -n "${D:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$D"
  return 0
}

# ks_start [NAME=VALUE...]: keyring-session in the background, as the unit runs it
ks_start() {
  env RUNTIME_DIRECTORY="$RT" CREDENTIALS_DIRECTORY="$CRED" "$@" "$KS" \
    >"$D/ks.out" 2>"$D/ks.err" 3>&- &
  KS_PID=$!
}

ks_wait_ready() {
  RUNTIME_DIRECTORY="$RT" "$KS" --wait-ready 20 3>&- ||
    { echo "ks.err: $(cat "$D/ks.err")"; return 1; }
}

# ks_wait_exit [SECS]: waits for keyring-session; sets KS_STATUS
ks_wait_exit() {
  local i
  for ((i = 0; i < ${1:-10} * 10; i++)); do
    _dr_alive "$KS_PID" || break
    sleep 0.1
  done
  _dr_alive "$KS_PID" && { echo "keyring-session still running"; return 1; }
  KS_STATUS=0
  wait "$KS_PID" || KS_STATUS=$?
  KS_PID=
}

# ks_daemons: pids of the dbus-daemon and gnome-keyring-daemon of this test
ks_daemons() { pgrep -f -- "$RT/" || true; }

# hl [NAME=VALUE...] ACTION [INPUT]: the helper as Dokku runs it under sudo -u dokku:
# no session bus in the environment, only the config file's `bus`
hl() {
  local envargs=()
  while [[ ${1:-} == *=* ]]; do envargs+=("$1"); shift; done
  printf %s "${2-}" | env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR \
    DOCKER_CREDENTIAL_DOKKU_CONFIG="$CFG" DOCKER_CREDENTIAL_DOKKU_TIMEOUT=5 "${envargs[@]}" \
    "$HELPER" "$1"
}

STORE='{"ServerURL":"registry.example.com","Username":"deploy","Secret":"s3cr3t-pw"}'
GOT='{"ServerURL":"registry.example.com","Username":"deploy","Secret":"s3cr3t-pw"}'

@test "keyring-session: private bus + unlocked login keyring; the helper works through the config's bus key alone" {
  ks_start
  ks_wait_ready
  [ -S "$RT/bus" ]
  [ -e "$RT/ready" ]
  grep -q "^keyring-session: ready: DBUS_SESSION_BUS_ADDRESS=unix:path=$RT/bus" "$D/ks.err"
  # the keyring lives in the user's HOME
  [ -f "$HOME/.local/share/keyrings/login.keyring" ]

  run hl store "$STORE"
  [ "$status" -eq 0 ] && [ -z "$output" ] || { echo "store: $output"; return 1; }
  run hl get registry.example.com
  [ "$status" -eq 0 ]
  [ "$output" = "$GOT" ]
  run hl list
  [ "$status" -eq 0 ]
  [ "$output" = '{"registry.example.com":"deploy"}' ]

  # it is the bus key that made it work: without it there is no bus to find
  if [ ! -S "/run/user/$(id -u)/bus" ]; then
    run env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR \
      DOCKER_CREDENTIAL_DOKKU_CONFIG="$NOCFG" "$HELPER" list
    [ "$status" -eq 1 ]
    [[ $output == "no D-Bus session bus"* ]]
  fi
}

@test "keyring-session: the password never appears in a process's argv or environment" {
  ks_start
  ks_wait_ready
  local pid pids
  pids="$KS_PID $(ks_daemons)"
  [ "$(wc -w <<<"$pids")" -ge 3 ]
  for pid in $pids; do
    ! grep -aqF "$PW" "/proc/$pid/cmdline" || { echo "in argv of $pid"; return 1; }
    ! grep -aqF "$PW" "/proc/$pid/environ" || { echo "in environ of $pid"; return 1; }
  done
}

@test "keyring-session: restarted with the same HOME, the keyring persists and unlocks" {
  ks_start
  ks_wait_ready
  run hl store "$STORE"
  [ "$status" -eq 0 ]
  kill -TERM "$KS_PID"
  ks_wait_exit
  [ "$KS_STATUS" -eq 0 ]
  [ ! -e "$RT/bus" ]

  ks_start
  ks_wait_ready
  run hl get registry.example.com
  [ "$status" -eq 0 ]
  [ "$output" = "$GOT" ]
}

@test "keyring-session: a wrong password keeps the collection locked, the helper says 'is locked', exit 3" {
  ks_start
  ks_wait_ready
  kill -TERM "$KS_PID"
  ks_wait_exit
  local before
  before=$(sha256sum <"$HOME/.local/share/keyrings/login.keyring")

  printf 'not the password\n' >"$CRED/keyring-password"
  # a long grace, so that the helper can ask while the locked keyring is up
  ks_start KEYRING_SESSION_LOCKED_GRACE=8
  local i up=0
  for ((i = 0; i < 100; i++)); do
    if DBUS_SESSION_BUS_ADDRESS="unix:path=$RT/bus" dbus-send --session --print-reply \
        --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
      up=1
      break
    fi
    sleep 0.1
  done
  [ "$up" = 1 ] || { echo "the keyring never came up: $(cat "$D/ks.err")"; return 1; }
  run hl list
  [ "$status" -eq 1 ]
  [[ $output == *"is locked"* ]] || { echo "list: $output"; return 1; }
  [ "${#lines[@]}" -eq 1 ]

  ks_wait_exit 30
  [ "$KS_STATUS" -eq 3 ]
  grep -q '^keyring-session: wrong password: the login keyring in .* stays locked' "$D/ks.err"
  [ "$(grep -c '^keyring-session: ' "$D/ks.err")" -eq 1 ]
  # nothing left running, the keyring file untouched
  [ -z "$(ks_daemons)" ]
  [ ! -e "$RT/bus" ]
  [ "$(sha256sum <"$HOME/.local/share/keyrings/login.keyring")" = "$before" ]
  # --wait-ready reports the failure instead of waiting
  run env RUNTIME_DIRECTORY="$RT" "$KS" --wait-ready 5
  [ "$status" -eq 1 ]
  [[ $output == *"exited before it was ready"* ]]
}

@test "keyring-session: bad setup fails at once with one line (exit 2)" {
  # no credential file (LoadCredential= found nothing)
  rm "$CRED/keyring-password"
  run env RUNTIME_DIRECTORY="$RT" CREDENTIALS_DIRECTORY="$CRED" "$KS"
  [ "$status" -eq 2 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "keyring-session: no credential keyring-password in $CRED"* ]]
  # empty password
  : >"$CRED/keyring-password"
  run env RUNTIME_DIRECTORY="$RT" CREDENTIALS_DIRECTORY="$CRED" "$KS"
  [ "$status" -eq 2 ]
  [[ $output == "keyring-session: password file $CRED/keyring-password is empty"* ]]
  # neither CREDENTIALS_DIRECTORY nor KEYRING_PASSWORD_FILE
  run env -u CREDENTIALS_DIRECTORY -u KEYRING_PASSWORD_FILE RUNTIME_DIRECTORY="$RT" "$KS"
  [ "$status" -eq 2 ]
  [[ $output == "keyring-session: no password file"* ]]
  # no RUNTIME_DIRECTORY
  run env -u RUNTIME_DIRECTORY CREDENTIALS_DIRECTORY="$CRED" "$KS"
  [ "$status" -eq 2 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "keyring-session: RUNTIME_DIRECTORY is not set"* ]]
  [ -z "$(ks_daemons)" ]
  [ ! -e "$RT/bus" ]
}

@test "keyring-session: SIGTERM stops both daemons and leaves nothing behind" {
  ks_start
  ks_wait_ready
  local daemons pid
  daemons=$(ks_daemons)
  [ "$(wc -w <<<"$daemons")" -eq 2 ]
  for pid in $daemons; do
    grep -aq -e dbus-daemon -e gnome-keyring-daemon "/proc/$pid/cmdline"
  done
  kill -TERM "$KS_PID"
  ks_wait_exit 10
  [ "$KS_STATUS" -eq 0 ]
  for pid in $daemons; do
    ! _dr_alive "$pid" || { echo "pid $pid still running"; return 1; }
  done
  [ -z "$(ks_daemons)" ]
  # the runtime directory is left as it was found (keyring's control dir aside)
  [ ! -e "$RT/bus" ] && [ ! -e "$RT/ready" ] && [ ! -e "$RT/bus.conf" ] &&
    [ ! -e "$RT/keyring-session.pid" ]
}

@test "keyring-session: a dying daemon takes the session down (exit 1, for Restart=on-failure)" {
  ks_start
  ks_wait_ready
  local kr
  kr=$(pgrep -f -- "--control-directory=$RT/keyring")
  [ -n "$kr" ]
  kill -KILL "$kr"
  ks_wait_exit 10
  [ "$KS_STATUS" -eq 1 ]
  grep -q "^keyring-session: gnome-keyring-daemon (pid $kr) exited; stopping" "$D/ks.err"
  [ -z "$(ks_daemons)" ]
}

@test "keyring-session: a second one on the same directory refuses (exit 2)" {
  ks_start
  ks_wait_ready
  local first=$KS_PID
  run env RUNTIME_DIRECTORY="$RT" CREDENTIALS_DIRECTORY="$CRED" "$KS"
  [ "$status" -eq 2 ]
  [[ $output == "keyring-session: already running on $RT (pid $first)" ]]
  # the first one is unharmed
  run hl list
  [ "$status" -eq 0 ]
}

@test "manual recipe: KEYRING_PASSWORD_FILE and DBUS_SESSION_BUS_ADDRESS, no config file" {
  env -u CREDENTIALS_DIRECTORY RUNTIME_DIRECTORY="$RT" KEYRING_PASSWORD_FILE="$CRED/keyring-password" \
    "$KS" >"$D/ks.out" 2>"$D/ks.err" 3>&- &
  KS_PID=$!
  ks_wait_ready
  run env DBUS_SESSION_BUS_ADDRESS="unix:path=$RT/bus" DOCKER_CREDENTIAL_DOKKU_CONFIG="$NOCFG" \
    "$HELPER" list
  [ "$status" -eq 0 ]
  [ "$output" = '{}' ]
}
