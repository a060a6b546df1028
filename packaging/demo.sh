#!/usr/bin/env bash
# packaging/demo.sh - docker-credential-dokku end to end (run by `make demo`).
#
# On a private D-Bus bus with its own unlocked gnome-keyring and a local
# docker-registry (htpasswd auth, 127.0.0.1 only), with DOCKER_CONFIG pointing
# at {"credsStore":"dokku"}: docker login puts the password in the keyring,
# config.json only gets an empty marker, the helper reads it back, docker
# logout erases it. Secrets are masked in everything printed.
#
# Nothing touches the real keyring, ~/.docker or a docker daemon
# (tests/lib/env.sh sets a private HOME/XDG/DOCKER_CONFIG). Everything started
# here is stopped on exit. Exits non-zero as soon as a step fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPER=docker-credential-dokku

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\ndemo: FAILED: %s\n' "$*" >&2; exit 1; }
indent() { sed 's/^/    /'; }
showfile() { { cat "$1"; [ -z "$(tail -c1 "$1")" ] || echo; } | indent; }
# mask the value of a JSON "Secret" member and of secret-tool's "secret = " line
mask() {
    sed -E -e 's/("Secret"[[:space:]]*:[[:space:]]*")([^"\\]|\\.)*"/\1****"/g' \
        -e 's/^(secret[[:space:]]*=[[:space:]]*).*/\1****/'
}

for t in docker dbus-daemon gnome-keyring-daemon docker-registry htpasswd secret-tool curl; do
    command -v "$t" >/dev/null 2>&1 || fail "$t not found (run packaging/deps.sh)"
done

# shellcheck source=tests/lib/env.sh
. "$ROOT/tests/lib/env.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dokku-demo.XXXXXX")
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    dr_env_stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
    if [ "$rc" = 0 ]; then
        printf '\n==> cleaned up: bus, keyring, registry stopped; %s removed\n' "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# a fresh fake password for this run
PW="demo-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"

step "private session bus, unlocked gnome-keyring and docker-registry (htpasswd) on 127.0.0.1"
dr_env_init "$WORK" || fail "dr_env_init"
dr_bus_start || fail "dr_bus_start"
dr_keyring_start "demo-keyring-pw" || fail "dr_keyring_start"
dr_registry_start demo "$PW" || fail "dr_registry_start"
bin=$(command -v "$HELPER") || fail "$HELPER not on PATH (run make first)"
printf '    bus:      %s\n    keyring:  gnome-keyring-daemon pid %s (collection %s)\n    registry: http://%s (user demo)\n    helper:   %s\n    HOME=%s\n' \
    "$DBUS_SESSION_BUS_ADDRESS" "${DR_KEYRING_PID:-?}" "${DR_DEFAULT_COLLECTION:-?}" \
    "$DR_REGISTRY" "$bin" "$HOME"
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$DR_REGISTRY/v2/")
[ "$code" = 401 ] || fail "registry answered $code to an anonymous /v2/ (want 401)"
printf '    anonymous GET /v2/ -> 401 (auth required)\n'

CONFIG=$DOCKER_CONFIG/config.json
step "DOCKER_CONFIG=$DOCKER_CONFIG: config.json = {\"credsStore\":\"dokku\"}"
printf '{"credsStore":"dokku"}\n' >"$CONFIG"
showfile "$CONFIG"

step "printf %s \"\$PW\" | docker login -u demo --password-stdin $DR_REGISTRY"
printf %s "$PW" | docker login -u demo --password-stdin "$DR_REGISTRY" 2>&1 | mask | indent ||
    fail "docker login"

step "config.json after login: an empty auths marker, no secret"
showfile "$CONFIG"
grep -q "\"$DR_REGISTRY\"" "$CONFIG" || fail "config.json has no entry for $DR_REGISTRY"
if grep -q '"auth"[[:space:]]*:' "$CONFIG"; then fail "config.json holds an auth value"; fi

step "printf %s $DR_REGISTRY | $HELPER get   (Secret masked)"
out=$(printf %s "$DR_REGISTRY" | "$HELPER" get) || fail "$HELPER get"
printf '%s\n' "$out" | mask | indent
[ "$out" = "{\"ServerURL\":\"$DR_REGISTRY\",\"Username\":\"demo\",\"Secret\":\"$PW\"}" ] ||
    fail "get did not return what docker login stored"
printf '    (Secret checked: it is the password given to docker login)\n'

step "$HELPER list"
out=$("$HELPER" list </dev/null) || fail "$HELPER list"
printf '%s\n' "$out" | indent
case $out in *"\"$DR_REGISTRY\":\"demo\""*) ;; *) fail "list has no $DR_REGISTRY entry" ;; esac

step "where the secret lives: secret-tool search --all server $DR_REGISTRY   (secret masked)"
out=$(secret-tool search --all server "$DR_REGISTRY" 2>&1) || fail "secret-tool search"
printf '%s\n' "$out" | mask | indent
case $out in *"secret = $PW"*) ;; *) fail "the keyring item does not hold the password" ;; esac

step "grep -r the password in DOCKER_CONFIG: nothing"
b64=$(printf 'demo:%s' "$PW" | base64 -w0)
if grep -rlF -e "$PW" -e "$b64" "$DOCKER_CONFIG"; then
    fail "the password (or its base64 auth form) is in $DOCKER_CONFIG"
fi
printf '    no file under %s holds the password or its base64 "auth" form\n' "$DOCKER_CONFIG"

step "docker logout $DR_REGISTRY"
docker logout "$DR_REGISTRY" 2>&1 | indent || fail "docker logout"

step "printf %s $DR_REGISTRY | $HELPER get   -> not found"
if out=$(printf %s "$DR_REGISTRY" | "$HELPER" get 2>&1); then
    printf '%s\n' "$out" | mask | indent
    fail "get still finds credentials after docker logout"
fi
printf '%s\n' "$out" | mask | indent
case $out in *"credentials not found"*) ;; *) fail "unexpected get output after logout" ;; esac
out=$(secret-tool search --all server "$DR_REGISTRY" 2>&1 || true)
[ -z "$out" ] || fail "the keyring still holds an item for $DR_REGISTRY"
printf '    (and secret-tool finds no item for %s)\n' "$DR_REGISTRY"
showfile "$CONFIG"

# ---- the same job the Dokku way: dokku-registry, no docker daemon, no plaintext
export DOKKU_ROOT=$WORK/dokku DOKKU_LIB_ROOT=$WORK/dokku-lib
mkdir -p "$DOKKU_ROOT/node-js-app"
unset DOCKER_CONFIG
dokku-registry post-create node-js-app

step "dokku-registry registry:login --password-stdin node-js-app $DR_REGISTRY demo   (checked against the registry with libcurl)"
printf '%s' "$PW" | dokku-registry registry:login --password-stdin node-js-app "$DR_REGISTRY" demo 2>&1 | indent ||
    fail "dokku-registry login"
APPCFG=$DOKKU_LIB_ROOT/config/registry/node-js-app/config.json
showfile "$APPCFG"
grep -rqF -- "$PW" "$DOKKU_ROOT" "$DOKKU_LIB_ROOT" && fail "the password is in a file"
printf '    (no file under DOKKU_ROOT or DOKKU_LIB_ROOT holds the password)\n'

step "dokku-registry registry:auth-status --password-stdin node-js-app $DR_REGISTRY demo   -> exit 0 (stored and matching)"
printf '%s' "$PW" | dokku-registry registry:auth-status --password-stdin node-js-app "$DR_REGISTRY" demo ||
    fail "auth-status"
printf '    exit 0\n'

step "dokku-registry registry:set node-js-app server $DR_REGISTRY; registry:report node-js-app"
dokku-registry registry:set node-js-app server "$DR_REGISTRY" | indent
dokku-registry registry:report node-js-app | indent

step "dokku-registry doctor --network"
dokku-registry doctor --network | indent || fail "doctor found a problem"

step "dokku-registry registry:logout node-js-app $DR_REGISTRY"
dokku-registry registry:logout node-js-app "$DR_REGISTRY" || fail "dokku-registry logout"
rc=0
printf '%s' "$PW" | dokku-registry registry:auth-status --password-stdin node-js-app "$DR_REGISTRY" demo || rc=$?
[ "$rc" = 1 ] || fail "auth-status after logout exited $rc, want 1"
printf '    auth-status now exits 1: nothing stored\n'

step "demo OK"
