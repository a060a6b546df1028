# shellcheck shell=bash
# tests/lib/dockerd.sh - a private Docker daemon for the tests.
#
# Source this file (after tests/lib/env.sh), then:
#   dr_dockerd_start DIR   containerd + dockerd (Debian docker.io) with all their
#                          state under DIR; exports DOCKER_HOST=unix://DIR/docker.sock
#                          and waits (DR_DOCKERD_TIMEOUT s, default 60) until the
#                          daemon answers. On failure it prints why (and the end of
#                          the daemon's log) and returns 1: callers fail, never skip.
#                          With DR_DOCKERD_JSON set, its text is the daemon.json;
#                          with DR_DOCKERD_WRAPPER set (an executable), dockerd is
#                          started as `$DR_DOCKERD_WRAPPER dockerd ARGS...` (the
#                          wrapper must exec it: e.g. into a network namespace)
#   dr_dockerd_log [N]     the last N (default 40) lines of the daemon logs
#   dr_dockerd_stop        stop both, kill any shim left, unmount what dockerd
#                          mounted under DIR, remove DIR (kept with DR_KEEP=1)
#
# The daemon gets its own containerd rather than dockerd's "use the system one
# when /run/containerd/containerd.sock exists": a machine running Docker (or a
# stale socket) must not share its containerd, its namespace or its state with
# a test. Nothing is global: data-root, exec-root, pidfiles, sockets and the
# daemon config live under DIR; no iptables, no bridge, no ip_forward, and
# /etc/docker/daemon.json is not read. Loopback registries need no
# insecure-registries entry (dockerd trusts 127.0.0.0/8 over plain http).
#
# DIR must be short: unix socket paths are limited to 107 bytes and
# containerd puts "<DIR>/containerd.sock.ttrpc" there.

_dr_dockerd_err() { printf 'dr-dockerd: %s\n' "$*" >&2; }

dr_dockerd_log() {
  local n=${1:-40} f
  for f in "${DR_DOCKERD_DIR:-}/containerd.log" "${DR_DOCKERD_DIR:-}/dockerd.log"; do
    [ -f "$f" ] || continue
    printf -- '--- %s (last %s lines)\n' "$f" "$n"
    tail -n "$n" "$f"
  done
}

# _dr_dockerd_alive PID: running and not a zombie
_dr_dockerd_alive() {
  local state
  [ -n "$1" ] && [ -e "/proc/$1" ] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# _dr_dockerd_spawn NAME CMD...: start CMD detached (not a child of the caller,
# so a bare `wait` never blocks on it), its output in DIR/NAME.log; prints the pid.
_dr_dockerd_spawn() {
  local name=$1
  shift
  rm -f "$DR_DOCKERD_DIR/$name.spawned"
  ( env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u NO_PROXY -u no_proxy \
      -u ALL_PROXY -u all_proxy -u NOTIFY_SOCKET "$@" \
      >>"$DR_DOCKERD_DIR/$name.log" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    echo $! >"$DR_DOCKERD_DIR/$name.spawned" )
  cat "$DR_DOCKERD_DIR/$name.spawned" 2>/dev/null
}

# _dr_dockerd_wait_for PID WHAT SECONDS TEST...: run TEST until it succeeds;
# fail early when PID dies, or after SECONDS.
_dr_dockerd_wait_for() {
  local pid=$1 what=$2 secs=$3 deadline
  shift 3
  deadline=$((SECONDS + secs))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    if ! _dr_dockerd_alive "$pid"; then
      _dr_dockerd_err "$what exited while starting"
      dr_dockerd_log 40 >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _dr_dockerd_err "$what did not answer within ${secs}s"
      dr_dockerd_log 40 >&2
      return 1
    fi
    sleep 0.2
  done
}

_dr_dockerd_answers() {
  timeout 10 docker version --format '{{.Server.Version}}' | grep -q .
}

dr_dockerd_start() {
  local dir=${1:?usage: dr_dockerd_start DIR} secs=${DR_DOCKERD_TIMEOUT:-60} bin
  for bin in dockerd containerd runc docker; do
    command -v "$bin" >/dev/null 2>&1 || {
      _dr_dockerd_err "$bin is not installed (packaging/deps.sh installs docker.io)"; return 1; }
  done
  if [ "$(id -u)" != 0 ]; then
    _dr_dockerd_err "dockerd needs root here (uid $(id -u)); run the suite as root, as CI does"
    return 1
  fi
  case $dir in /*) ;; *) dir="$PWD/$dir" ;; esac
  if [ "${#dir}" -gt 60 ]; then
    _dr_dockerd_err "$dir is too long for the daemons' unix sockets (max 60 bytes here)"
    return 1
  fi
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd) || return 1
  export DR_DOCKERD_DIR="$dir"
  mkdir -p "$dir/data" "$dir/exec" "$dir/containerd/root" "$dir/containerd/state" \
    "$dir/containerd/opt" || return 1
  chmod 0711 "$dir"

  cat >"$dir/containerd.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
EOF
  printf '%s\n' "${DR_DOCKERD_JSON:-{\}}" >"$dir/daemon.json"

  DR_CONTAINERD_PID=$(_dr_dockerd_spawn containerd containerd --config "$dir/containerd.toml")
  [ -n "$DR_CONTAINERD_PID" ] || { _dr_dockerd_err "could not start containerd"; return 1; }
  export DR_CONTAINERD_PID
  _dr_dockerd_wait_for "$DR_CONTAINERD_PID" containerd "$secs" test -S "$dir/containerd.sock" || return 1

  DR_DOCKERD_PID=$(_dr_dockerd_spawn dockerd ${DR_DOCKERD_WRAPPER:+"$DR_DOCKERD_WRAPPER"} dockerd \
    --config-file "$dir/daemon.json" \
    --containerd "$dir/containerd.sock" \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    --host "unix://$dir/docker.sock" --storage-driver=vfs \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none)
  [ -n "$DR_DOCKERD_PID" ] || { _dr_dockerd_err "could not start dockerd"; return 1; }
  export DR_DOCKERD_PID
  export DOCKER_HOST="unix://$dir/docker.sock"
  # the legacy builder: `docker build` of a FROM scratch context needs no buildx
  export DOCKER_BUILDKIT=0
  unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
  _dr_dockerd_wait_for "$DR_DOCKERD_PID" dockerd "$secs" _dr_dockerd_answers || return 1
  return 0
}

# _dr_dockerd_term PID NAME SECONDS: TERM, wait, KILL (only if PID still runs NAME)
_dr_dockerd_term() {
  local pid=$1 name=$2 secs=$3 i
  _dr_dockerd_alive "$pid" || return 0
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$name" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    _dr_dockerd_alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    _dr_dockerd_alive "$pid" || return 0
    sleep 0.05
  done
}

dr_dockerd_stop() {
  local dir=${DR_DOCKERD_DIR:-} p mnt
  [ -n "$dir" ] || return 0
  _dr_dockerd_term "${DR_DOCKERD_PID:-}" dockerd 20
  _dr_dockerd_term "${DR_CONTAINERD_PID:-}" containerd 10
  # shims (or anything else) still running on this directory: by pid, only
  # ours. One grep reads every command line (a tr and a grep per process
  # took seconds on a busy machine); it reads the pattern from a file so
  # that its own command line does not match.
  for p in $(grep -alsF -f <(printf '%s/\n' "$dir") /proc/[0-9]*/cmdline | cut -d/ -f3); do
    [ "$p" = "$$" ] && continue
    kill -KILL "$p" 2>/dev/null || true
  done
  # dockerd bind-mounts its data-root onto itself (mount propagation); a killed
  # daemon leaves that and any netns/shm mounts behind: deepest first
  awk -v d="$dir/" 'index($5, d) == 1 || $5 == substr(d, 1, length(d) - 1) { print $5 }' \
    /proc/self/mountinfo | sort -r | while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || _dr_dockerd_err "could not unmount $mnt"
  done
  if [ -z "${DR_KEEP:-}" ]; then
    rm -rf "$dir" 2>/dev/null || _dr_dockerd_err "could not remove $dir"
  fi
  unset DR_DOCKERD_PID DR_CONTAINERD_PID DR_DOCKERD_DIR
  return 0
}
