#!/usr/bin/env bats
# One entry per registry whatever form the ServerURL takes (canonical-key contract),
# while answers echo the requested string and list returns stored strings verbatim.

load helpers

UPSTREAM=docker-credential-secretservice

setup_file() {
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

# secret-tool's own count of io.docker.Credentials items
secret_tool_count() {
  secret-tool search --all xdg:schema io.docker.Credentials 2>/dev/null | grep -c '^\[/' || true
}

upstream_store() { # SERVER USER SECRET
  jq -cn --arg s "$1" --arg u "$2" --arg p "$3" '{ServerURL:$s,Username:$u,Secret:$p}' |
    "$UPSTREAM" store
}

@test "hub: stored as https://index.docker.io/v1/, found under every hub alias" {
  h_store https://index.docker.io/v1/ hubuser hubpass
  local s
  for s in docker.io index.docker.io registry-1.docker.io https://index.docker.io/v1/ \
    https://index.docker.io/v1 https://index.docker.io HTTPS://Index.Docker.IO/v1/ \
    'https://index.docker.io/v1//'; do
    assert_get "$s" hubuser hubpass
  done
  assert_eq "$(secret_tool_count)" 1 "items"
}

@test "hub: stored as docker.io, found as https://index.docker.io/v1/" {
  h_store docker.io hubuser2 hubpass2
  assert_get https://index.docker.io/v1/ hubuser2 hubpass2
  assert_get registry-1.docker.io hubuser2 hubpass2
}

@test "host:port: scheme, case and trailing slash do not matter; port does" {
  h_store reg.example.com:5000 ru rp
  assert_get https://reg.example.com:5000/ ru rp
  assert_get HTTP://REG.example.com:5000 ru rp
  assert_get http://reg.example.com:5000 ru rp
  assert_get reg.example.com:5000/ ru rp
  assert_get REG.EXAMPLE.COM:5000 ru rp
  assert_not_found reg.example.com:5001
  assert_not_found reg.example.com
  assert_not_found https://reg.example.com
  assert_not_found other.example.com:5000
}

@test "paths stay significant: access-token is separate from the hub entry" {
  h_store https://index.docker.io/v1/ hubuser pat-secret
  h_store https://index.docker.io/v1/access-token hubuser jwt-access
  assert_eq "$(secret_tool_count)" 2 "items"
  assert_get https://index.docker.io/v1/ hubuser pat-secret
  assert_get docker.io hubuser pat-secret
  assert_get https://index.docker.io/v1/access-token hubuser jwt-access
  assert_get https://index.docker.io/v1//access-token hubuser jwt-access
  assert_get index.docker.io/v1/access-token hubuser jwt-access
  assert_not_found https://index.docker.io/v1/refresh-token
  # erasing the hub entry leaves the access token
  run dh erase docker.io
  assert_status 0
  assert_output ''
  assert_not_found https://index.docker.io/v1/
  assert_get https://index.docker.io/v1/access-token hubuser jwt-access
  assert_eq "$(secret_tool_count)" 1 "items"
}

@test "double-slash path is the same entry as the single-slash path" {
  h_store https://index.docker.io/v1//access-token u1 t1
  h_store https://index.docker.io/v1/access-token u2 t2
  assert_eq "$(secret_tool_count)" 1 "items"
  assert_get https://index.docker.io/v1//access-token u2 t2
}

@test "user1 under docker.io then user2 under https://index.docker.io/v1/ leaves one item" {
  h_store docker.io user1 secret1
  h_store https://index.docker.io/v1/ user2 secret2
  assert_eq "$(secret_tool_count)" 1 "items (secret-tool)"
  assert_eq "$(dr_count_items dokku_key docker.io)" 1 "items with dokku_key=docker.io"
  assert_get docker.io user2 secret2
  assert_get https://index.docker.io/v1/ user2 secret2
  run dh list unused
  assert_status 0
  assert_output '{"https://index.docker.io/v1/":"user2"}'
}

@test "items carry the contract attributes and Label" {
  h_store HTTPS://Reg.Example.com:5000// au as
  local p
  p=$(dr_item_paths server HTTPS://Reg.Example.com:5000//)
  [ -n "$p" ] || { echo "no item with the verbatim server attribute" >&2; return 1; }
  assert_eq "$(dr_item_attr "$p" dokku_key)" reg.example.com:5000 dokku_key
  assert_eq "$(dr_item_attr "$p" username)" au username
  assert_eq "$(dr_item_attr "$p" docker_cli)" 1 docker_cli
  assert_eq "$(dr_item_attr "$p" label)" 'Docker Credentials' label
  assert_eq "$(dr_item_attr "$p" xdg:schema)" io.docker.Credentials xdg:schema
  assert_eq "$(dr_item_label "$p")" HTTPS://Reg.Example.com:5000// Label
}

@test "list returns stored ServerURLs verbatim and every key round-trips into get" {
  h_store https://index.docker.io/v1/ hub hubs
  h_store HTTPS://Reg.Example.com:5000/ r1 s1
  h_store 'http://r2.example.com//a//b/' r2 s2
  h_store '[::1]:5000' r3 s3
  h_store 'not a url at all' r4 s4
  run dh list unused
  assert_status 0
  assert_output '{"HTTPS://Reg.Example.com:5000/":"r1","[::1]:5000":"r3","http://r2.example.com//a//b/":"r2","https://index.docker.io/v1/":"hub","not a url at all":"r4"}'
  local list=$output key user
  while IFS=$'\t' read -r key user; do
    run dh get "$key"
    assert_status 0
    assert_eq "$(jq -r .ServerURL <<<"$output")" "$key" "ServerURL for $key"
    assert_eq "$(jq -r .Username <<<"$output")" "$user" "Username for $key"
  done < <(jq -r 'to_entries[] | "\(.key)\t\(.value)"' <<<"$list")
  # path aliases of the stored path entry
  assert_get http://r2.example.com/a/b r2 s2
  assert_not_found http://r2.example.com/a
}

@test "unparsable server strings are matched verbatim" {
  h_store 'not a url at all' u s
  assert_get 'not a url at all' u s
  assert_eq "$(dr_count_items server 'not a url at all')" 1 "items"
}

@test "erase of any hub alias removes the entry and upstream-written aliases" {
  h_store https://index.docker.io/v1/ ours oursecret
  upstream_store docker.io up1 upsecret1
  upstream_store index.docker.io up2 upsecret2
  upstream_store registry-1.docker.io up3 upsecret3
  assert_eq "$(secret_tool_count)" 4 "items before erase"
  run dh erase registry-1.docker.io
  assert_status 0
  assert_output ''
  assert_eq "$(secret_tool_count)" 0 "items after erase"
  local s
  for s in docker.io index.docker.io registry-1.docker.io https://index.docker.io/v1/; do
    assert_not_found "$s"
  done
}

@test "erase of a host:port alias removes the entry and upstream-written logout forms" {
  h_store reg.example.com:5000 ours s
  upstream_store https://reg.example.com:5000 up1 s1
  upstream_store http://reg.example.com:5000 up2 s2
  upstream_store other.example.com:5000 keep keepsecret
  run dh erase HTTPS://REG.EXAMPLE.COM:5000/
  assert_status 0
  assert_output ''
  assert_eq "$(dr_count_items server reg.example.com:5000)" 0 "items reg (ours)"
  assert_eq "$(dr_count_items server https://reg.example.com:5000)" 0 "items https://reg (upstream)"
  assert_eq "$(dr_count_items server http://reg.example.com:5000)" 0 "items http://reg (upstream)"
  assert_not_found reg.example.com:5000
  assert_get other.example.com:5000 keep keepsecret
}

@test "erase of a missing entry: exit 0, empty stdout, nothing else touched" {
  h_store keep.example.com u s
  local s
  for s in missing.example.com docker.io https://index.docker.io/v1/ keep.example.com:1; do
    run dh erase "$s"
    assert_status 0
    assert_output ''
  done
  assert_get keep.example.com u s
}

@test "IPv6 literal with port" {
  h_store '[::1]:5000' v6u v6s
  assert_get '[::1]:5000' v6u v6s
  assert_get 'https://[::1]:5000/' v6u v6s
  assert_get 'http://[::1]:5000' v6u v6s
  assert_not_found '[::1]:5001'
  assert_not_found '[::1]'
  run dh erase 'https://[::1]:5000'
  assert_status 0
  assert_not_found '[::1]:5000'
}
