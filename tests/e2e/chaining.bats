#!/usr/bin/env bats
# Chaining other credential helpers (README "Chaining other helpers"):
# docker-credential-dokku hands
# registries whose host matches a pattern of its config's "helpers" to
# docker-credential-<name>, and dokku-registry helpers:set/unset/report manage
# that map.
#
# Real helpers: Debian's docker-credential-pass (with a GnuPG key and password
# store made at test time, tests/lib/gpg-pass.sh) and docker-credential-secretservice
# on the same private gnome-keyring, the docker CLI and skopeo against a local
# docker-registry. The only stand-ins are the cloud helpers (ECR, GCR, gcloud,
# ACR), which cannot work without a cloud account: a script answering what the
# real ones answer, logging each call.

load helpers
# shellcheck source=../lib/gpg-pass.sh
source "$BATS_TEST_DIRNAME/../lib/gpg-pass.sh"

ECR_HOST=123456789012.dkr.ecr.us-east-1.amazonaws.com
ECR_PATTERN='*.dkr.ecr.*.amazonaws.com'

# The cloud helper stand-in, installed as docker-credential-{ecr-login,gcr,gcloud,acr-env}.
# Knobs (environment): STANDIN_LOG (one line per call: name action input),
# STANDIN_PIDFILE (its pid and its children's), STANDIN_STDERR (printed on
# stderr), STANDIN_SLEEP (a child process sleeps this long first, as a helper
# waiting on the network would), STANDIN_HUGE (2 MiB on stdout), STANDIN_FAIL.
write_standin() {
  cat >"$1" <<'EOF'
#!/bin/bash
name=${0##*/docker-credential-}
action=${1-}
input=
case $action in get|store|erase) input=$(cat) ;; esac
[ -n "${STANDIN_LOG:-}" ] &&
  printf '%s %s %s\n' "$name" "$action" "$(printf %s "$input" | head -c 300 | tr '\n' ' ')" >>"$STANDIN_LOG"
[ -n "${STANDIN_PIDFILE:-}" ] && echo "$$" >>"$STANDIN_PIDFILE"
[ -n "${STANDIN_STDERR:-}" ] && printf '%s\n' "$STANDIN_STDERR" >&2
if [ -n "${STANDIN_SLEEP:-}" ]; then
  sleep "$STANDIN_SLEEP" &
  [ -n "${STANDIN_PIDFILE:-}" ] && echo "$!" >>"$STANDIN_PIDFILE"
  wait "$!"
fi
if [ -n "${STANDIN_HUGE:-}" ]; then head -c 2097152 /dev/zero | tr '\0' a; exit 0; fi
url=$(printf %s "$input" | tr -d '\r\n')
host=${url#*://}; host=${host%%/*}
case $name in
ecr-login) # amazon-ecr-credential-helper without AWS credentials, token cached
  case $action in
    get)
      if [[ $host =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$ ]]; then
        printf '{"Username":"AWS","Secret":"tok"}\n'; exit 0
      fi
      echo 'credentials not found in native keychain'; exit 1 ;;
    store|erase)
      [ "${AWS_ECR_IGNORE_CREDS_STORAGE:-}" = true ] && exit 0
      echo 'not implemented'; exit 1 ;;
    list) printf '{"https://123456789012.dkr.ecr.us-east-1.amazonaws.com":"AWS"}\n' ;;
    *) echo 'unknown action'; exit 1 ;;
  esac ;;
gcr) # docker-credential-gcr: get ignores the server URL
  case $action in
    get)
      if [ -n "${STANDIN_FAIL:-}" ]; then
        echo "docker-credential-gcr/helper: could not retrieve GCR's access token: no token source"
        exit 1
      fi
      printf '{"ServerURL":"%s","Username":"_dcgcr_2_1_x_token","Secret":"gcr-tok"}\n' "$url" ;;
    store) echo 'add is unimplemented'; exit 1 ;;
    erase) echo 'delete is unimplemented'; exit 1 ;;
    list) echo 'list is unimplemented'; exit 1 ;;
    *) echo 'unknown action'; exit 1 ;;
  esac ;;
gcloud|acr-env)
  user=oauth2accesstoken
  [ "$name" = acr-env ] && user=00000000-0000-0000-0000-000000000000
  case $action in
    get) printf '{"Secret":"%s-tok","Username":"%s"}\n' "$name" "$user" ;;
    list) printf '{}\n' ;;
    *) echo 'not implemented'; exit 1 ;;
  esac ;;
esac
EOF
  chmod 0755 "$1"
}

setup_file() {
  e2e_env_init || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
  dr_gpg_init "$DR_E2E_DIR" || return 1
  STANDIN_BIN="$DR_E2E_DIR/standin-bin"
  mkdir -p "$STANDIN_BIN"
  write_standin "$STANDIN_BIN/standin" || return 1
  local n
  for n in ecr-login gcr gcloud acr-env; do
    ln -s standin "$STANDIN_BIN/docker-credential-$n" || return 1
  done
  # right after build/: the stand-ins win over any real cloud helper installed here
  export PATH="$DR_BUILD_DIR:$STANDIN_BIN:${PATH#"$DR_BUILD_DIR":}"
  export STANDIN_BIN
  REG_USER=chain-user
  REG_PASS="pw-$RANDOM$RANDOM-chain"
  export REG_USER REG_PASS
  dr_registry_start "$REG_USER" "$REG_PASS" || return 1
}

teardown_file() {
  dr_gpg_stop
  e2e_env_stop
}

# Every test: its own HOME, XDG config, docker config, Dokku roots and password
# store; an empty keyring.
setup() {
  local t=$BATS_TEST_TMPDIR
  export HOME="$t/home" XDG_CONFIG_HOME="$t/config" DOCKER_CONFIG="$t/docker"
  export DOKKU_ROOT="$t/dokku-root" DOKKU_LIB_ROOT="$t/dokku-lib"
  mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$DOCKER_CONFIG" "$DOKKU_ROOT" "$DOKKU_LIB_ROOT/config/registry"
  chmod 0700 "$HOME" "$DOCKER_CONFIG"
  unset DOCKER_CREDENTIAL_DOKKU_CONFIG
  CFG="$XDG_CONFIG_HOME/docker-credential-dokku/config.json"
  export STANDIN_LOG="$t/standin.log" STANDIN_PIDFILE="$t/standin.pids"
  : >"$STANDIN_LOG"
  dr_pass_init "$t/pass-store" || return 1
  dr_keyring_clear || return 1
}

# whatever a stand-in left running (see the chain_timeout tests)
teardown() {
  local pid
  [ -f "${STANDIN_PIDFILE:-}" ] || return 0
  while read -r pid; do
    _dr_kill "$pid" sleep
    _dr_kill "$pid" docker-credential-
  done <"$STANDIN_PIDFILE"
}

cfg_write() { mkdir -p "$(dirname "$CFG")" && printf '%s\n' "$1" >"$CFG"; }

stderr_has() {
  grep -qF -- "$1" "$BATS_TEST_TMPDIR/stderr" || {
    printf 'expected stderr to contain %q\n  stderr: %s\n' "$1" "$(cat "$BATS_TEST_TMPDIR/stderr")" >&2
    return 1
  }
}

calls() { cat "$STANDIN_LOG"; }

pass_store() { # SERVER USER SECRET: straight into pass, not through our helper
  creds_json "$1" "$2" "$3" | docker-credential-pass store
}

# ---------------------------------------------------------------------------
# helpers:set / helpers:unset / helpers:report

@test "helpers:set creates the user config (mode 0600) and helpers:report shows it" {
  [ ! -e "$CFG" ]
  run dokku-registry helpers:set "$ECR_PATTERN" ecr-login
  assert_status 0
  run dokku-registry helpers:set pass.example.com pass
  assert_status 0
  run dokku-registry helpers:set 'gcr.io' nosuch-helper
  assert_status 0
  assert_eq "$(stat -c %a "$CFG")" 600 "config file mode"
  assert_eq "$(jq -cS .helpers "$CFG")" \
    "$(jq -cnS --arg p "$ECR_PATTERN" '{($p):"ecr-login","pass.example.com":"pass","gcr.io":"nosuch-helper"}')" helpers
  run dokku-registry helpers:report
  assert_status 0
  assert_contains "$CFG"
  [[ $output =~ pass\.example\.com\ +pass\ +installed ]] || { echo "report: $output" >&2; return 1; }
  [[ $output =~ gcr\.io\ +nosuch-helper\ +NOT\ ON\ PATH ]] || { echo "report: $output" >&2; return 1; }
  [[ $output == *"$ECR_PATTERN"*ecr-login*installed* ]] || { echo "report: $output" >&2; return 1; }
}

@test "helpers:set and helpers:unset keep every other key of the user config" {
  cfg_write '{"collection":"default","timeout":4,"chain_timeout":7,"unavailable":"not-found","helpers":{"gcr.io":"gcr"},"x-other":[1,2]}'
  chmod 0600 "$CFG"
  run dokku-registry helpers:set '*-docker.pkg.dev' gcloud
  assert_status 0
  assert_eq "$(jq -c 'del(.helpers)' "$CFG")" \
    '{"collection":"default","timeout":4,"chain_timeout":7,"unavailable":"not-found","x-other":[1,2]}' "other keys"
  assert_eq "$(jq -cS .helpers "$CFG")" '{"*-docker.pkg.dev":"gcloud","gcr.io":"gcr"}' helpers
  # replacing a pattern's helper
  run dokku-registry helpers:set gcr.io gcloud
  assert_status 0
  assert_eq "$(jq -r '.helpers["gcr.io"]' "$CFG")" gcloud "gcr.io helper"
  run dokku-registry helpers:unset gcr.io
  assert_status 0
  assert_eq "$(jq -cS .helpers "$CFG")" '{"*-docker.pkg.dev":"gcloud"}' "helpers after unset"
  assert_eq "$(jq -c 'del(.helpers)' "$CFG")" \
    '{"collection":"default","timeout":4,"chain_timeout":7,"unavailable":"not-found","x-other":[1,2]}' "other keys after unset"
  assert_eq "$(stat -c %a "$CFG")" 600 "config file mode"
  # the helper still reads the file
  run dh get us-docker.pkg.dev
  assert_status 0
  assert_output '{"Secret":"gcloud-tok","Username":"oauth2accesstoken"}'
}

@test "helpers:set and helpers:unset reject invalid patterns and helper names (exit 1, file untouched)" {
  cfg_write '{"helpers":{"gcr.io":"gcr"}}'
  local before after p n
  before=$(sha256sum "$CFG")
  # shellcheck disable=SC2016  # literal $(...): must be refused, never run
  for p in 'Gcr.io' 'a b.example.com' 'https://gcr.io' 'gcr.io/v2' '' 'x.io;rm -rf' 'x.io$(id)' 'ü.example.com'; do
    run dokku-registry helpers:set "$p" gcr
    [ "$status" -eq 1 ] || { echo "pattern $(printf %q "$p") accepted (exit $status): $output" >&2; return 1; }
    run dokku-registry helpers:unset "$p"
    [ "$status" -eq 1 ] || { echo "unset of pattern $(printf %q "$p") accepted (exit $status)" >&2; return 1; }
  done
  # shellcheck disable=SC2016
  for n in '../../bin/sh' '/usr/bin/env' 'a b' 'x;id' '$(id)' ''; do
    run dokku-registry helpers:set ok.example.com "$n"
    [ "$status" -eq 1 ] || { echo "helper name $(printf %q "$n") accepted (exit $status): $output" >&2; return 1; }
  done
  run dokku-registry helpers:set ok.example.com
  assert_status 1
  after=$(sha256sum "$CFG")
  assert_eq "$after" "$before" "config file"
}

@test "an invalid pattern written into the config by hand: the helper names the file and the pattern" {
  cfg_write '{"helpers":{"Registry.Example.com":"gcr"}}'
  run dh get registry.example.com
  assert_fail_line "$CFG"
  assert_contains 'Registry.Example.com'
  cfg_write '{"helpers":{"registry.example.com":"../../bin/sh"}}'
  run dh get registry.example.com
  assert_fail_line "$CFG"
  assert_contains '../../bin/sh'
  [ ! -s "$STANDIN_LOG" ]
}

# ---------------------------------------------------------------------------
# config layers

@test "DOCKER_CREDENTIAL_DOKKU_CONFIG names the file read instead of the user file" {
  cfg_write '{"helpers":{"*.example.com":"gcr"}}'
  local explicit="$BATS_TEST_TMPDIR/explicit.json"
  printf '{"helpers":{"*.example.com":"gcloud"}}\n' >"$explicit"
  run dh get b.example.com
  assert_status 0
  assert_output '{"ServerURL":"b.example.com","Username":"_dcgcr_2_1_x_token","Secret":"gcr-tok"}'
  run dh DOCKER_CREDENTIAL_DOKKU_CONFIG="$explicit" get b.example.com
  assert_status 0
  assert_output '{"Secret":"gcloud-tok","Username":"oauth2accesstoken"}'
  # a file without helpers: the user file's patterns are not read at all
  printf '{"timeout":3}\n' >"$explicit"
  : >"$STANDIN_LOG"
  run dh DOCKER_CREDENTIAL_DOKKU_CONFIG="$explicit" get b.example.com
  assert_status 1
  assert_output "$NOT_FOUND"
  [ ! -s "$STANDIN_LOG" ] || { echo "a chained helper ran: $(calls)" >&2; return 1; }
  # helpers:set edits the named file then, not the user file
  run env DOCKER_CREDENTIAL_DOKKU_CONFIG="$explicit" dokku-registry helpers:set gcr.io gcr
  assert_status 0
  assert_eq "$(jq -c . "$explicit")" '{"timeout":3,"helpers":{"gcr.io":"gcr"}}' "named file"
  assert_eq "$(jq -c . "$CFG")" '{"helpers":{"*.example.com":"gcr"}}' "user file"
}

@test "without XDG_CONFIG_HOME the user file is ~/.config/docker-credential-dokku/config.json" {
  unset XDG_CONFIG_HOME
  run dokku-registry helpers:set '*.example.com' gcloud
  assert_status 0
  [ -f "$HOME/.config/docker-credential-dokku/config.json" ]
  assert_eq "$(stat -c %a "$HOME/.config/docker-credential-dokku/config.json")" 600 mode
  run dh get b.example.com
  assert_status 0
  assert_output '{"Secret":"gcloud-tok","Username":"oauth2accesstoken"}'
}

# ---------------------------------------------------------------------------
# Debian's docker-credential-pass (real pass + gpg)

@test "pass: store through our helper lands in pass, not in the keyring" {
  run dokku-registry helpers:set pass.example.com pass
  assert_status 0
  local secret='p"a\ss wörd/+=:{}'
  run dh store "$(creds_json pass.example.com pu "$secret")"
  assert_status 0
  assert_output ''
  dr_pass_has pass.example.com pu
  run pass ls docker-credential-helpers
  assert_status 0
  assert_contains "$(_dr_pass_dir pass.example.com)"
  run docker-credential-pass get <<<"pass.example.com"
  assert_status 0
  assert_eq "$(jq -cS . <<<"$output")" "$(creds_json pass.example.com pu "$secret" | jq -cS .)" "pass get"
  assert_eq "$(dr_count_items)" 0 "keyring items"
  # the secret is in no plain file
  run grep -r -l -F -- "$secret" "$HOME" "$XDG_CONFIG_HOME" "$DOCKER_CONFIG" "$PASSWORD_STORE_DIR"
  assert_status 1
}

@test "pass: get through our helper returns what pass holds" {
  run pass_store pass.example.com pass-user from-pass
  assert_status 0
  # the same registry in the keyring, stored while no pattern matched it
  h_store pass.example.com keyring-user from-keyring
  run dokku-registry helpers:set pass.example.com pass
  assert_status 0
  assert_get pass.example.com pass-user from-pass
  # unmapped, the keyring's entry is used again
  run dokku-registry helpers:unset pass.example.com
  assert_status 0
  assert_get pass.example.com keyring-user from-keyring
}

@test "pass: erase through our helper removes the pass entry" {
  run dokku-registry helpers:set pass.example.com pass
  assert_status 0
  run dh store "$(creds_json pass.example.com pu ps)"
  assert_status 0
  dr_pass_has pass.example.com pu
  run dh erase pass.example.com
  assert_status 0
  assert_output ''
  if dr_pass_has pass.example.com; then echo "pass still has the entry" >&2; return 1; fi
  run docker-credential-pass list
  assert_status 0
  assert_eq "$(jq -c . <<<"$output")" '{}' "pass list"
}

@test "pass: list merges the keyring, pass and the other chained helpers" {
  run dokku-registry helpers:set pass.example.com pass
  run dokku-registry helpers:set "$ECR_PATTERN" ecr-login
  run dh store "$(creds_json pass.example.com pu ps)"
  assert_status 0
  h_store k.other.org ku ks
  run dh list
  assert_status 0
  assert_output '{"https://123456789012.dkr.ecr.us-east-1.amazonaws.com":"AWS","k.other.org":"ku","pass.example.com":"pu"}'
  # the keyring holds only its own entry
  assert_eq "$(dr_count_items)" 1 "keyring items"
}

@test "secretservice: chained for another pattern, on the same keyring, next to pass" {
  cfg_write '{"helpers":{"pass.example.com":"pass","*.ss.example.com":"secretservice"}}'
  run dh store "$(creds_json r.ss.example.com su ss-secret)"
  assert_status 0
  assert_output ''
  run dh store "$(creds_json pass.example.com pu ps)"
  assert_status 0
  # written by upstream's helper: its item, without our dokku_key attribute
  assert_eq "$(dr_count_items server r.ss.example.com)" 1 "items for r.ss.example.com"
  assert_eq "$(dr_count_items dokku_key r.ss.example.com)" 0 "items with our dokku_key"
  run docker-credential-secretservice get <<<"r.ss.example.com"
  assert_status 0
  assert_eq "$(jq -cS . <<<"$output")" "$(creds_json r.ss.example.com su ss-secret | jq -cS .)" "secretservice get"
  dr_pass_has pass.example.com pu
  run dh get r.ss.example.com
  assert_status 0
  assert_eq "$(jq -cS . <<<"$output")" "$(creds_json r.ss.example.com su ss-secret | jq -cS .)" "get"
  # listed once, although both the keyring and secretservice know it
  run dh list
  assert_status 0
  assert_output '{"pass.example.com":"pu","r.ss.example.com":"su"}'
  run dh erase r.ss.example.com
  assert_status 0
  assert_eq "$(dr_count_items server r.ss.example.com)" 0 "items after erase"
  dr_pass_has pass.example.com pu
}

# ---------------------------------------------------------------------------
# cloud helpers (stand-ins for ECR and GCR)

@test "ECR: get relays the chained helper's answer byte for byte and passes its stderr through" {
  run dokku-registry helpers:set "$ECR_PATTERN" ecr-login
  assert_status 0
  run dh STANDIN_STDERR='ecr-login: using cached token' get "$ECR_HOST"
  assert_status 0
  assert_output '{"Username":"AWS","Secret":"tok"}'
  stderr_has 'ecr-login: using cached token'
  assert_eq "$(calls)" "ecr-login get $ECR_HOST" "calls"
  # the URL forms docker and people use reach the helper as they were sent
  : >"$STANDIN_LOG"
  run dh get "https://$ECR_HOST/v2/"
  assert_status 0
  assert_output '{"Username":"AWS","Secret":"tok"}'
  assert_eq "$(calls)" "ecr-login get https://$ECR_HOST/v2/" "calls"
  assert_eq "$(dr_count_items)" 0 "keyring items"
}

@test "ECR: the chained helper's not-found stays byte-exact" {
  run dokku-registry helpers:set "$ECR_PATTERN" ecr-login
  # matches the pattern, but no 12-digit account: ECR answers not-found
  run dh get public.dkr.ecr.us-east-1.amazonaws.com
  assert_status 1
  assert_output "$NOT_FOUND"
  assert_eq "$(calls)" "ecr-login get public.dkr.ecr.us-east-1.amazonaws.com" "calls"
}

@test "ECR and GCR: store and erase are refused with one line naming the helper and its answer" {
  cfg_write "$(jq -cn --arg p "$ECR_PATTERN" '{helpers:{($p):"ecr-login","gcr.io":"gcr"}}')"
  run dh store "$(creds_json "$ECR_HOST" AWS tok)"
  assert_fail_line ''
  assert_output "docker-credential-ecr-login cannot store credentials for $ECR_HOST: not implemented"
  run dh erase "$ECR_HOST"
  assert_fail_line ''
  assert_output "docker-credential-ecr-login cannot erase credentials for $ECR_HOST: not implemented"
  run dh store "$(creds_json gcr.io oauth2accesstoken x)"
  assert_fail_line ''
  assert_output "docker-credential-gcr cannot store credentials for gcr.io: add is unimplemented"
  run dh erase gcr.io
  assert_fail_line ''
  assert_output "docker-credential-gcr cannot erase credentials for gcr.io: delete is unimplemented"
  # nothing went to the keyring instead
  assert_eq "$(dr_count_items)" 0 "keyring items"
  # our environment reaches the chained helper (ECR's documented opt-out)
  run dh AWS_ECR_IGNORE_CREDS_STORAGE=true store "$(creds_json "$ECR_HOST" AWS tok)"
  assert_status 0
  assert_output ''
}

@test "GCR: a failing get is relayed as it is (exit 1), not turned into not-found" {
  run dokku-registry helpers:set gcr.io gcr
  run dh STANDIN_FAIL=1 get gcr.io
  assert_fail_line ''
  assert_output "docker-credential-gcr/helper: could not retrieve GCR's access token: no token source"
}

@test "a chained registry needs no keyring: get works without a session bus" {
  run dokku-registry helpers:set "$ECR_PATTERN" ecr-login
  run dh -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/no-runtime" get "$ECR_HOST"
  assert_status 0
  assert_output '{"Username":"AWS","Secret":"tok"}'
  # a registry of the keyring says why it can't be read
  [ ! -S "/run/user/$(id -u)/bus" ] || return 0 # (a systemd user bus would be found)
  run dh -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/no-runtime" get k.other.org
  assert_fail_line 'no D-Bus session bus'
}

@test "chain_timeout: a slow chained helper fails the call within the timeout" {
  cfg_write "$(jq -cn --arg p "$ECR_PATTERN" '{chain_timeout:1,helpers:{($p):"ecr-login"}}')"
  local t0
  t0=$(now)
  run dh STANDIN_SLEEP=20 get "$ECR_HOST"
  assert_elapsed_lt "$t0" 12
  assert_fail_line 'docker-credential-ecr-login'
  assert_contains '1.0s'
  assert_not_contains "$NOT_FOUND"
}

@test "chain_timeout: nothing the timed-out helper started is left running" {
  cfg_write "$(jq -cn --arg p "$ECR_PATTERN" '{chain_timeout:1,helpers:{($p):"ecr-login"}}')"
  run dh STANDIN_SLEEP=20 get "$ECR_HOST"
  assert_status 1
  [ "$(wc -l <"$STANDIN_PIDFILE")" -eq 2 ] || { echo "pid file: $(cat "$STANDIN_PIDFILE")" >&2; return 1; }
  local pid left=""
  sleep 0.5
  while read -r pid; do
    _dr_alive "$pid" && left="$left $pid($(tr '\0' ' ' <"/proc/$pid/cmdline"))"
  done <"$STANDIN_PIDFILE"
  [ -z "$left" ] || { echo "still running after the timeout:$left" >&2; return 1; }
}

@test "a chained helper's output is capped" {
  run dokku-registry helpers:set "$ECR_PATTERN" ecr-login
  local t0
  t0=$(now)
  run dh STANDIN_HUGE=1 get "$ECR_HOST"
  assert_elapsed_lt "$t0" 15
  assert_fail_line 'docker-credential-ecr-login'
  assert_contains 'more than'
}

@test "a chained helper that is not installed: get and store fail with a clear message" {
  run dokku-registry helpers:set '*.example.com' nosuch
  run dh get b.example.com
  assert_fail_line 'docker-credential-nosuch'
  assert_contains 'not'
  assert_not_contains "$NOT_FOUND"
  run dh store "$(creds_json b.example.com u p)"
  assert_fail_line 'docker-credential-nosuch'
  assert_eq "$(dr_count_items)" 0 "keyring items"
}

@test "list: a failing or missing chained helper is skipped with a warning on stderr" {
  cfg_write '{"helpers":{"gcr.io":"gcr","*.example.com":"nosuch","keep.example.com":"dokku"}}'
  h_store k.other.org ku ks
  run dh list
  assert_status 0
  assert_output '{"k.other.org":"ku"}'
  stderr_has 'docker-credential-gcr'
  stderr_has 'docker-credential-nosuch'
  assert_eq "$(grep -c . "$BATS_TEST_TMPDIR/stderr")" 2 "warning lines"
}

@test "list: slow chained helpers are skipped and list still answers" {
  # four helpers that each time out: list must still answer with the keyring's
  # entries, whatever the per-call deadlines add up to
  cfg_write '{"timeout":1,"chain_timeout":1,"helpers":{"a.example.com":"ecr-login","b.example.com":"gcr","c.example.com":"gcloud","d.example.com":"acr-env"}}'
  h_store k.other.org ku ks
  local t0
  t0=$(now)
  run dh STANDIN_SLEEP=20 list
  assert_elapsed_lt "$t0" 15
  assert_status 0
  assert_output '{"k.other.org":"ku"}'
  local h
  for h in ecr-login gcr gcloud acr-env; do stderr_has "docker-credential-$h"; done
}

# ---------------------------------------------------------------------------
# which pattern wins

# route_of SERVER: which helper answered get (stand-ins log their calls; pass and
# keyring entries were stored with the users pass-user and keyring-user)
route_of() {
  local out
  : >"$STANDIN_LOG"
  out=$(printf %s "$1" | docker-credential-dokku get 2>/dev/null)
  if [ -s "$STANDIN_LOG" ]; then
    awk 'NR == 1 { print $1 }' "$STANDIN_LOG"
  else
    case $out in
      *'"Username":"pass-user"'*) echo pass ;;
      *'"Username":"keyring-user"'*) echo dokku ;;
      *) echo "none:$out" ;;
    esac
  fi
}

check_routes() { # HOST=HELPER...
  local v host want got bad=""
  for v in "$@"; do
    host=${v%=*} want=${v##*=}
    got=$(route_of "$host")
    [ "$got" = "$want" ] || bad="$bad"$'\n'"  $host: expected $want, got $got"
  done
  [ -z "$bad" ] || { echo "wrong routes:$bad" >&2; return 1; }
}

@test "specificity: exact beats wildcard, * never crosses a dot, no port matches any port" {
  local h
  for h in us.docker.pkg.dev keep.example.com a.b.c.example.com example.com notexample.com; do
    h_store "$h" keyring-user k
  done
  pass_store x.y.example.com pass-user p >/dev/null
  cfg_write '{"helpers":{"*.example.com":"gcr","a.example.com":"acr-env","*-docker.pkg.dev":"gcloud","*.*.example.com":"pass","keep.example.com":"dokku","docker.io":"ecr-login"}}'
  check_routes \
    a.example.com=acr-env \
    b.example.com=gcr \
    x.y.example.com=pass \
    us-docker.pkg.dev=gcloud \
    europe-west1-docker.pkg.dev=gcloud \
    us.docker.pkg.dev=dokku \
    a.example.com:5000=acr-env \
    b.example.com:5000=gcr \
    https://b.example.com/v2/=gcr \
    B.Example.COM=gcr \
    keep.example.com=dokku \
    a.b.c.example.com=dokku \
    example.com=dokku \
    notexample.com=dokku \
    https://index.docker.io/v1/=ecr-login \
    docker.io=ecr-login
}

@test "specificity: more literal characters win, then fewer *; an exact host beats any wildcard" {
  pass_store a.example.com pass-user p >/dev/null
  pass_store a.example.com:6000 pass-user p >/dev/null
  pass_store c.example.com:7000 pass-user p >/dev/null
  cfg_write '{"helpers":{"*.example.com":"gcr","a*.example.com":"gcloud","ab*.example.com":"acr-env","a*b*.example.com":"ecr-login","a.example.com":"pass","a.example.com:5000":"gcloud","c.example.com":"pass","c*.example.com:7000":"acr-env"}}'
  check_routes \
    bx.example.com=gcr \
    ax.example.com=gcloud \
    abx.example.com=acr-env \
    axbx.example.com=ecr-login \
    a.example.com=pass \
    a.example.com:6000=pass \
    a.example.com:5000=gcloud \
    c.example.com:7000=pass \
    cx.example.com:7000=acr-env \
    cx.example.com:7001=gcr
}

@test "specificity: the order of the patterns in the file does not matter" {
  # equally specific patterns (same literal characters, one * each) for ab.example.com
  local first second
  cfg_write '{"helpers":{"*b.example.com":"gcr","a*.example.com":"gcloud"}}'
  first=$(route_of ab.example.com)
  cfg_write '{"helpers":{"a*.example.com":"gcloud","*b.example.com":"gcr"}}'
  second=$(route_of ab.example.com)
  assert_eq "$second" "$first" "route with the patterns in the other order"
  cfg_write '{"helpers":{"*.example.com":"gcr","a*.example.com":"gcloud","ab*.example.com":"acr-env"}}'
  first=$(route_of abx.example.com)
  cfg_write '{"helpers":{"ab*.example.com":"acr-env","a*.example.com":"gcloud","*.example.com":"gcr"}}'
  second=$(route_of abx.example.com)
  assert_eq "$first" acr-env "route"
  assert_eq "$second" acr-env "route with the patterns in the other order"
}

@test "mapping a pattern to dokku keeps those registries in the keyring" {
  cfg_write '{"helpers":{"*.example.com":"gcr","keep.example.com":"dokku"}}'
  run dh store "$(creds_json keep.example.com ku ks)"
  assert_status 0
  assert_eq "$(dr_count_items dokku_key keep.example.com)" 1 "our keyring item"
  assert_get keep.example.com ku ks
  run dh erase keep.example.com
  assert_status 0
  assert_eq "$(dr_count_items)" 0 "keyring items"
  [ ! -s "$STANDIN_LOG" ] || { echo "a chained helper ran: $(calls)" >&2; return 1; }
}

@test "a host that matches no pattern still uses the keyring" {
  cfg_write "$(jq -cn --arg p "$ECR_PATTERN" '{helpers:{($p):"ecr-login","*.example.com":"gcr","pass.example.com":"pass"}}')"
  run dh store "$(creds_json registry.other.org ku ks)"
  assert_status 0
  assert_eq "$(dr_count_items dokku_key registry.other.org)" 1 "our keyring item"
  assert_get registry.other.org ku ks
  assert_not_found nothing.other.org
  run dh erase registry.other.org
  assert_status 0
  assert_eq "$(dr_count_items)" 0 "keyring items"
  # none of the chained helpers saw these requests (list is the only one that asks them)
  [ ! -s "$STANDIN_LOG" ] || { echo "a chained helper ran: $(calls)" >&2; return 1; }
  run docker-credential-pass list
  assert_eq "$(jq -c . <<<"$output")" '{}' "pass list"
}

# ---------------------------------------------------------------------------
# the docker CLI and skopeo, end to end

@test "docker CLI: docker login stores into pass through our helper, docker logout erases it" {
  printf '{"credsStore":"dokku"}\n' >"$DOCKER_CONFIG/config.json"
  run dokku-registry helpers:set "$DR_REGISTRY" pass
  assert_status 0
  run bash -c 'printf %s "$REG_PASS" | docker login -u "$REG_USER" --password-stdin "$DR_REGISTRY" 2>&1'
  assert_status 0
  assert_contains 'Login Succeeded'
  dr_pass_has "$DR_REGISTRY" "$REG_USER"
  run docker-credential-pass get <<<"$DR_REGISTRY"
  assert_status 0
  assert_eq "$(jq -cS . <<<"$output")" "$(creds_json "$DR_REGISTRY" "$REG_USER" "$REG_PASS" | jq -cS .)" "pass get"
  assert_eq "$(dr_count_items)" 0 "keyring items"
  assert_eq "$(jq -c .auths "$DOCKER_CONFIG/config.json")" "{\"$DR_REGISTRY\":{}}" "auths marker"
  run grep -r -l -F -- "$REG_PASS" "$DOCKER_CONFIG" "$HOME" "$XDG_CONFIG_HOME" "$PASSWORD_STORE_DIR"
  assert_status 1

  # a client that reads credHelpers gets them back through the chain
  local authfile="$BATS_TEST_TMPDIR/auth.json"
  printf '{"credHelpers":{"%s":"dokku"}}\n' "$DR_REGISTRY" >"$authfile"
  run dr_push_test_image "$DR_REGISTRY/chain/img:1" --authfile "$authfile"
  assert_status 0

  run docker logout "$DR_REGISTRY"
  assert_status 0
  if dr_pass_has "$DR_REGISTRY"; then echo "pass still has the entry after logout" >&2; return 1; fi
  assert_eq "$(jq -c .auths "$DOCKER_CONFIG/config.json")" '{}' "auths after logout"
  run dr_push_test_image "$DR_REGISTRY/chain/img:2" --authfile "$authfile"
  [ "$status" -ne 0 ] || { echo "push without credentials succeeded" >&2; return 1; }
}
