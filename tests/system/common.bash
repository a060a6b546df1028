# shared by tests/system/*.bats: one container per file, booted in
# setup_file, with the project's .deb installed and a `dokku` user (no Dokku).

# shellcheck source=lib/container.sh
source "$BATS_TEST_DIRNAME/lib/container.sh"

sys_file_setup() {
  SYS_DEB=${DR_SYSTEM_DEB:?run through tests/system/run.sh (make check-system)}
  export SYS_DEB
  SYS_ROOT=$("$SYS_LIB_DIR/root.sh" path) || return 1
  sys_deps_layer "$SYS_DEB" || return 1
  sys_init "$BATS_FILE_TMPDIR/c" || return 1
  sys_boot || return 1
  sys_install_deb || return 1
  sys useradd --create-home --shell /bin/bash dokku
}

# sys_dokku_standin: the stand-ins for Dokku's `dokku` dispatcher and plugn
# (tests/lib/dokku-standin) where a Dokku package puts the real ones
# (/usr/bin), the scheduler plugin stand-in enabled, and the registry plugin
# linked to the package's shim as `dokku-registry setup` links it: enough
# for `dokku registry:...` run by a unit as dokku, with the environment the
# dispatcher exports and nothing of the test's.
sys_dokku_standin() {
  local standin="$SYS_REPO_DIR/tests/lib/dokku-standin" p=/var/lib/dokku/plugins
  install -m 0755 "$standin/bin/dokku" "$standin/bin/plugn" "$SYS_M/usr/bin/" || return 1
  sys install -d -o dokku -g dokku /var/lib/dokku "$p" "$p/available" "$p/enabled" || return 1
  cp -R "$standin/plugins/scheduler" "$SYS_M$p/available/scheduler" || return 1
  sys ln -s /usr/share/dokku-registry/dokku-plugin "$p/available/registry" || return 1
  sys ln -s "$p/available/scheduler" "$p/enabled/scheduler" || return 1
  sys ln -s "$p/available/registry" "$p/enabled/registry" || return 1
  sys chown -R dokku:dokku "$p"
}

sys_file_teardown() {
  sys_stop
}

# as Dokku runs its plugins: sudo -u dokku -E -H from root's environment
# over SSH (root's session bus and runtime dir, which dokku cannot use)
as_dokku() {
  sys env DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus XDG_RUNTIME_DIR=/run/user/0 \
    sudo -u dokku -E -H "$@"
}

# a helper round trip as the dokku user: store SERVER USER SECRET, get SERVER
helper_store() {
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3" |
    as_dokku docker-credential-dokku store
}
helper_get() { printf '%s' "$1" | as_dokku docker-credential-dokku get; }

unit_prop() { sys systemctl show -P "$2" "$1"; }

# waits until dokku-keyring is active and its ready file exists (SECS)
wait_keyring() {
  local i
  for i in $(seq 1 $((${1:-20} * 5))); do
    [ "$(sys systemctl is-active dokku-keyring.service)" = active ] &&
      sys test -e /run/dokku-keyring/ready && return 0
    sleep 0.2
  done
  return 1
}

# journal lines of the unit since a cursor file was written with journal_mark
journal_mark() { sys journalctl -u dokku-keyring.service -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p' >"$SYS_DIR/cursor"; }
journal_since() { sys journalctl -u dokku-keyring.service --after-cursor="$(cat "$SYS_DIR/cursor")" -o cat -q --no-pager; }
