#!/usr/bin/env bats
# Interoperability with Debian's docker-credential-secretservice (v0.6.4) on the same
# keyring: same schema and attributes, item Label = ServerURL (what v0.6.4 lists).

load helpers

UP=docker-credential-secretservice

setup_file() {
  command -v "$UP" >/dev/null || { echo "# $UP not installed" >&3; return 1; }
  e2e_env_init || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
}

teardown_file() {
  e2e_env_stop
}

setup() {
  dr_keyring_clear
}

# up ACTION [INPUT]: run upstream's helper (stdout only, like dh)
up() {
  printf %s "${2-}" | "$UP" "$1" 2>"$BATS_TEST_TMPDIR/stderr" | tee "$BATS_TEST_TMPDIR/stdout"
  return "${PIPESTATUS[1]}"
}

up_store() { # SERVER USER SECRET
  run up store "$(creds_json "$1" "$2" "$3")"
  assert_status 0
  assert_output ''
}

@test "upstream stores; ours gets, lists and erases" {
  up_store interop1.example.com upuser upsecret
  assert_get interop1.example.com upuser upsecret
  run dh list unused
  assert_status 0
  assert_output '{"interop1.example.com":"upuser"}'
  run dh erase interop1.example.com
  assert_status 0
  assert_output ''
  run up get interop1.example.com
  assert_status 1
  assert_output "$NOT_FOUND"
  assert_eq "$(dr_count_items)" 0 items
}

@test "ours stores; upstream gets and lists" {
  h_store interop2.example.com:5000 ouruser oursecret
  h_store https://index.docker.io/v1/ hubuser hubsecret
  run up get interop2.example.com:5000
  assert_status 0
  assert_output '{"ServerURL":"interop2.example.com:5000","Username":"ouruser","Secret":"oursecret"}'
  run up get https://index.docker.io/v1/
  assert_status 0
  assert_output '{"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"hubsecret"}'
  # v0.6.4 lists item Labels: ours sets the Label to the ServerURL verbatim
  run up list unused
  assert_status 0
  assert_output '{"https://index.docker.io/v1/":"hubuser","interop2.example.com:5000":"ouruser"}'
  # and those keys round-trip into upstream's get
  local k
  for k in $(jq -r 'keys[]' <<<"$output"); do
    run up get "$k"
    assert_status 0
  done
}

@test "upstream-stored docker.io is found by our get of https://index.docker.io/v1/" {
  up_store docker.io hubu hubp
  assert_get https://index.docker.io/v1/ hubu hubp
  assert_get index.docker.io hubu hubp
  assert_get docker.io hubu hubp
}

@test "upstream-stored https://host:port is found by our get of host:port" {
  up_store https://interop5.example.com:5000 u5 p5
  assert_get interop5.example.com:5000 u5 p5
}

@test "ours replaces an upstream item for the same registry (one item, new creds everywhere)" {
  up_store interop3.example.com user1 secret1
  h_store interop3.example.com user2 secret2
  assert_eq "$(dr_count_items server interop3.example.com)" 1 "items for interop3"
  assert_get interop3.example.com user2 secret2
  run up get interop3.example.com
  assert_status 0
  assert_output '{"ServerURL":"interop3.example.com","Username":"user2","Secret":"secret2"}'
}

@test "ours replaces upstream items stored under another hub alias" {
  up_store docker.io user1 secret1
  h_store https://index.docker.io/v1/ user2 secret2
  assert_eq "$(dr_count_items)" 1 "items"
  assert_get docker.io user2 secret2
}

@test "upstream erases an item that ours stored" {
  h_store interop4.example.com u s
  run up erase interop4.example.com
  assert_status 0
  assert_output ''
  assert_not_found interop4.example.com
}

@test "special characters written by ours read back by upstream, and vice versa" {
  local sec=$'p\xc3\xa4ss "w\\rd" <>& \xf0\x9f\x98\x80'
  h_store interop6.example.com 'us€r' "$sec"
  run up get interop6.example.com
  assert_status 0
  assert_eq "$(jq -j .Secret <<<"$output")" "$sec" "Secret via upstream"
  assert_eq "$(jq -j .Username <<<"$output")" 'us€r' "Username via upstream"
  up_store interop7.example.com '<token>' "$sec"
  run dh get interop7.example.com
  assert_status 0
  assert_one_line
  assert_eq "$(jq -j .Secret <<<"$output")" "$sec" "Secret via ours"
  assert_eq "$(jq -j .Username <<<"$output")" '<token>' "Username via ours"
}
