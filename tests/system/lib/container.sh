# shellcheck shell=bash
# tests/system/lib/container.sh: a Debian 12 container under a real systemd
# for the system tests (sourced by tests/system/*.bats).
#
#   sys_init DIR     a container over the cached root (tests/system/lib/root.sh),
#                    its writes in DIR (an overlay: the cached root is never changed)
#   sys_boot         boot it (systemd-nspawn --boot), wait for is-system-running
#   sys_poweroff     `systemctl poweroff` inside, wait until the container is gone
#   sys_stop         power it off (kill it if it does not go), unmount the overlay
#   sys CMD...       run CMD inside as root (nsenter into every namespace of PID 1)
#   sys_sh SCRIPT    run a shell script inside as root
#   sys_install_deb  apt-get install the project's .deb ($SYS_DEB) inside
#   sys_path P       the host path of the container's P
#
# The container shares the host's network (apt reaches the host's mirror and
# the tests' registries on 127.0.0.1); its name carries this shell's PID and a
# random part, so parallel runs never collide. --keep-unit and
# --register=no: the host has no systemd or D-Bus of its own.
# CAP_IPC_LOCK stays in the container's bounding set, as on a host: without
# it nspawn's seccomp filter refuses mlock() to every service, and
# gnome-keyring could not lock its secure memory whatever the unit says.

SYS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYS_REPO_DIR=$(cd "$SYS_LIB_DIR/../../.." && pwd)
SYS_CACHE=${DR_SYSTEM_CACHE:-$SYS_REPO_DIR/build/system}

sys_init() {
  SYS_DIR=${1:?usage: sys_init DIR}
  SYS_ROOT=$("$SYS_LIB_DIR/root.sh" path) || return 1
  SYS_NAME=drsys$$x$RANDOM
  mkdir -p "$SYS_DIR/upper" "$SYS_DIR/work" "$SYS_DIR/root" "$SYS_CACHE/apt-archives/partial"
  mount -t overlay overlay \
    -o "lowerdir=${SYS_LOWER:-$SYS_ROOT},upperdir=$SYS_DIR/upper,workdir=$SYS_DIR/work" "$SYS_DIR/root" || return 1
  SYS_M=$SYS_DIR/root
  # the host name nspawn gives it resolves (sudo asks)
  printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$SYS_NAME" >"$SYS_M/etc/hosts"
  echo "$SYS_NAME" >"$SYS_M/etc/hostname"
  export SYS_DIR SYS_ROOT SYS_NAME SYS_M
}

# The .deb's dependencies, installed from the mirror with apt once per
# Depends line and kept as a second overlay layer over the root
# (build/system/deps-<hash>): every container then installs the .deb itself
# with apt in seconds. Sets SYS_LOWER for sys_init.
sys_deps_layer() {
  local deb=${1:-$SYS_DEB} key layer tmp
  key=$( { basename "$SYS_ROOT"; dpkg-deb -f "$deb" Depends Pre-Depends; } | sha256sum | cut -c1-12)
  layer=$SYS_CACHE/deps-$key
  if [ ! -f "$layer.done" ]; then
    exec 8>"$layer.lock"
    flock 8
    if [ ! -f "$layer.done" ]; then
      rm -rf "$layer" "$layer.tmp"
      (
        set -e
        tmp=$layer.tmp
        sys_init "$tmp"
        sys_boot
        sys_install_deb "$deb"
        # the package itself goes, its dependencies stay
        sys env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q dokku-registry >/dev/null
        sys userdel -r dokku >/dev/null 2>&1 || true
        sys_stop
        rm -rf "$tmp/upper/var/log/journal"/* "$tmp/upper/etc/hosts" "$tmp/upper/etc/hostname"
        : >"$tmp/upper/etc/machine-id"
        mv "$tmp/upper" "$layer"
        rm -rf "$tmp"
      ) || { echo "sys_deps_layer: could not install the dependencies of $(basename "$deb")" >&2; return 1; }
      touch "$layer.done"
    fi
    exec 8>&-
  fi
  SYS_LOWER=$layer:$SYS_ROOT
  export SYS_LOWER
}

sys_path() { printf '%s%s\n' "$SYS_M" "$1"; }

sys_boot() {
  local pid=
  : >"$SYS_DIR/console.log"
  # shellcheck disable=SC2086
  setsid systemd-nspawn --quiet --register=no --keep-unit -D "$SYS_M" -M "$SYS_NAME" --boot \
    --bind="$SYS_CACHE/apt-archives:/var/cache/apt/archives" --capability=CAP_IPC_LOCK \
    ${SYS_NSPAWN_EXTRA:-} </dev/null >>"$SYS_DIR/console.log" 2>&1 &
  SYS_NSPAWN_PID=$!
  # bats runs each test in its own process: the PIDs live in files
  echo "$SYS_NSPAWN_PID" >"$SYS_DIR/nspawn.pid"
  SYS_LEADER=
  for _ in $(seq 1 100); do
    pid=$(awk '{ print $1 }' "/proc/$SYS_NSPAWN_PID/task/$SYS_NSPAWN_PID/children" 2>/dev/null)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ]; then
      SYS_LEADER=$pid
      break
    fi
    kill -0 "$SYS_NSPAWN_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$SYS_LEADER" ] || { echo "sys_boot: the container did not start:" >&2; tail -n 5 "$SYS_DIR/console.log" >&2; return 1; }
  echo "$SYS_LEADER" >"$SYS_DIR/leader.pid"
  # systemd's bus appears a moment after it starts: ask until it answers
  # with a final state (60 s at most)
  local state=
  for _ in $(seq 1 600); do
    state=$(nsenter -t "$SYS_LEADER" -a systemctl is-system-running 2>/dev/null) || true
    case $state in
      running) return 0 ;;
      degraded | maintenance | stopping) break ;;
    esac
    kill -0 "$SYS_NSPAWN_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "sys_boot: the container is ${state:-not answering}:" >&2
  nsenter -t "$SYS_LEADER" -a systemctl --failed --no-legend >&2
  return 1
}

# root's login environment inside, nothing of the host's (the tests' own
# HOME, XDG_* and DOCKER_CONFIG must not leak in)
sys() {
  nsenter -t "$(cat "$SYS_DIR/leader.pid")" -a -- env -i HOME=/root USER=root LOGNAME=root \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
sys_sh() { sys /bin/sh -c "$1"; }

# waits for the nspawn process to exit (SECS, default 30)
_sys_gone() {
  SYS_NSPAWN_PID=$(cat "$SYS_DIR/nspawn.pid")
  for _ in $(seq 1 $((${1:-30} * 10))); do
    kill -0 "$SYS_NSPAWN_PID" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

sys_poweroff() {
  sys systemctl poweroff >/dev/null 2>&1 || true
  _sys_gone 30 || { echo "sys_poweroff: still running after 30 s" >&2; return 1; }
  wait "$SYS_NSPAWN_PID" 2>/dev/null || true
  rm -f "$SYS_DIR/leader.pid"
}

sys_stop() {
  SYS_NSPAWN_PID=$(cat "$SYS_DIR/nspawn.pid" 2>/dev/null)
  if [ -n "${SYS_NSPAWN_PID:-}" ] && kill -0 "$SYS_NSPAWN_PID" 2>/dev/null; then
    sys_poweroff || { kill -KILL "$SYS_NSPAWN_PID" 2>/dev/null; _sys_gone 10; }
  fi
  if [ -n "${SYS_M:-}" ] && mountpoint -q "$SYS_M"; then
    umount "$SYS_M" || umount -l "$SYS_M"
  fi
  return 0
}

# apt-get install of a .deb (default $SYS_DEB) with its real dependencies
# from the mirror (the .deb is copied in; downloads are kept in
# build/system/apt-archives for the next run)
sys_install_deb() {
  local deb=${1:-$SYS_DEB} name
  name=$(basename "$deb")
  cp "$deb" "$SYS_M/root/$name"
  sys env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-unsafe-io -o APT::Keep-Downloaded-Packages=true \
    "/root/$name" >"$SYS_DIR/apt-$name.log" 2>&1 || {
    echo "apt-get install $name failed:" >&2
    tail -n 20 "$SYS_DIR/apt-$name.log" >&2
    return 1
  }
}
