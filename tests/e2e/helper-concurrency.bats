#!/usr/bin/env bats
# 32 helper processes at once against one real keyring: no duplicates, no torn
# username/secret pairs, no lost items.

load helpers

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

# bg_helper ID ACTION INPUT: run in the background, results in $W/ID.{out,err,rc};
# the pid is appended to PIDS. (set +e: bats' errexit must not kill the subshell
# before it records a non-zero status.)
bg_helper() {
  local id=$1 action=$2 input=$3
  ( set +e
    printf '%s' "$input" | "$H" "$action" >"$W/$id.out" 2>"$W/$id.err"
    echo $? >"$W/$id.rc" ) &
  PIDS+=($!)
}

wait_all() {
  local p
  for p in "${PIDS[@]}"; do wait "$p" || true; done
}

@test "32 concurrent store/get/erase processes" {
  W=$BATS_TEST_TMPDIR/jobs PIDS=()
  mkdir -p "$W"
  # pre-existing entries: two to be erased, one only read
  h_store erase1.example.com eu1 es1
  h_store erase2.example.com eu2 es2
  h_store keep.example.com ku ks

  local i n=0 srv
  # 14 stores to distinct servers
  for i in $(seq -w 1 14); do
    bg_helper "d$i" store "$(creds_json "d$i.example.com" "user-d$i" "secret-d$i")"
    n=$((n + 1))
  done
  # 8 stores to one identical server, each with its own user/secret pair
  for i in 1 2 3 4 5 6 7 8; do
    bg_helper "same$i" store "$(creds_json same.example.com:5000 "user$i" "secret$i")"
    n=$((n + 1))
  done
  # 4 erases: two per server
  bg_helper e1a erase erase1.example.com
  bg_helper e1b erase erase1.example.com
  bg_helper e2a erase erase2.example.com
  bg_helper e2b erase erase2.example.com
  n=$((n + 4))
  # 6 gets of an entry nobody writes
  for i in 1 2 3 4 5 6; do
    bg_helper "get$i" get keep.example.com
    n=$((n + 1))
  done
  assert_eq "$n" 32 "process count"
  assert_eq "${#PIDS[@]}" 32 "background pids"
  wait_all
  assert_eq "$(ls "$W"/*.rc | wc -l)" 32 "finished processes"

  # every process succeeded with the exact expected stdout
  local f id
  for f in "$W"/*.rc; do
    id=$(basename "$f" .rc)
    assert_eq "$(cat "$f")" 0 "exit status of $id ($(cat "$W/$id.out" "$W/$id.err"))"
  done
  for i in $(seq -w 1 14); do
    assert_eq "$(cat "$W/d$i.out")" '' "stdout of store d$i"
  done
  for id in e1a e1b e2a e2b; do
    assert_eq "$(cat "$W/$id.out")" '' "stdout of $id"
  done
  for i in 1 2 3 4 5 6; do
    assert_eq "$(cat "$W/get$i.out")" '{"ServerURL":"keep.example.com","Username":"ku","Secret":"ks"}' "get$i"
  done

  # distinct servers: exactly one item each, with its own creds
  for i in $(seq -w 1 14); do
    srv=d$i.example.com
    assert_eq "$(dr_count_items server "$srv")" 1 "items for $srv"
    assert_eq "$(dr_count_items dokku_key "$srv")" 1 "items with dokku_key $srv"
    assert_get "$srv" "user-d$i" "secret-d$i"
  done

  # identical server: exactly one item, and a consistent user/secret pair
  assert_eq "$(dr_count_items server same.example.com:5000)" 1 "items for same.example.com:5000"
  run dh get same.example.com:5000
  assert_status 0
  assert_one_line
  jq -e . <<<"$output" >/dev/null || { echo "invalid JSON: $output" >&2; return 1; }
  local u s
  u=$(jq -r .Username <<<"$output")
  s=$(jq -r .Secret <<<"$output")
  [[ $u =~ ^user([1-8])$ ]] || { echo "unexpected username $u" >&2; return 1; }
  assert_eq "$s" "secret${BASH_REMATCH[1]}" "secret paired with $u"
  local p
  p=$(dr_item_paths server same.example.com:5000)
  assert_eq "$(dr_item_attr "$p" username)" "$u" "username attribute"

  # erased entries are gone, the read-only one is intact
  assert_not_found erase1.example.com
  assert_not_found erase2.example.com
  assert_eq "$(dr_count_items server erase1.example.com)" 0 "items for erase1"
  assert_eq "$(dr_count_items server erase2.example.com)" 0 "items for erase2"
  assert_get keep.example.com ku ks

  # totals: 14 distinct + 1 same + 1 keep
  assert_eq "$(dr_count_items)" 16 "total items"
  run dh list unused
  assert_status 0
  assert_eq "$(jq -r 'keys | length' <<<"$output")" 16 "listed keys"
}

@test "concurrent stores of one registry under different alias forms leave one item" {
  W=$BATS_TEST_TMPDIR/jobs PIDS=()
  mkdir -p "$W"
  local forms=(docker.io https://index.docker.io/v1/ index.docker.io registry-1.docker.io
    docker.io https://index.docker.io/v1/ index.docker.io registry-1.docker.io)
  local i
  for i in "${!forms[@]}"; do
    bg_helper "a$i" store "$(creds_json "${forms[$i]}" "hub$i" "hubsecret$i")"
  done
  # readers racing the writers must never see a torn or invalid answer
  for i in $(seq 1 8); do
    bg_helper "r$i" get docker.io
  done
  wait_all
  assert_eq "$(ls "$W"/*.rc | wc -l)" 16 "finished processes"
  for i in "${!forms[@]}"; do
    assert_eq "$(cat "$W/a$i.rc")" 0 "store a$i ($(cat "$W/a$i.out"))"
  done
  local out rc
  for i in $(seq 1 8); do
    rc=$(cat "$W/r$i.rc")
    out=$(cat "$W/r$i.out")
    if [ "$rc" = 0 ]; then
      jq -e . <<<"$out" >/dev/null || { echo "reader r$i: invalid JSON $out" >&2; return 1; }
      [[ $(jq -r .Username <<<"$out") =~ ^hub([0-7])$ ]] || { echo "reader r$i: $out" >&2; return 1; }
      assert_eq "$(jq -r .Secret <<<"$out")" "hubsecret${BASH_REMATCH[1]}" "reader r$i pair"
    else
      assert_eq "$out" "$NOT_FOUND" "reader r$i failure"
    fi
  done
  assert_eq "$(dr_count_items)" 1 "items"
  assert_eq "$(dr_count_items dokku_key docker.io)" 1 "items with dokku_key docker.io"
  run dh get https://index.docker.io/v1/
  assert_status 0
  [[ $(jq -r .Username <<<"$output") =~ ^hub([0-7])$ ]]
  assert_eq "$(jq -r .Secret <<<"$output")" "hubsecret${BASH_REMATCH[1]}" "final pair"
}
