# shellcheck shell=bash
# shellcheck disable=SC2016 # jq filters with $r are meant literally
# Helpers for dokku-login.bats: the credential commands of dokku-registry
# (registry:login, registry:logout, registry:auth-status, registry:migrate and
# the app hooks that carry credentials) against real components: a private
# D-Bus + unlocked gnome-keyring, Debian's docker-registry with htpasswd on
# 127.0.0.1, the docker CLI (no daemon) and skopeo.
#
# Load with `load dokku-login-helpers` (it loads dokku-helpers for dr_setup,
# create_app, write_prop and the assert_* functions, and sources tests/lib/env.sh).

load dokku-helpers
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"

H=docker-credential-dokku
NOT_FOUND='credentials not found in native keychain'
SCHEMA=io.docker.Credentials

# ---------------------------------------------------------------------------
# per file

# drl_setup_file: bus, keyring, a registry with two htpasswd users
# (alice/$PW_A, bob/$PW_B) and one pushed image ($DR_REGISTRY/$IMAGE).
drl_setup_file() {
  DRL_DIR=$(mktemp -d /tmp/dr-login.XXXXXX) || return 1
  export DRL_DIR
  dr_env_init "$DRL_DIR" || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
  # passwords that appear nowhere else, so grepping for them is meaningful
  PW_A="pwA-$RANDOM$RANDOM-alice"
  PW_B="pwB-$RANDOM$RANDOM-bob"
  IMAGE=e2e/login-test:1
  export PW_A PW_B IMAGE
  dr_registry_start alice "$PW_A" || return 1
  # a second user: the registry re-reads htpasswd when it changes
  htpasswd -Bbn bob "$PW_B" >>"$DR_DIR/htpasswd" 2>/dev/null || return 1
  local i code
  for i in $(seq 1 50); do
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' -u "bob:$PW_B" "http://$DR_REGISTRY/v2/") || true
    [ "$code" = 200 ] && break
    sleep 0.1
  done
  [ "$code" = 200 ] || { echo "registry does not accept bob (HTTP $code)" >&2; return 1; }
  # the test image, pushed with a throw-away plaintext auth file
  local auth="$DR_DIR/push-auth.json"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$DR_REGISTRY" "$(b64 "alice:$PW_A")" >"$auth"
  dr_push_test_image "$DR_REGISTRY/$IMAGE" --authfile "$auth" >&2 || return 1
  rm -f "$auth"
}

drl_teardown_file() {
  dr_env_stop
  if [ -n "${DRL_DIR:-}" ] && [ -z "${DR_KEEP:-}" ]; then
    rm -rf "$DRL_DIR"
  fi
}

# ---------------------------------------------------------------------------
# per test

# drl_setup: fresh DOKKU_ROOT / DOKKU_LIB_ROOT (dr_setup), no keyring items,
# DOCKER_CONFIG unset: the global docker config is $DOKKU_ROOT/.docker.
# Sets R (the registry), GDIR (the global config dir) and A1/A2 helpers.
drl_setup() {
  dr_setup || return 1
  unset DOCKER_CONFIG
  GDIR="$DOKKU_ROOT/.docker"
  R=$DR_REGISTRY
  LOCKED=
  dr_keyring_clear || { echo "cannot clear the keyring" >&2; return 1; }
}

# use_docker_config: switch the test to an explicit $DOCKER_CONFIG (the
# global docker config then lives there, not in $DOKKU_ROOT/.docker).
use_docker_config() {
  DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker-global"
  export DOCKER_CONFIG
  mkdir -p "$DOCKER_CONFIG"
  chmod 700 "$DOCKER_CONFIG"
  GDIR=$DOCKER_CONFIG
}

# lock_keyring: lock the login collection; drl_teardown brings it back.
lock_keyring() {
  LOCKED=1
  dr_keyring_lock
}

# drl_teardown: a locked keyring is restarted, which unlocks it again (the
# keyring file on disk keeps its items and the test password).
drl_teardown() {
  if [ -n "${LOCKED:-}" ]; then
    # the live keyring: an earlier test may have restarted it already
    DR_KEYRING_PID=$(awk '$1 == "keyring" { p = $2 } END { print p }' "$DR_DIR/pids")
    dr_keyring_stop
    dr_keyring_start || { echo "keyring did not come back" >&2; return 1; }
  fi
}

# appdir APP: the per-app docker config dir.
appdir() { printf '%s\n' "$REG/$1"; }

b64() { printf %s "$1" | base64 -w0; }

# ---------------------------------------------------------------------------
# running dokku-registry

# drr ARGS...: `run --separate-stderr dokku-registry ARGS...` with stdin from
# /dev/null. $stderr is re-read from a raw copy because bats 1.8.2 strips the
# leading space of the first stderr line (Dokku's " !     " prefix).
drr() {
  run --separate-stderr _drl_raw "$DR_BIN" "$@"
  _drl_fix_stderr
}

# drr_in INPUT ARGS...: same, with INPUT (printf %s) on stdin.
drr_in() {
  local input=$1
  shift
  DRL_INPUT=$input run --separate-stderr _drl_raw_in "$@"
  _drl_fix_stderr
}

_drl_raw() { # COMMAND...
  "$@" </dev/null 2>"$BATS_TEST_TMPDIR/drl.stderr"
  local rc=$?
  cat "$BATS_TEST_TMPDIR/drl.stderr" >&2
  return $rc
}

_drl_raw_in() {
  printf %s "$DRL_INPUT" | "$DR_BIN" "$@" 2>"$BATS_TEST_TMPDIR/drl.stderr"
  local rc=${PIPESTATUS[1]}
  cat "$BATS_TEST_TMPDIR/drl.stderr" >&2
  return "$rc"
}

_drl_fix_stderr() {
  stderr=$(cat "$BATS_TEST_TMPDIR/drl.stderr")
  mapfile -t stderr_lines <"$BATS_TEST_TMPDIR/drl.stderr"
}

# must ARGS...: a set-up step through dokku-registry that must succeed.
must() {
  local out
  out=$("$DR_BIN" "$@" </dev/null 2>&1) || {
    echo "set-up step failed: dokku-registry $*: $out" >&2
    return 1
  }
}

# login_app APP USER PW / login_global USER PW: set-up logins to $R.
login_app() { must registry:login "$1" "$R" "$2" "$3"; }
login_global() { must registry:login --global "$R" "$1" "$2"; }

# ---------------------------------------------------------------------------
# the credential helper, as docker / skopeo would run it

# hget DIR SERVER [env...]: `docker-credential-dokku get` with DOCKER_CONFIG=DIR;
# prints its stdout, returns its status.
hget() {
  local dir=$1 server=$2
  shift 2
  printf '%s\n' "$server" | env DOCKER_CONFIG="$dir" "$@" "$H" get 2>/dev/null
}

creds_json() { # SERVER USER SECRET
  jq -cn --arg s "$1" --arg u "$2" --arg p "$3" '{ServerURL:$s,Username:$u,Secret:$p}'
}

# assert_helper_creds DIR USER PW [env...]: the helper, with DOCKER_CONFIG=DIR,
# answers exactly USER/PW for $R.
assert_helper_creds() {
  local dir=$1 user=$2 pw=$3 got
  shift 3
  got=$(hget "$dir" "$R" "$@") || {
    echo "helper get (DOCKER_CONFIG=$dir) failed: $got" >&2
    return 1
  }
  assert_eq "$got" "$(creds_json "$R" "$user" "$pw")" "helper get with DOCKER_CONFIG=$dir"
}

# assert_helper_none DIR [env...]: the helper finds nothing for $R.
assert_helper_none() {
  local dir=$1 got rc=0
  shift
  got=$(hget "$dir" "$R" "$@") || rc=$?
  assert_eq "$rc:$got" "1:$NOT_FOUND" "helper get (DOCKER_CONFIG=$dir)"
}

# hstore DIR SERVER USER SECRET: store through the helper with DOCKER_CONFIG=DIR.
hstore() {
  local out
  out=$(creds_json "$2" "$3" "$4" | DOCKER_CONFIG=$1 "$H" store 2>&1) || {
    echo "helper store failed: $out" >&2
    return 1
  }
}

# ---------------------------------------------------------------------------
# keyring and files

# items [ATTR VALUE...]: number of io.docker.Credentials items matching.
items() { dr_count_items "$@"; }

# assert_items EXPECTED [ATTR VALUE...]
assert_items() {
  local want=$1
  shift
  assert_eq "$(items "$@")" "$want" "keyring items${*:+ with $*}"
}

# assert_no_items: the keyring holds no docker credentials at all (checked
# with secret-tool, independently of the harness).
assert_no_items() {
  local out
  out=$(secret-tool search --all xdg:schema "$SCHEMA" 2>&1) || true
  assert_eq "$out" "" "secret-tool search --all xdg:schema $SCHEMA"
  assert_items 0
}

# cj FILE FILTER: jq -c on a config.json (fails when the file is not JSON).
cj() { jq -c --arg r "$R" "$2" "$1"; }

# assert_marker FILE: credsStore/credHelpers point at dokku, auths[$R] is {}.
assert_marker() {
  local f=$1
  [ -f "$f" ] || { echo "missing $f" >&2; return 1; }
  assert_eq "$(cj "$f" .credsStore)" '"dokku"' "credsStore in $f"
  assert_eq "$(cj "$f" '.credHelpers[$r]')" '"dokku"' "credHelpers[$R] in $f"
  assert_eq "$(cj "$f" '.auths[$r]')" '{}' "auths[$R] in $f"
  assert_mode "$f" 600
}

# assert_no_marker FILE: no auths entry and no credHelpers entry for $R
# (a missing file counts as none).
assert_no_marker() {
  local f=$1
  [ -e "$f" ] || return 0
  assert_eq "$(cj "$f" '(.auths // {}) | has($r)')" false "auths has $R in $f"
  assert_eq "$(cj "$f" '(.credHelpers // {}) | has($r)')" false "credHelpers has $R in $f"
}

# assert_no_secret_on_disk USER PW: neither PW nor base64(USER:PW) is in any
# file under DOKKU_ROOT, DOKKU_LIB_ROOT or DOCKER_CONFIG.
assert_no_secret_on_disk() {
  local dirs=("$DOKKU_ROOT" "$DOKKU_LIB_ROOT") hits
  [ -n "${DOCKER_CONFIG:-}" ] && [ -d "$DOCKER_CONFIG" ] && dirs+=("$DOCKER_CONFIG")
  hits=$(grep -r -l -F -e "$2" -e "$(b64 "$1:$2")" "${dirs[@]}" 2>/dev/null) || true
  assert_eq "$hits" "" "files holding the password of $1"
}

# assert_stderr_line N TEXT: line N (0-based) of stderr is exactly TEXT.
assert_stderr_line() {
  assert_eq "${stderr_lines[$1]-<no line $1>}" "$2" "stderr line $1 (stderr: $(printf %q "$stderr"))"
}

# assert_stderr_lines N: stderr has exactly N lines.
assert_stderr_lines() {
  assert_eq "${#stderr_lines[@]}" "$1" "number of stderr lines (stderr: $(printf %q "$stderr"))"
}

# assert_not_contains HAYSTACK NEEDLE [WHAT]
assert_not_contains() {
  case "$1" in
    *"$2"*)
      printf '%s contains %q\n  actual: %q\n' "${3:-value}" "$2" "$1" >&2
      return 1 ;;
  esac
  return 0
}

# assert_matches VALUE ERE [WHAT]: case-insensitive extended regex match.
assert_matches() {
  if ! printf '%s' "$1" | grep -q -i -E -e "$2"; then
    printf '%s does not match /%s/\n  actual: %q\n' "${3:-value}" "$2" "$1" >&2
    return 1
  fi
}

# free_port: a 127.0.0.1 port nobody listens on.
free_port() {
  local p i
  for i in $(seq 1 50); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if _dr_port_free "$p"; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  return 1
}

# seed_config FILE: a config.json with keys login/logout must keep, an
# unrelated plaintext auths entry and an old plaintext entry for $R.
SEED_OTHER_AUTH=b3RoZXI6b3RoZXItcHc= # other:other-pw
seed_config() {
  mkdir -p "$(dirname "$1")"
  jq -n --arg r "$R" --arg old "$(b64 alice:old-password)" --arg o "$SEED_OTHER_AUTH" '{
    psFormat: "table {{.ID}}",
    auths: {"other.example.com": {auth: $o}, ($r): {auth: $old}},
    credHelpers: {"gcr.io": "gcloud"},
    proxies: {default: {noProxy: "*.local"}}
  }' >"$1"
  chmod 644 "$1"
}

# assert_seed_kept FILE: every seeded key unrelated to $R survived.
assert_seed_kept() {
  local f=$1
  assert_eq "$(cj "$f" .psFormat)" '"table {{.ID}}"' "psFormat in $f"
  assert_eq "$(cj "$f" '.auths["other.example.com"]')" "{\"auth\":\"$SEED_OTHER_AUTH\"}" "unrelated auths entry in $f"
  assert_eq "$(cj "$f" '.credHelpers["gcr.io"]')" '"gcloud"' "credHelpers[gcr.io] in $f"
  assert_eq "$(cj "$f" .proxies)" '{"default":{"noProxy":"*.local"}}' "proxies in $f"
}

# plain_docker_login DIR USER PW: a real `docker login` that writes plaintext
# base64 credentials into DIR/config.json. The seeded auths key makes docker
# skip its default-store detection (it would pick `pass`, which is on PATH).
plain_docker_login() {
  local dir=$1 out
  mkdir -p "$dir"
  [ -f "$dir/config.json" ] || printf '{"auths":{"dummy.invalid":{}}}\n' >"$dir/config.json"
  out=$(printf '%s\n' "$3" | DOCKER_CONFIG=$dir docker login -u "$2" --password-stdin "$R" 2>&1) || {
    echo "docker login failed: $out" >&2
    return 1
  }
  # it really is plaintext
  assert_eq "$(cj "$dir/config.json" '.auths[$r].auth')" "\"$(b64 "$2:$3")\"" "plaintext auth from docker login"
  assert_eq "$(cj "$dir/config.json" '.credsStore // "" ')" '""' "credsStore after plain docker login"
}

# drr_timeout SECS ARGS...: drr under `timeout SECS` (status 124 on timeout).
drr_timeout() {
  local secs=$1
  shift
  run --separate-stderr _drl_raw timeout "$secs" "$DR_BIN" "$@"
  _drl_fix_stderr
}
