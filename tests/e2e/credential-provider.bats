#!/usr/bin/env bats
# dokku-credential-provider, the kubelet image credential provider (README
# "Kubelet credential provider (k3s nodes)").
#
# Requests are the JSON of the Kubernetes API reference
# (kubelet-credentialprovider.v1), written to the provider's stdin as kubelet
# does. Real components: a private dbus-daemon + gnome-keyring, logins stored
# with `dokku-registry registry:login` through docker-credential-dokku,
# docker-registry with htpasswd (the returned credentials pull an image with
# skopeo), Debian's docker-credential-pass with a GnuPG key made here. Stand-ins
# only where nothing real can run here: kubelet itself (we play its part: the
# request on stdin, the response checked field by field and its key run
# through kubelet's matching in the unit suite) and a cloud helper
# (docker-credential-ecr-login needs an AWS account): a script answering as
# the real one does.

load helpers
# shellcheck source=../lib/gpg-pass.sh
source "$BATS_TEST_DIRNAME/../lib/gpg-pass.sh"

P=dokku-credential-provider
API=credentialprovider.kubelet.k8s.io/v1
ECR_HOST=123456789012.dkr.ecr.us-east-1.amazonaws.com

# req IMAGE: a CredentialProviderRequest as the API reference shows it
req() {
  jq -cn --arg i "$1" '{apiVersion:"credentialprovider.kubelet.k8s.io/v1",kind:"CredentialProviderRequest",image:$i}'
}

# prov [env...] [-- args...] < stdin: the provider, stdout saved raw, stderr apart
prov() {
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  env "${envs[@]}" "$P" "$@" 2>"$BATS_TEST_TMPDIR/stderr" | tee "$BATS_TEST_TMPDIR/stdout"
  return "${PIPESTATUS[0]}"
}

# ask IMAGE [env...] [-- args...]
ask() {
  local image=$1
  shift
  req "$image" | prov "$@"
}

out() { cat "$BATS_TEST_TMPDIR/stdout"; }
err() { cat "$BATS_TEST_TMPDIR/stderr"; }

# failure: exit 1, nothing at all on stdout, one line on stderr containing TEXT
assert_provider_failed() {
  assert_status 1
  [ ! -s "$BATS_TEST_TMPDIR/stdout" ] || { echo "stdout not empty: $(out)" >&2; return 1; }
  [ "$(wc -l <"$BATS_TEST_TMPDIR/stderr")" -eq 1 ] || { echo "stderr not one line: $(err)" >&2; return 1; }
  grep -qF -- "$1" "$BATS_TEST_TMPDIR/stderr" || { echo "stderr lacks '$1': $(err)" >&2; return 1; }
  grep -q "^$P: " "$BATS_TEST_TMPDIR/stderr" || { echo "stderr not prefixed: $(err)" >&2; return 1; }
}

# the response is one line of JSON with exactly kubelet's fields
assert_response() { # CACHE_DURATION [KEY USER PASS]
  assert_status 0
  assert_one_line
  local r
  r=$(out)
  assert_eq "$(jq -r .apiVersion <<<"$r")" "$API" apiVersion
  assert_eq "$(jq -r .kind <<<"$r")" CredentialProviderResponse kind
  assert_eq "$(jq -r .cacheKeyType <<<"$r")" Registry cacheKeyType
  assert_eq "$(jq -r .cacheDuration <<<"$r")" "$1" cacheDuration
  if [ $# -eq 1 ]; then
    assert_eq "$(jq -c 'keys' <<<"$r")" '["apiVersion","cacheDuration","cacheKeyType","kind"]' fields
    return
  fi
  assert_eq "$(jq -c 'keys' <<<"$r")" '["apiVersion","auth","cacheDuration","cacheKeyType","kind"]' fields
  assert_eq "$(jq -c '.auth | keys' <<<"$r")" "$(jq -cn --arg k "$2" '[$k]')" "auth keys"
  assert_eq "$(jq -c --arg k "$2" '.auth[$k] | keys' <<<"$r")" '["password","username"]' "auth entry"
  assert_eq "$(jq -r --arg k "$2" '.auth[$k].username' <<<"$r")" "$3" username
  assert_eq "$(jq -r --arg k "$2" '.auth[$k].password' <<<"$r")" "$4" password
}

write_ecr_standin() {
  cat >"$1" <<'EOF'
#!/bin/bash
# docker-credential-ecr-login as it answers with a cached token; knobs:
# STANDIN_LOG, STANDIN_FAIL, STANDIN_SLEEP, STANDIN_PIDFILE
action=${1-}
input=
case $action in get|store|erase) input=$(cat) ;; esac
[ -n "${STANDIN_LOG:-}" ] && printf 'ecr-login %s %s\n' "$action" "$input" >>"$STANDIN_LOG"
[ -n "${STANDIN_PIDFILE:-}" ] && echo "$$" >>"$STANDIN_PIDFILE"
if [ -n "${STANDIN_SLEEP:-}" ]; then
  sleep "$STANDIN_SLEEP" &
  [ -n "${STANDIN_PIDFILE:-}" ] && echo "$!" >>"$STANDIN_PIDFILE"
  wait "$!"
fi
case ${STANDIN_FAIL:-} in
  not-found) # the real one without AWS credentials: a log line, then "not found"
    echo "ecr: Failed to get authorization token: NoCredentialProviders: no valid providers in chain" >&2
    echo "credentials not found in native keychain"; exit 1 ;;
  error)
    echo "ecr: AccessDeniedException: not authorized to perform ecr:GetAuthorizationToken"; exit 1 ;;
esac
host=${input#*://}; host=${host%%/*}
case $action in
  get)
    if [[ $host =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$ ]]; then
      printf '{"ServerURL":"%s","Username":"AWS","Secret":"ecr-token-for-%s"}\n' "$input" "$host"; exit 0
    fi
    echo 'credentials not found in native keychain'; exit 1 ;;
  *) echo 'not implemented'; exit 1 ;;
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
  write_ecr_standin "$STANDIN_BIN/docker-credential-ecr-login" || return 1
  export PATH="$DR_BUILD_DIR:$STANDIN_BIN:${PATH#"$DR_BUILD_DIR":}"
  export STANDIN_BIN
  REG_USER=kube-puller
  REG_PASS="pw-$RANDOM$RANDOM-provider"
  export REG_USER REG_PASS
  dr_registry_start "$REG_USER" "$REG_PASS" || return 1
  local auth="$DR_E2E_DIR/push-auth.json"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$DR_REGISTRY" \
    "$(printf %s "$REG_USER:$REG_PASS" | base64 -w0)" >"$auth"
  dr_push_test_image "$DR_REGISTRY/dokku/app:1" --authfile "$auth" >&2 || return 1
  rm -f "$auth"
}

teardown_file() {
  dr_gpg_stop
  e2e_env_stop
}

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
  dr_keyring_clear || return 1
}

teardown() {
  local pid
  if [ -n "${RB:-}" ]; then
    stop_owner_session
    rm -rf "$RB"
  fi
  [ -f "${STANDIN_PIDFILE:-}" ] || return 0
  while read -r pid; do
    _dr_kill "$pid" sleep
    _dr_kill "$pid" docker-credential-
  done <"$STANDIN_PIDFILE"
}

cfg_write() { mkdir -p "$(dirname "$CFG")" && printf '%s\n' "$1" >"$CFG"; }

dokku_login() { # SERVER USER PASSWORD: the Dokku way, checked against the registry
  printf '%s' "$3" | dokku-registry registry:login --global --password-stdin "$1" "$2" >/dev/null
}

# ---------------------------------------------------------------------------

@test "keyring login: the API reference request gets host:port credentials that pull from the registry" {
  dokku_login "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run ask "$DR_REGISTRY/dokku/app"
  assert_response 30m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  # what kubelet then does with them: pull, here with skopeo and an auth file
  # made from the response only
  local u p auth="$BATS_TEST_TMPDIR/pull-auth.json"
  u=$(jq -r --arg k "$DR_REGISTRY" '.auth[$k].username' <"$BATS_TEST_TMPDIR/stdout")
  p=$(jq -r --arg k "$DR_REGISTRY" '.auth[$k].password' <"$BATS_TEST_TMPDIR/stdout")
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$DR_REGISTRY" "$(printf %s "$u:$p" | base64 -w0)" >"$auth"
  run skopeo inspect --tls-verify=false --authfile "$auth" "docker://$DR_REGISTRY/dokku/app:1"
  assert_status 0
  [ "$(jq -r .Name <<<"$output")" = "$DR_REGISTRY/dokku/app" ]
  # and without them the registry refuses the pull
  run skopeo inspect --tls-verify=false --no-creds "docker://$DR_REGISTRY/dokku/app:1"
  [ "$status" -ne 0 ]
}

@test "kubelet's own encoding (kind first, newline) and tagged or digested images get the same key" {
  dokku_login "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run prov < <(printf '{"kind":"CredentialProviderRequest","apiVersion":"%s","image":"%s/dokku/app"}\n' "$API" "$DR_REGISTRY")
  assert_response 30m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run ask "$DR_REGISTRY/dokku/app:1"
  assert_response 30m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run ask "$DR_REGISTRY/dokku/app@sha256:0000000000000000000000000000000000000000000000000000000000000000"
  assert_response 30m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  # an older kubelet configured for v1beta1 gets its own apiVersion back
  run prov < <(printf '{"apiVersion":"credentialprovider.kubelet.k8s.io/v1beta1","kind":"CredentialProviderRequest","image":"%s/a"}' "$DR_REGISTRY")
  assert_status 0
  [ "$(jq -r .apiVersion <"$BATS_TEST_TMPDIR/stdout")" = credentialprovider.kubelet.k8s.io/v1beta1 ]
}

@test "Docker Hub: docker.io images keyed docker.io, short names under kubelet's index.docker.io" {
  h_store https://index.docker.io/v1/ hubuser hub-pass-123
  run ask docker.io/library/nginx
  assert_response 30m0s docker.io hubuser hub-pass-123
  run ask index.docker.io/library/nginx
  assert_response 30m0s index.docker.io hubuser hub-pass-123
  run ask registry-1.docker.io/library/nginx
  assert_response 30m0s registry-1.docker.io hubuser hub-pass-123
  run ask nginx
  assert_response 30m0s index.docker.io hubuser hub-pass-123
}

@test "no login for the registry: exit 0, no auth, cached for the not-found duration" {
  run ask "$DR_REGISTRY/dokku/app"
  assert_response 1m0s
  assert_output "{\"apiVersion\":\"$API\",\"kind\":\"CredentialProviderResponse\",\"cacheKeyType\":\"Registry\",\"cacheDuration\":\"1m0s\"}"
  run ask "$DR_REGISTRY/dokku/app" -- --not-found-cache-duration 0s
  assert_response 0s
}

@test "cache durations: flags win over the config's provider object, which wins over the defaults" {
  dokku_login "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  cfg_write '{"provider":{"cache_duration":"45m","not_found_cache_duration":"10s"}}'
  run ask "$DR_REGISTRY/a"
  assert_response 45m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run ask "$DR_REGISTRY/a" -- --cache-duration 2h
  assert_response 2h0m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run ask "$DR_REGISTRY/a" -- --cache-duration=90s
  assert_response 1m30s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  run ask other.example.com/a
  assert_response 10s
  run ask "$DR_REGISTRY/a" -- --cache-duration 5parsecs
  assert_provider_failed "--cache-duration: invalid duration"
  cfg_write '{"provider":{"timeout":"2m"}}'
  run ask "$DR_REGISTRY/a"
  assert_provider_failed "between 1s and 55s"
  run ask "$DR_REGISTRY/a" -- --bogus
  assert_status 2
  [ ! -s "$BATS_TEST_TMPDIR/stdout" ]
}

@test "chained to docker-credential-pass: tries Docker's spellings, shorter cache" {
  dr_pass_init "$BATS_TEST_TMPDIR/pass-store"
  cfg_write '{"helpers":{"pass.example.com":"pass"}}'
  # stored by some docker login as https://…; pass keeps the spelling verbatim
  creds_json https://pass.example.com passuser pass-secret-9 | docker-credential-pass store
  run ask pass.example.com/team/app
  assert_response 5m0s pass.example.com passuser pass-secret-9
  run ask pass.example.com/team/app -- --chained-cache-duration 30s
  assert_response 30s pass.example.com passuser pass-secret-9
  # (pass answers the bare spelling with empty credentials: no login either)
  # nothing of it went into the keyring
  [ "$(dr_count_items)" = 0 ]
  run ask pass.example.com:5000/team/app
  assert_response 1m0s
}

@test "chained to an ECR-like helper: its token, keyed by the exact registry host" {
  cfg_write "{\"helpers\":{\"*.dkr.ecr.*.amazonaws.com\":\"ecr-login\"}}"
  run ask "$ECR_HOST/dokku/app:v7"
  assert_response 5m0s "$ECR_HOST" AWS "ecr-token-for-$ECR_HOST"
  grep -qx "ecr-login get $ECR_HOST" "$STANDIN_LOG"
  # one question was enough
  [ "$(grep -c . "$STANDIN_LOG")" = 1 ]
  # a chained host needs no keyring: a node can do without one
  run ask "$ECR_HOST/dokku/app:v7" DBUS_SESSION_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/no-bus"
  assert_response 5m0s "$ECR_HOST" AWS "ecr-token-for-$ECR_HOST"
}

@test "a chained helper that fails: exit 1, one clear line, no partial output" {
  cfg_write "{\"helpers\":{\"*.dkr.ecr.*.amazonaws.com\":\"ecr-login\"}}"
  STANDIN_FAIL=error run ask "$ECR_HOST/app"
  assert_provider_failed "AccessDeniedException"
  grep -qF "$P: $ECR_HOST/app: " "$BATS_TEST_TMPDIR/stderr"
  # "not found" (what the real one says without AWS credentials) is an empty
  # answer, not an error; its stderr still reaches kubelet's log
  STANDIN_FAIL=not-found run ask "$ECR_HOST/app"
  assert_response 1m0s
  grep -q NoCredentialProviders "$BATS_TEST_TMPDIR/stderr"
  cfg_write "{\"helpers\":{\"*.dkr.ecr.*.amazonaws.com\":\"no-such-helper\"}}"
  run ask "$ECR_HOST/app"
  assert_provider_failed "docker-credential-no-such-helper"
  grep -qF "$P: $ECR_HOST/app: " "$BATS_TEST_TMPDIR/stderr"
}

@test "a chained helper that hangs: bounded by chain_timeout, then by --timeout; no partial output" {
  cfg_write "{\"chain_timeout\":2,\"helpers\":{\"*.dkr.ecr.*.amazonaws.com\":\"ecr-login\"}}"
  local t0
  t0=$(now)
  STANDIN_SLEEP=30 run ask "$ECR_HOST/app"
  assert_elapsed_lt "$t0" 20
  assert_provider_failed "did not answer within 2.0s"
  # the provider's own deadline, shorter than the helper's chain_timeout
  cfg_write "{\"chain_timeout\":30,\"helpers\":{\"*.dkr.ecr.*.amazonaws.com\":\"ecr-login\"}}"
  t0=$(now)
  STANDIN_SLEEP=30 run ask "$ECR_HOST/app" -- --timeout 2s
  assert_elapsed_lt "$t0" 20
  assert_provider_failed "did not answer within 2.0s"
}

@test "keyring unreachable: a clear error (or not-found when the helper is set to)" {
  run ask "$DR_REGISTRY/a" DBUS_SESSION_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/no-bus"
  assert_provider_failed "$DR_REGISTRY/a"
  run ask "$DR_REGISTRY/a" DBUS_SESSION_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/no-bus" \
    DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE=not-found
  assert_response 1m0s
}

@test "identity tokens cannot go to kubelet: exit 1 with the reason" {
  h_store "$DR_REGISTRY" '<token>' identity-token-abc
  run ask "$DR_REGISTRY/a"
  assert_provider_failed "identity token"
  assert_not_contains identity-token-abc
}

@test "malformed requests: one line on stderr, exit 1, stdout empty" {
  local bad
  while IFS= read -r bad; do
    run prov < <(printf '%s' "$bad")
    assert_provider_failed "" || { echo "request: $bad" >&2; return 1; }
  done <<'EOF'
not json
[]
{"apiVersion":"credentialprovider.kubelet.k8s.io/v2","kind":"CredentialProviderRequest","image":"a/b"}
{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse","image":"a/b"}
{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"a/b"}
{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest"}
{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"reg.io:99999/a"}
{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"reg.io/a","image":"x/y"}
EOF
  run prov < <(printf '')
  assert_provider_failed "not JSON"
  run prov < <(printf '{"apiVersion":"credentialprovider.kubelet.k8s.io/v2","kind":"CredentialProviderRequest","image":"a/b"}')
  assert_provider_failed "unsupported apiVersion credentialprovider.kubelet.k8s.io/v2"
}

@test "oversized request: refused after 1 MiB without reading on" {
  run prov < <(printf '{"apiVersion":"%s","kind":"CredentialProviderRequest","image":"a/b","x":"' "$API"; head -c 2097152 /dev/zero | tr '\0' a; printf '"}')
  assert_provider_failed "larger than 1 MiB"
}

@test "1.33+ service account tokens: accepted and ignored, never echoed, no field kubelet's strict decoder lacks" {
  dokku_login "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  local tok="eyJhbGciOiJSUzI1NiJ9.sa-token-$RANDOM.sig"
  run prov < <(jq -cn --arg i "$DR_REGISTRY/a" --arg t "$tok" \
    '{apiVersion:"credentialprovider.kubelet.k8s.io/v1",kind:"CredentialProviderRequest",image:$i,serviceAccountToken:$t,serviceAccountAnnotations:{"example.com/role":"puller"}}')
  assert_response 30m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  ! grep -qF "$tok" "$BATS_TEST_TMPDIR/stdout" "$BATS_TEST_TMPDIR/stderr" || { echo "the token was echoed"; false; }
  run prov < <(jq -cn --arg t "$tok" '{apiVersion:"credentialprovider.kubelet.k8s.io/v1",kind:"Nope",image:"a/b",serviceAccountToken:$t}')
  assert_provider_failed "kind is Nope"
  ! grep -qF "$tok" "$BATS_TEST_TMPDIR/stderr" || { echo "the token was echoed"; false; }
}

@test "packaging/k3s/credential-provider-config.yaml: a CredentialProviderConfig kubelet accepts" {
  local y="$DR_REPO_DIR/packaging/k3s/credential-provider-config.yaml" j
  j=$("$DR_PYTHON" -c 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$y")
  [ "$(jq -r .apiVersion <<<"$j")" = kubelet.config.k8s.io/v1 ]
  [ "$(jq -r .kind <<<"$j")" = CredentialProviderConfig ]
  [ "$(jq -r '.providers | length' <<<"$j")" = 1 ]
  [ "$(jq -r '.providers[0].name' <<<"$j")" = dokku-credential-provider ]
  [ "$(jq -r '.providers[0].apiVersion' <<<"$j")" = "$API" ]
  # validation: a duration, at least one matchImages entry, env name/value pairs
  [[ $(jq -r '.providers[0].defaultCacheDuration' <<<"$j") =~ ^[0-9]+(h|m|s)([0-9]+(m|s))*$ ]]
  [ "$(jq -r '.providers[0].matchImages | length' <<<"$j")" -ge 1 ]
  [ "$(jq -r '[.providers[0].env[] | select((.name|type) == "string" and (.value|type) == "string")] | length' <<<"$j")" = \
    "$(jq -r '.providers[0].env | length' <<<"$j")" ]
  jq -e '.providers[0].env[] | select(.name == "DOCKER_CREDENTIAL_DOKKU_CONFIG")' <<<"$j" >/dev/null
  # the binary named there answers with the args given there
  local args=()
  mapfile -t args < <(jq -r '.providers[0].args // [] | .[]' <<<"$j")
  run ask nginx -- "${args[@]}"
  assert_status 0
}

# as_owner CMD...: run as the bus owner (nobody here, dokku on a node), with
# that user's own HOME, config and runtime directory
as_owner() {
  setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH="$PATH" HOME="$RB/home" \
    XDG_CONFIG_HOME="$RB/cfg" XDG_DATA_HOME="$RB/home/.local/share" RUNTIME_DIRECTORY="$RB/rt" \
    KEYRING_PASSWORD_FILE="$RB/pw" DOCKER_CREDENTIAL_DOKKU_CONFIG="$RB/cfg/docker-credential-dokku/config.json" \
    "$@"
}

start_owner_session() { # [KEYRING_SESSION_ALLOW_ROOT value]
  as_owner env KEYRING_SESSION_ALLOW_ROOT="${1:-0}" "$DR_REPO_DIR/packaging/keyring-session" \
    </dev/null >>"$RB/ks.log" 2>&1 &
  as_owner "$DR_REPO_DIR/packaging/keyring-session" --wait-ready 20 2>>"$RB/ks.log" ||
    { cat "$RB/ks.log" >&2; return 1; }
}

# keyring-session stops its daemons on SIGTERM: give it the time to (a KILL
# would leave the old bus running)
stop_owner_session() {
  local pid
  # the script's own pid, as it records it
  pid=$(cat "$RB/rt/keyring-session.pid" 2>/dev/null) || return 0
  _dr_is "$pid" keyring-session && kill -TERM "$pid"
  for _ in $(seq 1 200); do
    _dr_alive "$pid" || break
    sleep 0.1
  done
  _dr_kill "$pid" keyring-session
  [ ! -e "$RB/rt/bus" ] || { echo "the owner's bus is still up" >&2; return 1; }
}

@test "kubelet as root and the dokku user's keyring-session bus: refused by default, served with KEYRING_SESSION_ALLOW_ROOT=1" {
  [ "$(id -u)" = 0 ] || skip "needs root: kubelet runs the provider as root"
  command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
  RB=$(mktemp -d /tmp/dr-rootbus.XXXXXX)
  export RB
  mkdir -p "$RB/rt" "$RB/home" "$RB/cfg/docker-credential-dokku"
  printf 'root-bus-keyring-pw\n' >"$RB/pw"
  printf '{"bus":"unix:path=%s/rt/bus"}\n' "$RB" >"$RB/cfg/docker-credential-dokku/config.json"
  chown -R 65534:65534 "$RB"
  chmod 0700 "$RB/rt" "$RB/home"
  chmod 0600 "$RB/pw"
  start_owner_session 0
  # the owner stores a login in its keyring, through its helper
  creds_json "$DR_REGISTRY" "$REG_USER" "$REG_PASS" | as_owner docker-credential-dokku store
  run as_owner docker-credential-dokku get <<<"$DR_REGISTRY"
  [ "$status" -eq 0 ]
  # root, as kubelet would run it: the provider config's env names the
  # owner's helper config (with its bus); dbus-daemon turns root away
  run ask "$DR_REGISTRY/dokku/app" -u DBUS_SESSION_BUS_ADDRESS \
    DOCKER_CREDENTIAL_DOKKU_CONFIG="$RB/cfg/docker-credential-dokku/config.json"
  assert_provider_failed "$DR_REGISTRY/dokku/app"
  echo "# root refused: $(err)" >&3
  stop_owner_session
  # the same keyring, its bus now letting root in
  start_owner_session 1
  run ask "$DR_REGISTRY/dokku/app" -u DBUS_SESSION_BUS_ADDRESS \
    DOCKER_CREDENTIAL_DOKKU_CONFIG="$RB/cfg/docker-credential-dokku/config.json"
  assert_response 30m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  # and through the bus address alone, as the shipped example's env has it
  run ask "$DR_REGISTRY/dokku/app" DBUS_SESSION_BUS_ADDRESS="unix:path=$RB/rt/bus"
  assert_response 30m0s "$DR_REGISTRY" "$REG_USER" "$REG_PASS"
  stop_owner_session
  rm -rf "$RB"
}
