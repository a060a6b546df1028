#!/usr/bin/env bats
# Wire protocol conformance (Docker's credential-helper protocol, amended by the canonical-key
# contract), stdin size limits and Go-compatible JSON decoding, against the real
# helper on a private bus with a real gnome-keyring.

load helpers

setup_file() {
  e2e_env_init || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
}

teardown_file() {
  e2e_env_stop
}

teardown() {
  if [ -n "${MON_PID:-}" ]; then
    kill "$MON_PID" 2>/dev/null || true
    wait "$MON_PID" 2>/dev/null || true
    MON_PID=
  fi
}

# monitor_start FILE: eavesdrop on the private bus (its policy allows it)
monitor_start() {
  dbus-monitor --session >"$1" 2>&1 3>&- &
  MON_PID=$!
  local i
  for i in $(seq 1 50); do
    grep -q NameAcquired "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "dbus-monitor did not start" >&2
  return 1
}

monitor_stop() {
  sleep 0.2
  kill "$MON_PID" 2>/dev/null || true
  wait "$MON_PID" 2>/dev/null || true
  MON_PID=
}

# --- argv handling -------------------------------------------------

@test "1: no arguments prints usage on stdout, exit 1" {
  run dha
  assert_status 1
  assert_output "$USAGE"
}

@test "1b: too many arguments prints usage, exit 1" {
  run dha get extra
  assert_status 1
  assert_output "$USAGE"
}

@test "2: unknown action" {
  run dha bogus
  assert_status 1
  assert_output "docker-credential-dokku: unknown action: bogus"
}

@test "3: version, -v and --version" {
  local a
  for a in version -v --version; do
    run dha "$a"
    assert_status 0
    assert_one_line
    [[ $output =~ ^docker-credential-dokku\ \(dokku-registry\)\ [^[:space:]]+$ ]] || {
      echo "bad version line for $a: $output" >&2; return 1; }
  done
}

@test "3b: -h and --help print usage, exit 0" {
  local a
  for a in -h --help; do
    run dha "$a"
    assert_status 0
    assert_eq "${lines[0]}" "$USAGE" "first line of $a"
  done
}

# --- missing fields -------------------------------------------------

@test "4: empty or blank server URL on get/erase" {
  run dh get ''
  assert_status 1
  assert_output 'no credentials server URL'
  run dh erase $'  \n'
  assert_status 1
  assert_output 'no credentials server URL'
  run dh get $' \t\n '
  assert_status 1
  assert_output 'no credentials server URL'
}

@test "5: get of a missing server" {
  assert_not_found 'https://missing.example.com'
}

@test "6: store with empty ServerURL" {
  run dh store $'{"ServerURL":"","Username":"u","Secret":"s"}\n'
  assert_status 1
  assert_output 'no credentials server URL'
  assert_eq "$(dr_count_items server '')" 0 "items with an empty server"
}

@test "7: store with empty Username" {
  run dh store '{"ServerURL":"https://r7.example.com","Username":"","Secret":"s"}'
  assert_status 1
  assert_output 'no credentials username'
  assert_eq "$(dr_count_items server https://r7.example.com)" 0 "items for r7"
}

# --- round trips ----------------------------------------------------

@test "8: store then get (trailing newline of the get input is trimmed)" {
  run dh store $'{"ServerURL":"https://r.example.com","Username":"u","Secret":"s"}\n'
  assert_status 0
  assert_output ''
  run dh get $'https://r.example.com\n'
  assert_status 0
  assert_output '{"ServerURL":"https://r.example.com","Username":"u","Secret":"s"}'
  # surrounding blanks trimmed as well
  run dh get $'  https://r.example.com \n'
  assert_status 0
  assert_output '{"ServerURL":"https://r.example.com","Username":"u","Secret":"s"}'
}

@test "9: <token> username sent as \\u003ctoken\\u003e" {
  run dh store '{"ServerURL":"tok9.example.com","Username":"\u003ctoken\u003e","Secret":"refresh-token-9"}'
  assert_status 0
  assert_output ''
  run dh get tok9.example.com
  assert_status 0
  assert_one_line
  assert_eq "$(jq -r .Username <<<"$output")" '<token>' Username
  assert_eq "$(jq -r .Secret <<<"$output")" 'refresh-token-9' Secret
  # either the raw or the Go-escaped form is acceptable on the wire
  case $output in
    '{"ServerURL":"tok9.example.com","Username":"<token>","Secret":"refresh-token-9"}') ;;
    '{"ServerURL":"tok9.example.com","Username":"\u003ctoken\u003e","Secret":"refresh-token-9"}') ;;
    *) echo "unexpected get output: $output" >&2; return 1 ;;
  esac
}

@test "10: secret with quotes, backslash, slash, control chars, UTF-8, <>& round-trips" {
  local want=$'q"b\\s/n\nt\t\xc3\xa9 \xf0\x9f\x98\x80 <>&'
  run dh store '{"ServerURL":"sp10.example.com","Username":"u\u00e9","Secret":"q\"b\\s\/n\nt\té \ud83d\ude00 \u003c\u003e\u0026"}'
  assert_status 0
  assert_output ''
  run dh get sp10.example.com
  assert_status 0
  assert_one_line
  assert_eq "$(jq -j .Secret <<<"$output")" "$want" Secret
  assert_eq "$(jq -j .Username <<<"$output")" $'u\xc3\xa9' Username
  assert_eq "$(jq -j .ServerURL <<<"$output")" sp10.example.com ServerURL
  # compact object, contract key order
  [[ $output == '{"ServerURL":"sp10.example.com","Username":'* ]] || {
    echo "not compact / wrong key order: $output" >&2; return 1; }
}

# --- list, replace, erase ------------------------------------------

@test "11: list returns exactly the stored ServerURLs (sorted), {} when empty" {
  dr_keyring_clear
  run dh list unused
  assert_status 0
  assert_output '{}'
  h_store https://r.example.com u s
  h_store reg2.example.com:5000 u2 s2
  h_store a-first.example.com u3 s3
  run dh list unused
  assert_status 0
  assert_output '{"a-first.example.com":"u3","https://r.example.com":"u","reg2.example.com:5000":"u2"}'
  # stdin is ignored
  run dh list ''
  assert_status 0
  assert_output '{"a-first.example.com":"u3","https://r.example.com":"u","reg2.example.com:5000":"u2"}'
}

@test "12: storing the same URL again replaces the entry" {
  h_store https://r12.example.com user1 secret1
  h_store https://r12.example.com user2 secret2
  assert_get https://r12.example.com user2 secret2
  assert_eq "$(dr_count_items server https://r12.example.com)" 1 "items for r12"
  run dh list unused
  assert_status 0
  local n
  n=$(grep -o '"https://r12.example.com":' "$BATS_TEST_TMPDIR/stdout" | wc -l)
  assert_eq "$n" 1 "list entries for r12"
  assert_eq "$(jq -r '."https://r12.example.com"' <<<"$output")" user2 "listed user"
}

@test "13: erase then get" {
  h_store https://r13.example.com u s
  run dh erase https://r13.example.com
  assert_status 0
  assert_output ''
  assert_not_found https://r13.example.com
  assert_eq "$(dr_count_items server https://r13.example.com)" 0 "items for r13"
}

@test "14: erase of a missing entry exits 0 with empty stdout" {
  run dh erase https://never-stored-14.example.com
  assert_status 0
  assert_output ''
}

# --- ServerURL shapes ---------------------------------------------------

@test "15: ServerURL shapes are stored and retrieved verbatim, one entry per canonical key" {
  dr_keyring_clear
  h_store docker.io hubuser hubsecret
  h_store https://index.docker.io/v1/access-token hubuser jwt-access
  h_store reg:5000 u3 s3
  h_store '[::1]:5000' u4 s4
  h_store http://reg u5 s5
  assert_get docker.io hubuser hubsecret
  assert_get https://index.docker.io/v1/ hubuser hubsecret
  assert_get https://index.docker.io/v1/access-token hubuser jwt-access
  assert_get https://index.docker.io/v1//access-token hubuser jwt-access
  assert_get reg:5000 u3 s3
  assert_get '[::1]:5000' u4 s4
  assert_get http://reg u5 s5
  assert_eq "$(dr_count_items)" 5 "total items"
  run dh list unused
  assert_status 0
  assert_output '{"[::1]:5000":"u4","docker.io":"hubuser","http://reg":"u5","https://index.docker.io/v1/access-token":"hubuser","reg:5000":"u3"}'
}

@test "15b: the double-slash access-token form is the same entry as the single-slash one" {
  h_store https://index.docker.io/v1//access-token hubuser jwt-2
  assert_get https://index.docker.io/v1/access-token hubuser jwt-2
  assert_eq "$(dr_count_items dokku_key docker.io/v1/access-token)" 1 "access-token items"
}

# --- a 60 KB secret and the stdin cap ---------------------------------------------------

@test "16: 60 KB secret round-trips" {
  local sec
  sec=$(head -c 45000 /dev/urandom | base64 -w0 | head -c 61440)
  run dh store "{\"ServerURL\":\"big16.example.com\",\"Username\":\"u\",\"Secret\":\"$sec\"}"
  assert_status 0
  assert_output ''
  run dh get big16.example.com
  assert_status 0
  assert_output "{\"ServerURL\":\"big16.example.com\",\"Username\":\"u\",\"Secret\":\"$sec\"}"
}

@test "16b: 1 MiB secret round-trips" {
  local f=$BATS_TEST_TMPDIR/in.json sec=$BATS_TEST_TMPDIR/sec
  head -c 800000 /dev/urandom | base64 -w0 | head -c 1048576 >"$sec"
  { printf '{"ServerURL":"big1m.example.com","Username":"u","Secret":"'; cat "$sec"; printf '"}\n'; } >"$f"
  run dhf store "$f"
  assert_status 0
  assert_output ''
  run dh get big1m.example.com
  assert_status 0
  assert_one_line
  local got
  got=$(jq -j .Secret "$BATS_TEST_TMPDIR/stdout")
  assert_eq "${#got}" 1048576 "secret length"
  [ "$got" = "$(cat "$sec")" ] || { echo "1 MiB secret differs" >&2; return 1; }
}

@test "16c: input over 16 MiB is rejected with one 'too large' line, exit 1" {
  local f=$BATS_TEST_TMPDIR/huge.json
  { printf '{"ServerURL":"huge.example.com","Username":"u","Secret":"'
    head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' a
    printf '"}\n'; } >"$f"
  run dhf store "$f"
  assert_fail_line 'too large'
  assert_eq "$(dr_count_items server huge.example.com)" 0 "items for huge"
  head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' b >"$f"
  run dhf get "$f"
  assert_fail_line 'too large'
}

# --- Go-style JSON decoding -----------------------------------------------------

@test "json: field names match case-insensitively" {
  run dh store '{"serverurl":"ci.example.com","USERNAME":"ciuser","sEcReT":"cisecret"}'
  assert_status 0
  assert_output ''
  assert_get ci.example.com ciuser cisecret
}

@test "json: unknown fields are ignored" {
  run dh store '{"Email":"x@example.com","ServerURL":"unk.example.com","Extra":{"a":[1,2.5e3,{"b":null}],"c":"}"},"Username":"uu","Flag":true,"Secret":"ss","Z":[]}'
  assert_status 0
  assert_output ''
  assert_get unk.example.com uu ss
}

@test "json: a repeated key, the last one wins" {
  run dh store '{"ServerURL":"dup.example.com","Username":"first","Secret":"s","Username":"second"}'
  assert_status 0
  assert_get dup.example.com second s
}

@test "json: null Username gives 'no credentials username'" {
  run dh store '{"ServerURL":"null.example.com","Username":null,"Secret":"s"}'
  assert_status 1
  assert_output 'no credentials username'
  run dh store '{"ServerURL":null,"Username":"u","Secret":"s"}'
  assert_status 1
  assert_output 'no credentials server URL'
}

@test "json: trailing garbage after the object is ignored" {
  run dh store $'{"ServerURL":"trail.example.com","Username":"tu","Secret":"ts"} garbage {{{ ]\n'
  assert_status 0
  assert_output ''
  assert_get trail.example.com tu ts
}

@test "json: surrogate pair escape decodes to one code point" {
  run dh store '{"ServerURL":"emoji.example.com","Username":"eu","Secret":"\ud83d\ude00"}'
  assert_status 0
  run dh get emoji.example.com
  assert_status 0
  assert_one_line
  assert_eq "$(jq -j .Secret <<<"$output")" $'\xf0\x9f\x98\x80' Secret
}

@test "json: empty stdin on store gives EOF" {
  run dh store ''
  assert_status 1
  assert_output 'EOF'
}

@test "json: truncated JSON gives 'unexpected EOF'" {
  run dh store '{"ServerURL":"trunc.example.com","Usern'
  assert_status 1
  assert_output 'unexpected EOF'
  run dh store '{"ServerURL":"trunc.example.com"'
  assert_status 1
  assert_output 'unexpected EOF'
  assert_eq "$(dr_count_items server trunc.example.com)" 0 "items for trunc"
}

@test "json: a number for Username is a type error" {
  run dh store '{"ServerURL":"num.example.com","Username":42,"Secret":"s"}'
  assert_fail_line 'cannot unmarshal number'
  assert_eq "$(dr_count_items server num.example.com)" 0 "items for num"
}

# --- transport -----------------------------------------------------------------

@test "TRANSPORT=dh: encrypted session round-trips and interoperates with plain" {
  local want=$'dh "s\\e" \xc3\xa9\xf0\x9f\x98\x80 <>&\ttab'
  h_store dh.example.com dhuser "$want" DOCKER_CREDENTIAL_DOKKU_TRANSPORT=dh
  run dh DOCKER_CREDENTIAL_DOKKU_TRANSPORT=dh get dh.example.com
  assert_status 0
  assert_one_line
  assert_eq "$(jq -j .Secret <<<"$output")" "$want" "Secret (dh)"
  run dh DOCKER_CREDENTIAL_DOKKU_TRANSPORT=plain get dh.example.com
  assert_status 0
  assert_eq "$(jq -j .Secret <<<"$output")" "$want" "Secret (plain)"
  h_store dh2.example.com u2 "plain-$want" DOCKER_CREDENTIAL_DOKKU_TRANSPORT=plain
  run dh DOCKER_CREDENTIAL_DOKKU_TRANSPORT=dh get dh2.example.com
  assert_status 0
  assert_eq "$(jq -j .Secret <<<"$output")" "plain-$want" "Secret (plain store, dh get)"
}

@test "TRANSPORT=dh: the secret never crosses the bus in clear (dbus-monitor)" {
  local mon=$BATS_TEST_TMPDIR/monitor.txt
  monitor_start "$mon"
  h_store mon-plain.example.com u CLEARMARKER-4711 DOCKER_CREDENTIAL_DOKKU_TRANSPORT=plain
  h_store mon-dh.example.com u SECRETMARKER-0815 DOCKER_CREDENTIAL_DOKKU_TRANSPORT=dh
  run dh DOCKER_CREDENTIAL_DOKKU_TRANSPORT=dh get mon-dh.example.com
  assert_status 0
  assert_output '{"ServerURL":"mon-dh.example.com","Username":"u","Secret":"SECRETMARKER-0815"}'
  monitor_stop
  # the monitor does see secrets in clear on the plain transport...
  grep -q 'CLEARMARKER-4711' "$mon" || { echo "monitor saw no plain secret" >&2; return 1; }
  # ...but not on the dh transport, which negotiated an encrypted session
  grep -q 'dh-ietf1024-sha256-aes128-cbc-pkcs7' "$mon" || { echo "no dh session opened" >&2; return 1; }
  if grep -q 'SECRETMARKER-0815' "$mon"; then
    echo "dh secret visible on the bus:" >&2
    grep -n -B3 'SECRETMARKER-0815' "$mon" | head -20 >&2
    return 1
  fi
}
