#!/usr/bin/env bats
# dokku-registry setup and the dokku-keyring unit under a real systemd (a
# Debian 12 container): the sealed password, the unit, the bus, doctor, the
# helper as Dokku runs it, a reboot, killed daemons, a wrong password.
# The tests run in order on one container, as an operator would.

load common

setup_file() { sys_file_setup; }
teardown_file() { sys_file_teardown; }

@test "an install never starts or enables a unit" {
  for u in dokku-keyring.service dokku-registry-k8s-sync.timer dokku-registry-k8s-sync.service; do
    run sys systemctl is-active "$u"
    [ "$output" = inactive ]
    run sys systemctl is-enabled "$u"
    [[ $output == disabled || $output == static ]]
  done
  run sys find /etc/systemd/system -name 'dokku-*'
  [ -z "$output" ]
}

@test "setup: the unit enabled and active, the password sealed, the bus ready, doctor all ok" {
  run sys dokku-registry setup
  echo "$output" >"$DR_SYSTEM_OUT/setup.out"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"doctor: all "*" checks passed"* ]]
  [ "$(sys systemctl is-enabled dokku-keyring.service)" = enabled ]
  [ "$(sys systemctl is-active dokku-keyring.service)" = active ]
  # sealed: the drop-in loads the encrypted credential, no plaintext file
  run sys cat /etc/systemd/system/dokku-keyring.service.d/50-sealed-password.conf
  [[ $output == *"LoadCredentialEncrypted=keyring-password:/etc/dokku-registry/keyring-password.cred"* ]]
  sys test -s /etc/dokku-registry/keyring-password.cred
  run sys test -e /etc/dokku-registry/keyring-password
  [ "$status" -ne 0 ]
  # the unit's runtime directory: the bus socket and the ready file, dokku's
  sys test -S /run/dokku-keyring/bus
  sys test -e /run/dokku-keyring/ready
  [ "$(sys stat -c %U:%a /run/dokku-keyring)" = dokku:700 ]
  # the helper config points at the bus
  run sys cat /home/dokku/.config/docker-credential-dokku/config.json
  [[ $output == *'"bus": "unix:path=/run/dokku-keyring/bus"'* ]]
  run sys runuser -u dokku -- dokku-registry doctor
  echo "$output"
  [ "$status" -eq 0 ]
  run grep -c '^ok' <<<"$output"
  [ "$output" -ge 5 ]
}

@test "gnome-keyring locks its secure memory within the unit's LimitMEMLOCK, under its hardening" {
  local pid
  pid=$(sys pgrep -u dokku -f "^gnome-keyring-daemon ")
  [ -n "$pid" ]
  run sys grep VmLck "/proc/$pid/status"
  echo "$output"
  [[ $output =~ VmLck:[[:space:]]+([0-9]+) ]]
  [ "${BASH_REMATCH[1]}" -gt 0 ]
  run sys journalctl -u dokku-keyring.service -o cat --no-pager
  [[ $output != *"couldn't allocate secure memory"* ]]
}

@test "the password is nowhere in plaintext: not in a file the setup wrote, not in /run or /tmp" {
  local pw
  pw=$(sys systemd-creds decrypt --name=keyring-password /etc/dokku-registry/keyring-password.cred -)
  [ "${#pw}" -ge 40 ]
  # everything written since the root was built is in the overlay's upper layer
  run grep -rlF -- "$pw" "$SYS_DIR/upper"
  [ "$status" -eq 1 ]
  # the tmpfs mounts inside, except systemd's credential store for the unit
  run sys sh -c 'grep -rlF -- "$1" /run /tmp /dev/shm 2>/dev/null | grep -v "^/run/credentials/dokku-keyring.service/"' sh "$pw"
  [ -z "$output" ]
}

@test "the helper as dokku: store and get, and from sudo -u dokku -E -H with root's bus in the environment" {
  run sys runuser -u dokku -- sh -c 'printf "%s" "{\"ServerURL\":\"reg.example:5000\",\"Username\":\"alice\",\"Secret\":\"s3cret-1\"}" | docker-credential-dokku store'
  [ "$status" -eq 0 ]
  run sys runuser -u dokku -- sh -c 'printf reg.example:5000 | docker-credential-dokku get'
  [ "$status" -eq 0 ]
  [[ $output == *'"Secret":"s3cret-1"'* ]]
  run helper_store reg2.example bob s3cret-2
  [ "$status" -eq 0 ]
  run helper_get reg2.example
  [ "$status" -eq 0 ]
  [[ $output == *'"Username":"bob"'* ]]
  [[ $output == *'"Secret":"s3cret-2"'* ]]
}

@test "setup twice: nothing to change, the unit is not restarted" {
  local pid
  pid=$(unit_prop dokku-keyring.service MainPID)
  run sys dokku-registry setup
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"Nothing to change"* ]]
  [[ $output == *"already sealed"* ]]
  [[ $output == *"already enabled and running"* ]]
  [ "$(unit_prop dokku-keyring.service MainPID)" = "$pid" ]
}

@test "reboot: the keyring is unlocked again with no step, the first get works" {
  local t0
  sys_poweroff
  t0=$(date +%s%N)
  sys_boot
  echo "reboot (boot to running): $(( ($(date +%s%N) - t0) / 1000000 )) ms" >>"$DR_SYSTEM_OUT/timings"
  wait_keyring 20
  sys systemctl status dokku-keyring.service --no-pager -n 5 >"$DR_SYSTEM_OUT/status-after-reboot.txt" 2>&1 || true
  run helper_get reg2.example
  [ "$status" -eq 0 ]
  [[ $output == *'"Secret":"s3cret-2"'* ]]
}

# kill -9 of one daemon: keyring-session stops the other and exits 1,
# Restart=on-failure starts it again after RestartSec=5s
kill_and_recover() { # PROCESS-NAME (as in the journal line)
  local pid before
  wait_keyring 20
  before=$(unit_prop dokku-keyring.service NRestarts)
  journal_mark
  pid=$(sys pgrep -u dokku -f "^$1 ")
  [ -n "$pid" ]
  sys kill -9 "$pid"
  # the gap: the unit is down until its restart
  for _ in $(seq 1 30); do
    sys test -S /run/dokku-keyring/bus || break
    sleep 0.1
  done
  run helper_get reg2.example
  echo "during the gap: $output"
  [ "$status" -ne 0 ]
  [[ $output == *"dokku-keyring"* ]]
  [[ $output != *"s3cret-2"* ]]
  wait_keyring 20
  [ "$(unit_prop dokku-keyring.service NRestarts)" -eq $((before + 1)) ]
  run helper_get reg2.example
  [ "$status" -eq 0 ]
  [[ $output == *'"Secret":"s3cret-2"'* ]]
  run journal_since
  echo "$output"
  FAIL_LINES=$(grep -c "keyring-session: $1 (pid $pid) exited; stopping" <<<"$output")
  [ "$FAIL_LINES" -eq 1 ]
}

@test "kill -9 gnome-keyring-daemon: a get in the gap names the unit, the unit restarts, one journal line" {
  kill_and_recover gnome-keyring-daemon
}

@test "kill -9 dbus-daemon: a get in the gap names the unit, the unit restarts, one journal line" {
  kill_and_recover dbus-daemon
}

@test "a wrong password: exit 3, not restarted, the message in the journal" {
  local good="$SYS_DIR/good.cred"
  cp "$(sys_path /etc/dokku-registry/keyring-password.cred)" "$good"
  printf 'not-the-password\n' | sys systemd-creds encrypt --name=keyring-password - /etc/dokku-registry/keyring-password.cred
  journal_mark
  run sys systemctl restart dokku-keyring.service
  [ "$status" -ne 0 ]
  [ "$(unit_prop dokku-keyring.service ExecMainStatus)" = 3 ]
  sleep 7   # RestartSec=5s: a restart would have happened by now
  [ "$(sys systemctl is-active dokku-keyring.service)" = failed ]
  [ "$(unit_prop dokku-keyring.service NRestarts)" = 0 ]
  run journal_since
  echo "$output"
  [[ $output == *"keyring-session: wrong password: the login keyring in /home/dokku/.local/share/keyrings stays locked"* ]]
  # the right password back: it starts again
  cp "$good" "$(sys_path /etc/dokku-registry/keyring-password.cred)"
  sys systemctl restart dokku-keyring.service
  wait_keyring 20
  run helper_get reg2.example
  [ "$status" -eq 0 ]
}
