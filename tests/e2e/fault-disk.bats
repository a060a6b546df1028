#!/usr/bin/env bats
# Fault injection: no room to write: one clear error, the old file intact. A 64 KiB
# tmpfs filled to the last page, and `ulimit -f`, under every command that
# writes a file: registry:set (a property), helpers:set (the helper config),
# registry:login (config.json after the keyring store). Each must fail with
# one clear line naming the file and the cause, exit 1 (not 153 from
# SIGXFSZ), keep the old file, leave no temp file; a login must leave the
# keyring as it was. Needs root for the tmpfs (CI runs as root): without it
# the test fails and says why. Real keyring and docker-registry.
# Time budget: about 20 s.

bats_require_minimum_version 1.5.0

load dokku-login-helpers

setup_file() {
  drl_setup_file
}

teardown_file() {
  drl_teardown_file
}

setup() {
  drl_setup || return 1
  SMALL="$BATS_TEST_TMPDIR/small"
  MOUNTED=
}

teardown() {
  if [ -n "$MOUNTED" ]; then
    umount "$SMALL" || umount -l "$SMALL"
  fi
  drl_teardown
}

# small_disk: a 64 KiB tmpfs at $SMALL holding DOKKU_LIB_ROOT and the
# helper's config dir, with app1 created on it.
small_disk() {
  mkdir -p "$SMALL"
  local out
  out=$(mount -t tmpfs -o size=64k,mode=0755 tmpfs "$SMALL" 2>&1) || {
    echo "cannot mount a 64 KiB tmpfs at $SMALL (uid $(id -u); CI runs as root): $out" >&2
    return 1
  }
  MOUNTED=1
  export DOKKU_LIB_ROOT="$SMALL/lib" XDG_CONFIG_HOME="$SMALL/config"
  REG="$DOKKU_LIB_ROOT/config/registry"
  mkdir -p "$REG" "$XDG_CONFIG_HOME"
  create_app app1
}

# fill_disk: nothing left, not even a page
fill_disk() {
  dd if=/dev/zero of="$SMALL/filler" bs=4k count=64 2>/dev/null || true
  dd if=/dev/zero of="$SMALL/filler2" bs=512 count=64 2>/dev/null || true
  [ "$(df --output=avail "$SMALL" | tail -1 | tr -d ' ')" -eq 0 ] || {
    echo "tmpfs not full: $(df "$SMALL")" >&2; return 1; }
}

# no_temps DIR: no <file>.tmpXXXXXX anywhere under DIR
no_temps() {
  local left
  left=$(find "$1" -name '*.tmp??????' 2>/dev/null)
  [ -z "$left" ] || { echo "temp files left: $left" >&2; return 1; }
}

# one_line_error TEXT: exit 1, one stderr line containing TEXT (stdout has
# at most Dokku's "=====> Setting ..." line, printed before the write)
one_line_error() {
  assert_status 1
  [ "${#lines[@]}" -le 1 ] || { echo "stdout: $output" >&2; return 1; }
  assert_stderr_lines 1
  assert_contains "$stderr" "$1" stderr
}

@test "full tmpfs: registry:set says 'No space left on device', the old value stays, no temp file" {
  small_disk
  must registry:set app1 server old.example.com
  fill_disk
  drr registry:set app1 server new.example.com
  one_line_error 'No space left on device'
  assert_contains "$stderr" "$REG/app1/server" stderr
  assert_eq "$(cat "$REG/app1/server")" old.example.com "property"
  no_temps "$SMALL"
}

@test "full tmpfs: helpers:set says 'No space left on device', the config stays valid and unchanged" {
  small_disk
  must helpers:set '*.old.example' gcr
  local cfg="$XDG_CONFIG_HOME/docker-credential-dokku/config.json" before
  before=$(sha256sum "$cfg")
  fill_disk
  drr helpers:set '*.new.example' gcr
  one_line_error 'No space left on device'
  assert_eq "$(sha256sum "$cfg")" "$before" "helper config"
  jq -e . "$cfg" >/dev/null
  assert_mode "$cfg" 600
  no_temps "$SMALL"
}

@test "full tmpfs: a first login whose config.json cannot be written is rolled back (no keyring entry, no marker)" {
  small_disk
  fill_disk
  drr registry:login app1 "$R" alice "$PW_A"
  one_line_error 'Unable to store the credentials'
  assert_contains "$stderr" 'No space left on device' stderr
  assert_contains "$stderr" 'the keyring was rolled back (nothing is stored for it)' stderr
  assert_not_contains "$stderr" "$PW_A" stderr
  assert_items 0 dokku_scope app1
  [ ! -e "$(appdir app1)/config.json" ]
  no_temps "$SMALL"
}

@test "full tmpfs: a second login that cannot update config.json keeps the previous login" {
  small_disk
  login_app app1 alice "$PW_A"
  local f before
  f="$(appdir app1)/config.json"
  # another key makes the new config.json differ from the old one
  jq '. + {psFormat: "table {{.ID}}"}' "$f" >"$BATS_TEST_TMPDIR/c" && cat "$BATS_TEST_TMPDIR/c" >"$f"
  before=$(sha256sum "$f")
  fill_disk
  drr registry:login app1 "$R" bob "$PW_B"
  one_line_error 'the keyring was rolled back (the previous login is kept)'
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_items 1 dokku_scope app1
  assert_eq "$(sha256sum "$f")" "$before" "config.json"
  no_temps "$SMALL"
}

# ulimit -f counts 1024-byte blocks; the files below are bigger than that
@test "ulimit -f: registry:set and helpers:set fail with 'File too large', exit 1 (not SIGXFSZ's 153), old files kept" {
  local big cfg="$XDG_CONFIG_HOME/docker-credential-dokku/config.json" before
  create_app app1
  must registry:set app1 server old.example.com
  big=$(printf 'x%.0s' $(seq 1 3000))
  run --separate-stderr bash -c 'ulimit -f 1; exec "$0" registry:set app1 image-repo "$1"' "$DR_BIN" "$big"
  assert_status 1
  assert_contains "$stderr" 'File too large (over the file size limit, ulimit -f)' stderr
  [ ! -e "$REG/app1/image-repo" ]
  assert_eq "$(cat "$REG/app1/server")" old.example.com "property"
  no_temps "$REG"
  mkdir -p "$(dirname "$cfg")"
  jq -n --arg pad "$big" '{pad: $pad, helpers: {"*.old.example": "gcr"}}' >"$cfg"
  before=$(sha256sum "$cfg")
  run --separate-stderr bash -c 'ulimit -f 1; exec "$0" helpers:set "*.new.example" gcr' "$DR_BIN"
  assert_status 1
  assert_contains "$stderr" 'File too large' stderr
  assert_contains "$stderr" "$cfg" stderr
  assert_eq "$(sha256sum "$cfg")" "$before" "helper config"
  no_temps "$XDG_CONFIG_HOME"
}

@test "ulimit -f: a login whose config.json is over the limit is rolled back; the helper it runs still works" {
  create_app app1
  local f
  f="$(appdir app1)/config.json"
  jq -n --arg pad "$(printf 'y%.0s' $(seq 1 3000))" '{psFormat: $pad}' >"$f"
  run --separate-stderr bash -c 'ulimit -f 1; exec "$0" registry:login app1 "$1" alice "$2" 2>&1' \
    "$DR_BIN" "$R" "$PW_A"
  assert_status 1
  assert_contains "$output" 'File too large'
  assert_contains "$output" 'the keyring was rolled back (nothing is stored for it)'
  assert_items 0 dokku_scope app1
  [ "$(cj "$f" '.auths // {} | length')" = 0 ]
  no_temps "$(appdir app1)"
}
