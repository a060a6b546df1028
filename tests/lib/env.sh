# shellcheck shell=bash
# tests/lib/env.sh - hermetic test environment for docker-credential-dokku.
#
# Source this file, then:
#   dr_env_init DIR          private HOME / XDG dirs / DOCKER_CONFIG under DIR
#   dr_bus_start             private dbus-daemon (no service activation)
#   dr_keyring_start [pw]    real gnome-keyring-daemon (secrets component), login
#                            collection created/unlocked with pw (default test-pw)
#   dr_keyring_lock          lock the login collection
#   dr_keyring_stall/resume  SIGSTOP / SIGCONT the keyring (name owned, no replies)
#   dr_keyring_stop          stop the keyring only (bus stays: "no provider")
#   dr_keyring_restart [pw]  stop + start (unlocks the login collection again)
#   dr_keyring_clear         delete every io.docker.Credentials item
#   dr_item_paths A V...     item object paths matching attributes (gdbus SearchItems)
#   dr_count_items A V...    number of io.docker.Credentials items matching
#   dr_item_attr PATH NAME / dr_item_label PATH / dr_collection_locked PATH
#   dr_registry_start U P    docker-registry on 127.0.0.1:<free port>, htpasswd auth
#   dr_registry_stop
#   dr_registry_restart      the same registry again (same port, users, storage)
#   dr_push_test_image REF [skopeo copy options...]
#   dr_env_stop              stop everything started above
#
# Nothing here touches the caller's real keyring or ~/.docker: every path lives
# under DIR, the bus is private, and only 127.0.0.1 is used.
# Functions print diagnostics on stderr and return non-zero on failure; they never
# call `exit` and do not change shell options of the caller.

DR_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DR_REPO_DIR="$(cd "$DR_LIB_DIR/../.." && pwd)"
DR_BUILD_DIR="${DR_BUILD_DIR:-$DR_REPO_DIR/build}"   # make passes build-san etc.
export DR_LIB_DIR DR_REPO_DIR DR_BUILD_DIR
# The tests' Python: Debian's (packaging/deps.sh installs it with python3-yaml),
# not whatever `python3` comes first on PATH; a version manager's shim there
# costs about a second per start, and fault-kill.bats starts one per kill.
if [ -x /usr/bin/python3 ]; then DR_PYTHON=/usr/bin/python3; else DR_PYTHON=python3; fi
export DR_PYTHON

_dr_err() { printf 'dr-env: %s\n' "$*" >&2; }

# _dr_alive PID: process exists and is not a zombie.
_dr_alive() {
  local pid=$1 state
  [ -n "$pid" ] && [ -e "/proc/$pid" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ -n "$state" ]
}

# _dr_is PID NAME: PID is alive and its command line mentions NAME (protects
# against killing a recycled pid that is not ours).
_dr_is() {
  local pid=$1 name=$2
  _dr_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name"
}

# _dr_kill PID NAME: CONT+TERM, wait up to 3 s, then KILL. Tolerates dead pids.
_dr_kill() {
  local pid=$1 name=$2
  [ -n "$pid" ] || return 0
  _dr_is "$pid" "$name" || return 0
  kill -CONT "$pid" 2>/dev/null
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 30); do
    _dr_alive "$pid" || break
    sleep 0.1
  done
  if _dr_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null
    for _ in $(seq 1 20); do _dr_alive "$pid" || break; sleep 0.05; done
  fi
  return 0
}

_dr_record_pid() { # KIND PID
  [ -n "${DR_DIR:-}" ] && printf '%s %s\n' "$1" "$2" >>"$DR_DIR/pids"
}

dr_env_init() {
  local dir=${1:?usage: dr_env_init DIR}
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd) || return 1
  export DR_DIR="$dir"
  export HOME="$dir/home"
  export XDG_DATA_HOME="$dir/data"
  export XDG_CONFIG_HOME="$dir/config"
  export XDG_CACHE_HOME="$dir/cache"
  export XDG_RUNTIME_DIR="$dir/run"
  export DOCKER_CONFIG="$dir/docker"
  export DOCKER_HOST="unix://$dir/no-docker.sock"
  mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" \
    "$XDG_RUNTIME_DIR" "$DOCKER_CONFIG" || return 1
  chmod 0700 "$XDG_RUNTIME_DIR" "$HOME" "$DOCKER_CONFIG"
  unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
  # settings of the helper and of other tools that must not leak in from the caller
  unset DOCKER_CREDENTIAL_DOKKU_COLLECTION DOCKER_CREDENTIAL_DOKKU_TIMEOUT \
    DOCKER_CREDENTIAL_DOKKU_UNAVAILABLE DOCKER_CREDENTIAL_DOKKU_CONFIG DOCKER_CREDENTIAL_DOKKU_TRANSPORT \
    DOCKER_AUTH_CONFIG DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH \
    REGISTRY_AUTH_FILE CONTAINERS_REGISTRIES_CONF GNOME_KEYRING_CONTROL \
    DR_BUS_PID DR_KEYRING_PID DR_REGISTRY_PID DR_REGISTRY
  case "$PATH" in
    "$DR_BUILD_DIR:"*) ;;
    *) export PATH="$DR_BUILD_DIR:$PATH" ;;
  esac
  : >"$dir/pids"
  return 0
}

dr_bus_start() {
  [ -n "${DR_DIR:-}" ] || { _dr_err "dr_bus_start: call dr_env_init first"; return 1; }
  local conf="$DR_DIR/bus.conf" out addr pid
  rm -f "$DR_DIR/bus"
  cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path=$DR_DIR/bus</listen>
  <auth>EXTERNAL</auth>
  <!-- no <servicedir>/<standard_session_servicedirs>: nothing is auto-activated -->
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  out=$(dbus-daemon --config-file="$conf" --fork --print-address=1 --print-pid=1 \
    </dev/null 2>"$DR_DIR/bus.log" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-) || {
    _dr_err "dbus-daemon failed: $(cat "$DR_DIR/bus.log")"; return 1; }
  addr=$(printf '%s\n' "$out" | sed -n 1p)
  pid=$(printf '%s\n' "$out" | sed -n 2p)
  if [ -z "$addr" ] || [ -z "$pid" ]; then
    _dr_err "dbus-daemon printed no address/pid: $out"; return 1
  fi
  export DBUS_SESSION_BUS_ADDRESS="$addr"
  export DR_BUS_PID="$pid"
  _dr_record_pid bus "$pid"
  return 0
}

dr_bus_stop() {
  _dr_kill "${DR_BUS_PID:-}" dbus-daemon
  unset DR_BUS_PID
}

# _dr_gdbus ARGS...: gdbus call on the session bus with a short timeout.
_dr_gdbus() { gdbus call --session --timeout 3 "$@"; }

_dr_secrets_owned() {
  _dr_gdbus --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
    grep -q true
}

# path the `default` alias resolves to ('/' when none)
dr_default_collection() {
  _dr_gdbus --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
    --method org.freedesktop.Secret.Service.ReadAlias default 2>/dev/null |
    sed -n "s/.*objectpath '\([^']*\)'.*/\1/p"
}

# dr_collection_locked PATH -> prints true/false
dr_collection_locked() {
  _dr_gdbus --dest org.freedesktop.secrets --object-path "$1" \
    --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Locked \
    2>/dev/null | sed -n 's/.*<\(true\|false\)>.*/\1/p'
}

dr_keyring_start() {
  local pw=${1-test-pw} coll
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || { _dr_err "dr_keyring_start: no bus (dr_bus_start)"; return 1; }
  # --foreground keeps it our child (no double fork) so the pid is known;
  # --unlock reads the password from stdin, creating the login keyring on first use
  # in $XDG_DATA_HOME/keyrings and unlocking it.
  # Started from a throw-away subshell so the daemon is not a child of the caller:
  # a bare `wait` in a script that sourced this file must not block on it.
  rm -f "$DR_DIR/keyring.pid"
  ( printf %s "$pw" | gnome-keyring-daemon --foreground --unlock --components=secrets \
      >>"$DR_DIR/keyring.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    echo $! >"$DR_DIR/keyring.pid" )
  DR_KEYRING_PID=$(cat "$DR_DIR/keyring.pid" 2>/dev/null)
  [ -n "$DR_KEYRING_PID" ] || { _dr_err "could not start gnome-keyring-daemon"; return 1; }
  export DR_KEYRING_PID
  _dr_record_pid keyring "$DR_KEYRING_PID"
  for _ in $(seq 1 50); do
    if ! _dr_alive "$DR_KEYRING_PID"; then
      _dr_err "gnome-keyring-daemon exited: $(cat "$DR_DIR/keyring.log")"
      return 1
    fi
    if _dr_secrets_owned; then
      coll=$(dr_default_collection)
      if [ -n "$coll" ] && [ "$coll" != / ] && [ "$(dr_collection_locked "$coll")" = false ]; then
        export DR_DEFAULT_COLLECTION="$coll"
        return 0
      fi
    fi
    sleep 0.1
  done
  _dr_err "gnome-keyring-daemon not ready after 5 s: $(cat "$DR_DIR/keyring.log")"
  return 1
}

dr_keyring_stop() {
  _dr_kill "${DR_KEYRING_PID:-}" gnome-keyring-daemon
  unset DR_KEYRING_PID
  # wait until the bus has dropped the name
  for _ in $(seq 1 30); do
    [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && _dr_secrets_owned || return 0
    sleep 0.1
  done
}

# dr_keyring_restart [password]: stop and start the keyring; with the right
# password this is the prompt-free way to unlock the login collection again.
dr_keyring_restart() {
  dr_keyring_stop
  dr_keyring_start "$@"
}

dr_keyring_lock() {
  local coll=${1:-/org/freedesktop/secrets/collection/login}
  _dr_gdbus --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
    --method org.freedesktop.Secret.Service.Lock "['$coll']" >/dev/null || return 1
  [ "$(dr_collection_locked "$coll")" = true ] || { _dr_err "collection $coll did not lock"; return 1; }
}

dr_keyring_stall() {
  _dr_is "${DR_KEYRING_PID:-}" gnome-keyring-daemon || { _dr_err "no keyring to stall"; return 1; }
  kill -STOP "$DR_KEYRING_PID"
}

dr_keyring_resume() {
  [ -n "${DR_KEYRING_PID:-}" ] && kill -CONT "$DR_KEYRING_PID" 2>/dev/null
  return 0
}

# dr_item_paths ATTR VALUE [ATTR VALUE...]: object paths (unlocked and locked) of
# items whose attributes match, one per line, across all collections.
dr_item_paths() {
  local dict="" sep=""
  while [ $# -ge 2 ]; do
    dict="$dict$sep'$1': '$2'"
    sep=", "
    shift 2
  done
  local reply
  reply=$(_dr_gdbus --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
    --method org.freedesktop.Secret.Service.SearchItems "{$dict}") || return 1
  printf '%s\n' "$reply" | { grep -o "'/org/freedesktop/secrets/collection/[^']*'" || true; } | tr -d "'"
}

# dr_count_items ATTR VALUE ...: number of matching items of schema io.docker.Credentials
# shellcheck disable=SC2120  # callers pass attributes; none means "all"
dr_count_items() {
  local paths
  paths=$(dr_item_paths xdg:schema io.docker.Credentials "$@") || return 1
  printf '%s' "$paths" | awk 'NF{n++} END{print n+0}'
}

# dr_keyring_clear: delete every io.docker.Credentials item (all collections).
dr_keyring_clear() {
  local p
  for p in $(dr_item_paths xdg:schema io.docker.Credentials); do
    _dr_gdbus --dest org.freedesktop.secrets --object-path "$p" \
      --method org.freedesktop.Secret.Item.Delete >/dev/null || return 1
  done
  [ "$(dr_count_items xdg:schema io.docker.Credentials)" = 0 ]
}

# dr_item_attr PATH NAME: one attribute of an item (collection must be unlocked)
dr_item_attr() {
  _dr_gdbus --dest org.freedesktop.secrets --object-path "$1" \
    --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Item Attributes |
    grep -o "'$2': '[^']*'" | sed "s/^'$2': '//; s/'\$//"
}

# dr_item_label PATH: the item's display Label
dr_item_label() {
  _dr_gdbus --dest org.freedesktop.secrets --object-path "$1" \
    --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Item Label |
    sed -n "s/^(<'\(.*\)'>,)\$/\1/p"
}

_dr_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

dr_registry_start() {
  local user=${1:?usage: dr_registry_start USER PASS} pass=${2:?usage: dr_registry_start USER PASS}
  local port code
  [ -n "${DR_DIR:-}" ] || { _dr_err "call dr_env_init first"; return 1; }
  htpasswd -Bbn "$user" "$pass" >"$DR_DIR/htpasswd" 2>/dev/null || { _dr_err "htpasswd failed"; return 1; }
  mkdir -p "$DR_DIR/registry-data"
  for _ in $(seq 1 10); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    _dr_port_free "$port" || continue
    cat >"$DR_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DR_DIR/registry-data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: dr-test-secret-$RANDOM$RANDOM
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: dr-test-registry
    path: $DR_DIR/htpasswd
health:
  storagedriver:
    enabled: false
EOF
    rm -f "$DR_DIR/registry.pid"
    ( docker-registry serve "$DR_DIR/registry.yml" >>"$DR_DIR/registry.log" 2>&1 </dev/null \
        3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
      echo $! >"$DR_DIR/registry.pid" )
    DR_REGISTRY_PID=$(cat "$DR_DIR/registry.pid" 2>/dev/null)
    [ -n "$DR_REGISTRY_PID" ] || continue
    _dr_record_pid registry "$DR_REGISTRY_PID"
    for _ in $(seq 1 50); do
      _dr_alive "$DR_REGISTRY_PID" || break
      code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null)
      if [ "$code" = 401 ]; then
        export DR_REGISTRY="127.0.0.1:$port" DR_REGISTRY_PID
        export DR_REGISTRY_USER="$user" DR_REGISTRY_PASS="$pass"
        return 0
      fi
      sleep 0.1
    done
    _dr_kill "$DR_REGISTRY_PID" docker-registry
    unset DR_REGISTRY_PID
  done
  _dr_err "docker-registry did not start: $(tail -n 5 "$DR_DIR/registry.log" 2>/dev/null)"
  return 1
}

dr_registry_stop() {
  _dr_kill "${DR_REGISTRY_PID:-}" docker-registry
  unset DR_REGISTRY_PID DR_REGISTRY
}

# dr_registry_restart: the registry of dr_registry_start again, same port,
# htpasswd and storage (after dr_registry_stop, e.g. a "registry down" test).
dr_registry_restart() {
  local addr=${DR_REGISTRY:-} code
  [ -n "$addr" ] || addr=$(sed -n 's/^  addr: //p' "$DR_DIR/registry.yml" 2>/dev/null)
  [ -n "$addr" ] || { _dr_err "dr_registry_restart: no registry.yml (dr_registry_start first)"; return 1; }
  _dr_kill "${DR_REGISTRY_PID:-}" docker-registry
  rm -f "$DR_DIR/registry.pid"
  ( docker-registry serve "$DR_DIR/registry.yml" >>"$DR_DIR/registry.log" 2>&1 </dev/null \
      3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    echo $! >"$DR_DIR/registry.pid" )
  DR_REGISTRY_PID=$(cat "$DR_DIR/registry.pid" 2>/dev/null)
  [ -n "$DR_REGISTRY_PID" ] || { _dr_err "could not restart docker-registry"; return 1; }
  _dr_record_pid registry "$DR_REGISTRY_PID"
  for _ in $(seq 1 50); do
    _dr_alive "$DR_REGISTRY_PID" || break
    code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://$addr/v2/" 2>/dev/null) || code=000
    if [ "$code" = 401 ]; then
      export DR_REGISTRY="$addr" DR_REGISTRY_PID
      return 0
    fi
    sleep 0.1
  done
  _dr_err "docker-registry did not restart on $addr: $(tail -n 5 "$DR_DIR/registry.log" 2>/dev/null)"
  return 1
}

dr_env_stop() {
  _dr_kill "${DR_KEYRING_PID:-}" gnome-keyring-daemon
  _dr_kill "${DR_REGISTRY_PID:-}" docker-registry
  _dr_kill "${DR_BUS_PID:-}" dbus-daemon
  # anything else recorded (e.g. a restarted keyring whose pid variable was lost)
  if [ -n "${DR_DIR:-}" ] && [ -f "$DR_DIR/pids" ]; then
    local kind pid
    while read -r kind pid; do
      case $kind in
        bus) _dr_kill "$pid" dbus-daemon ;;
        keyring) _dr_kill "$pid" gnome-keyring-daemon ;;
        registry) _dr_kill "$pid" docker-registry ;;
      esac
    done <"$DR_DIR/pids"
    : >"$DR_DIR/pids"
  fi
  unset DR_KEYRING_PID DR_REGISTRY_PID DR_BUS_PID DR_REGISTRY
  return 0
}

_dr_sha256() { sha256sum "$1" | cut -d' ' -f1; }

# dr_push_test_image REF [extra skopeo copy options, e.g. --authfile FILE]
# Builds a one-layer OCI image layout and copies it to docker://REF (plain http).
dr_push_test_image() {
  local ref=${1:?usage: dr_push_test_image REF [skopeo copy options]}
  shift
  local work layout blobs layer_tar diff_id layer_digest layer_size
  local cfg cfg_digest cfg_size man man_digest man_size
  work=$(mktemp -d "${DR_DIR:-/tmp}/img.XXXXXX") || return 1
  layout="$work/layout"
  blobs="$layout/blobs/sha256"
  mkdir -p "$work/rootfs/etc" "$blobs"
  printf 'hello from dr_push_test_image %s\n' "$ref" >"$work/rootfs/etc/dr-test"
  layer_tar="$work/layer.tar"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -C "$work/rootfs" -cf "$layer_tar" etc || return 1
  diff_id=$(_dr_sha256 "$layer_tar")
  gzip -n -c "$layer_tar" >"$work/layer.tar.gz"
  layer_digest=$(_dr_sha256 "$work/layer.tar.gz")
  layer_size=$(stat -c %s "$work/layer.tar.gz")
  mv "$work/layer.tar.gz" "$blobs/$layer_digest"

  cfg="$work/config.json"
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"dr_push_test_image"}]}' \
    "$diff_id" >"$cfg"
  cfg_digest=$(_dr_sha256 "$cfg")
  cfg_size=$(stat -c %s "$cfg")
  mv "$cfg" "$blobs/$cfg_digest"

  man="$work/manifest.json"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$cfg_digest" "$cfg_size" "$layer_digest" "$layer_size" >"$man"
  man_digest=$(_dr_sha256 "$man")
  man_size=$(stat -c %s "$man")
  mv "$man" "$blobs/$man_digest"

  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"test"}}]}' \
    "$man_digest" "$man_size" >"$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

  skopeo --policy "$(_dr_policy)" copy --quiet --dest-tls-verify=false "$@" \
    "oci:$layout:test" "docker://$ref"
}

# a permissive trust policy private to the test dir (skopeo needs one)
_dr_policy() {
  local p="${DR_DIR:-/tmp}/policy.json"
  [ -f "$p" ] || printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$p"
  printf '%s\n' "$p"
}
dr_policy_file() { _dr_policy; }
