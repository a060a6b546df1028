#!/usr/bin/env bats
# `docker login` (checked by a real dockerd with its own registry settings) and
# `dokku-registry login`, side by side, against real docker-registry instances
# on a test host: certs.d CAs and client certificates, insecure-registries by
# name and by CIDR, a wrong CA, no CA, plain http not listed.
#
# Nothing on the host's network or /etc changes. Two network namespaces of this
# test's own, joined by a veth pair; the addresses 10.X.Y.0/28 exist only there:
#   drc<id>  the Dokku host: dockerd and dokku-registry. dockerd runs in a mount
#            namespace where a test directory is bind-mounted over /etc/docker,
#            because dockerd reads certs.d only from /etc/docker/certs.d (moby
#            daemon/pkg/registry/config.go CertsDir: no option, no variable);
#            dokku-registry is pointed at the same files by DR_DOCKER_CERTS_D
#            and DR_DOCKER_DAEMON_JSON, and once through the same bind mount.
#   drr<id>  the registry host: docker-registry on 10.X.Y.2, .3 and .9.
# DR_VERDICT_LOG=FILE appends one line per case: case, docker's verdict, ours.

bats_require_minimum_version 1.5.0

# env.sh resets DR_BUILD_DIR to build/; keep the caller's (e.g. build-san)
_DN_BUILD_DIR=${DR_BUILD_DIR:-}
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/dockerd.sh
source "$BATS_TEST_DIRNAME/../lib/dockerd.sh"
# shellcheck source=../lib/images.sh
source "$BATS_TEST_DIRNAME/../lib/images.sh"
DR_BUILD_DIR=${_DN_BUILD_DIR:-$DR_BUILD_DIR}
USR=alice

_dn_err() { printf 'daemon-registry: %s\n' "$*" >&2; }

# in_c CMD...: run CMD on the Dokku host (netns drc<id>)
in_c() { ip netns exec "drc$DN_ID" "$@"; }

_dn_pki() {
  local p=$DN_DIR/pki
  mkdir -p "$p" || return 1
  {
    for ca in ca otherca clientca; do
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dr test $ca" \
        -keyout "$p/$ca.key" -out "$p/$ca.crt" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign || return 1
    done
    # the registries' certificate, from the private CA
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$DN_NET.2" -keyout "$p/server.key" -out "$p/server.csr" &&
    printf 'subjectAltName=IP:%s.2,IP:%s.3,IP:%s.9,IP:%s\nextendedKeyUsage=serverAuth\n' "$DN_NET" "$DN_NET" "$DN_NET" "$DN_FAR" >"$p/server.ext" &&
    openssl x509 -req -in "$p/server.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
      -days 2 -extfile "$p/server.ext" -out "$p/server.crt" &&
    # a self-signed one for the registry that only an insecure entry admits
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$DN_NET.9" \
      -keyout "$p/self.key" -out "$p/self.crt" -addext "subjectAltName=IP:$DN_NET.9" &&
    # a client certificate from the client CA
    openssl req -newkey rsa:2048 -nodes -subj "/CN=dr test client" -keyout "$p/client.key" -out "$p/client.csr" &&
    printf 'extendedKeyUsage=clientAuth\n' >"$p/client.ext" &&
    openssl x509 -req -in "$p/client.csr" -CA "$p/clientca.crt" -CAkey "$p/clientca.key" -CAcreateserial \
      -days 2 -extfile "$p/client.ext" -out "$p/client.crt" &&
    # and one from another CA, which the registries do not take
    openssl req -newkey rsa:2048 -nodes -subj "/CN=dr test other client" -keyout "$p/other.key" -out "$p/other.csr" &&
    openssl x509 -req -in "$p/other.csr" -CA "$p/otherca.crt" -CAkey "$p/otherca.key" -CAcreateserial \
      -days 2 -extfile "$p/client.ext" -out "$p/other.crt"
  } >>"$DN_DIR/openssl.log" 2>&1 || { _dn_err "openssl failed: $(tail -n 3 "$DN_DIR/openssl.log")"; return 1; }
}

# _dn_registry ADDR http|https [CERT KEY [CLIENT_CA]]: docker-registry on the
# registry host at ADDR (htpasswd: $USR / $DN_PASS); waits until it answers
_dn_registry() {
  local addr=$1 scheme=$2 cert=${3-} key=${4-} clientca=${5-} name tls="" pid code i
  name="reg-${addr//[.:]/-}"
  mkdir -p "$DN_DIR/$name-data"
  if [ "$scheme" = https ]; then
    tls="  tls:
    certificate: $cert
    key: $key"
    [ -n "$clientca" ] && tls="$tls
    clientcas:
      - $clientca"
  fi
  cat >"$DN_DIR/$name.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DN_DIR/$name-data
http:
  addr: $addr
  secret: dr-test-secret-$RANDOM$RANDOM
$tls
auth:
  htpasswd:
    realm: dr-test
    path: $DN_DIR/htpasswd
health:
  storagedriver:
    enabled: false
EOF
  ip netns exec "drr$DN_ID" docker-registry serve "$DN_DIR/$name.yml" >>"$DN_DIR/$name.log" 2>&1 \
    </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  pid=$!
  _dr_record_pid registry "$pid"
  for i in $(seq 1 100); do
    _dr_alive "$pid" || break
    code=$(ip netns exec "drr$DN_ID" curl -sk -o /dev/null -m 1 -w '%{http_code}' \
      ${clientca:+--cert "$DN_DIR/pki/client.crt" --key "$DN_DIR/pki/client.key"} \
      "$scheme://$addr/v2/" 2>/dev/null)
    [ "$code" = 401 ] && return 0
    sleep 0.1
  done
  _dn_err "docker-registry at $addr did not start: $(tail -n 5 "$DN_DIR/$name.log")"
  return 1
}

# _dn_proxy: Debian's tinyproxy on the registry host, $DN_NET.2:8888, for the
# Dokku host only; its log (CONNECT lines) in $DN_DIR/tinyproxy.log
_dn_proxy() {
  local i
  cat >"$DN_DIR/tinyproxy.conf" <<EOF
Port 8888
Listen $DN_NET.2
Timeout 30
MaxClients 10
Allow $DN_NET.1
LogFile "$DN_DIR/tinyproxy.log"
LogLevel Connect
EOF
  ip netns exec "drr$DN_ID" tinyproxy -d -c "$DN_DIR/tinyproxy.conf" >>"$DN_DIR/tinyproxy.out" 2>&1 \
    </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  DN_PROXY_PID=$!
  export DN_PROXY_PID
  for i in $(seq 1 100); do
    _dr_alive "$DN_PROXY_PID" || break
    ip netns exec "drr$DN_ID" ss -ltn | grep -q "$DN_NET.2:8888 " && return 0
    sleep 0.1
  done
  _dn_err "tinyproxy did not start: $(tail -n 5 "$DN_DIR/tinyproxy.out")"
  return 1
}

# _dn_certs HOST FILE...: certs.d/HOST/ with FILE... (each as SRC:NAME)
_dn_certs() {
  local d=$DN_ETC/certs.d/$1 f
  shift
  mkdir -p "$d" || return 1
  for f in "$@"; do
    cp "${f%%:*}" "$d/${f##*:}" || return 1
  done
}

setup_file() {
  [ "$(id -u)" = 0 ] || { echo "# needs root (network namespaces, dockerd), as in CI" >&3; return 1; }
  command -v ip >/dev/null || { echo "# needs ip (iproute2)" >&3; return 1; }
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY all_proxy ALL_PROXY
  # short: dockerd's socket paths live under it
  DN_DIR=$(mktemp -d /tmp/drn.XXXXXX) || return 1
  DN_ID=$(( ($$ * 32768 + RANDOM) % 1000000 ))
  DN_NET=10.$((200 + RANDOM % 50)).$((RANDOM % 256))
  DN_ETC=$DN_DIR/etc
  # an address of the registry host that the Dokku host has no route to: only
  # the proxy (on the registry host) reaches it (TEST-NET-1, never routed)
  DN_FAR=192.0.2.77
  DN_PASS="pw-$RANDOM$RANDOM"
  export DN_DIR DN_ID DN_NET DN_ETC DN_PASS DN_FAR
  dr_env_init "$DN_DIR/env" || return 1
  dr_bus_start || return 1
  dr_keyring_start || return 1
  ip netns add "drc$DN_ID" || return 1
  ip netns add "drr$DN_ID" || return 1
  ip link add "drv${DN_ID}c" netns "drc$DN_ID" type veth peer name "drv${DN_ID}r" netns "drr$DN_ID" ||
    return 1
  ip -n "drc$DN_ID" addr add "$DN_NET.1/28" dev "drv${DN_ID}c" &&
  ip -n "drr$DN_ID" addr add "$DN_NET.2/28" dev "drv${DN_ID}r" &&
  ip -n "drr$DN_ID" addr add "$DN_NET.3/28" dev "drv${DN_ID}r" &&
  ip -n "drr$DN_ID" addr add "$DN_NET.9/28" dev "drv${DN_ID}r" &&
  ip -n "drr$DN_ID" addr add "$DN_FAR/32" dev "drv${DN_ID}r" &&
  for ns in "drc$DN_ID" "drr$DN_ID"; do
    ip -n "$ns" link set lo up || return 1
  done &&
  ip -n "drc$DN_ID" link set "drv${DN_ID}c" up &&
  ip -n "drr$DN_ID" link set "drv${DN_ID}r" up || return 1
  _dn_pki || return 1
  dr_img_oci "$DN_DIR/oci" 2 4096 v1 || return 1
  OCI_DIGEST=$DR_IMG_DIGEST
  export OCI_DIGEST
  htpasswd -Bbn "$USR" "$DN_PASS" >"$DN_DIR/htpasswd" 2>/dev/null || return 1
  local p=$DN_DIR/pki
  # the registries, by case (ports: one certs.d directory each)
  _dn_registry "$DN_NET.2:5000" https "$p/server.crt" "$p/server.key" || return 1 # certs.d CA
  _dn_registry "$DN_NET.2:5001" https "$p/server.crt" "$p/server.key" || return 1 # wrong CA
  _dn_registry "$DN_NET.2:5002" https "$p/server.crt" "$p/server.key" || return 1 # no CA
  _dn_registry "$DN_NET.2:5003" https "$p/server.crt" "$p/server.key" "$p/clientca.crt" || return 1
  _dn_registry "$DN_NET.2:5004" https "$p/server.crt" "$p/server.key" "$p/clientca.crt" || return 1
  _dn_registry "$DN_NET.2:5006" https "$p/server.crt" "$p/server.key" "$p/clientca.crt" || return 1
  _dn_registry "$DN_NET.2:5008" https "$p/server.crt" "$p/server.key" "$p/clientca.crt" || return 1
  _dn_registry "$DN_NET.2:5007" http || return 1                                 # not listed
  _dn_registry "$DN_NET.3:5000" http || return 1                                 # listed by name
  _dn_registry "$DN_NET.9:5000" https "$p/self.crt" "$p/self.key" || return 1   # in a listed CIDR
  _dn_registry "$DN_NET.9:5001" http || return 1                                 # in a listed CIDR
  _dn_registry "$DN_FAR:5000" https "$p/server.crt" "$p/server.key" || return 1   # behind the proxy
  _dn_proxy || return 1
  _dn_certs "$DN_NET.2:5000" "$p/ca.crt:ca.crt" || return 1
  _dn_certs "$DN_FAR:5000" "$p/ca.crt:ca.crt" || return 1
  _dn_certs "$DN_NET.2:5001" "$p/otherca.crt:ca.crt" || return 1
  _dn_certs "$DN_NET.2:5003" "$p/ca.crt:ca.crt" "$p/client.crt:client.cert" "$p/client.key:client.key" ||
    return 1
  _dn_certs "$DN_NET.2:5004" "$p/ca.crt:ca.crt" || return 1
  # two pairs: the first by name from a CA the registry does not take
  _dn_certs "$DN_NET.2:5006" "$p/ca.crt:ca.crt" "$p/other.crt:a.cert" "$p/other.key:a.key" \
    "$p/client.crt:b.cert" "$p/client.key:b.key" || return 1
  # one pair, from a CA the registry does not take
  _dn_certs "$DN_NET.2:5008" "$p/ca.crt:ca.crt" "$p/other.crt:a.cert" "$p/other.key:a.key" || return 1
  # a client certificate without its key (no registry needed: refused before)
  _dn_certs "$DN_NET.2:5005" "$p/ca.crt:ca.crt" "$p/client.crt:client.cert" || return 1
  DR_DOCKERD_JSON="{\"insecure-registries\": [\"$DN_NET.3:5000\", \"$DN_NET.8/29\"]}"
  printf '%s\n' "$DR_DOCKERD_JSON" >"$DN_ETC/daemon.json"
  cat >"$DN_DIR/wrap" <<EOF
#!/bin/sh
# dockerd on the Dokku host, with the test's /etc/docker (nsenter, not ip netns
# exec: that one mounts a new /sys, without the cgroup tree dockerd needs)
exec nsenter --net=/run/netns/drc$DN_ID unshare -m --propagation private \
  sh -c 'mount --bind "\$0" /etc/docker && exec "\$@"' "$DN_ETC" "\$@"
EOF
  chmod +x "$DN_DIR/wrap"
  # the docker CLI alone on its PATH: with no `pass` and no credential helper
  # found it keeps what it stores in its own (test) config.json
  mkdir -p "$DN_DIR/bin" && ln -s "$(command -v docker)" "$DN_DIR/bin/docker" || return 1
  DR_DOCKERD_WRAPPER=$DN_DIR/wrap dr_dockerd_start "$DN_DIR/d" || return 1
  export DOCKER_HOST
  export DR_DOCKER_CERTS_D=$DN_ETC/certs.d DR_DOCKER_DAEMON_JSON=$DN_ETC/daemon.json
}

teardown_file() {
  _dr_kill "${DN_PROXY_PID:-}" tinyproxy
  dr_dockerd_stop
  dr_env_stop
  [ -n "${DN_ID:-}" ] && ip netns del "drc$DN_ID" 2>/dev/null
  [ -n "${DN_ID:-}" ] && ip netns del "drr$DN_ID" 2>/dev/null
  [ -n "${DN_DIR:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$DN_DIR"
  return 0
}

setup() {
  DOKKU_ROOT=$BATS_TEST_TMPDIR/dokku-root
  DOKKU_LIB_ROOT=$BATS_TEST_TMPDIR/dokku-lib
  mkdir -p "$DOKKU_ROOT" "$DOKKU_LIB_ROOT/config/registry"
  export DOKKU_ROOT DOKKU_LIB_ROOT
  export DOCKER_CONFIG=$DOKKU_ROOT/.docker
}

# both CASE HOST: `docker login HOST` through the daemon and `dokku-registry
# login --global HOST` on the Dokku host, same user and password; sets
# D_STATUS/D_OUT (docker) and O_STATUS/O_OUT (ours)
both() {
  local case=$1 host=$2
  D_OUT=$(printf '%s\n' "$DN_PASS" | PATH=$DN_DIR/bin docker --config "$BATS_TEST_TMPDIR/docker-cli" login \
    --username "$USR" --password-stdin "$host" 2>&1) && D_STATUS=0 || D_STATUS=$?
  O_OUT=$(printf '%s\n' "$DN_PASS" | in_c dokku-registry login --global --password-stdin \
    "$host" "$USR" 2>&1) && O_STATUS=0 || O_STATUS=$?
  printf 'docker (%s): %s\nours (%s): %s\n' "$D_STATUS" "$D_OUT" "$O_STATUS" "$O_OUT"
  [[ $D_OUT != *"$DN_PASS"* && $O_OUT != *"$DN_PASS"* ]] || { echo "the password was printed"; return 1; }
  if [ -n "${DR_VERDICT_LOG:-}" ]; then
    printf '%s | %s | %s\n' "$case" \
      "$([ "$D_STATUS" = 0 ] && echo accepted || echo "refused: $(tail -n 1 <<<"$D_OUT")")" \
      "$([ "$O_STATUS" = 0 ] && echo accepted || echo "refused: $(tail -n 1 <<<"$O_OUT")")" \
      >>"$DR_VERDICT_LOG"
  fi
}

@test "certs.d CA: docker login and dokku-registry login both accept" {
  both "certs.d/<host:port>/ca.crt" "$DN_NET.2:5000"
  [ "$D_STATUS" -eq 0 ]
  [ "$O_STATUS" -eq 0 ]
  [[ $O_OUT == *"Login Succeeded"* ]]
}

@test "certs.d CA: found at /etc/docker/certs.d without the overrides, as dockerd finds it" {
  run in_c unshare -m --propagation private sh -c 'mount --bind "$0" /etc/docker &&
    printf "%s\n" "$DN_PASS" | exec env -u DR_DOCKER_CERTS_D -u DR_DOCKER_DAEMON_JSON \
      dokku-registry login --global --password-stdin "$1" "$2"' "$DN_ETC" "$DN_NET.2:5000" "$USR"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # and without that mount nothing trusts the private CA
  printf '%s\n' "$DN_PASS" >"$BATS_TEST_TMPDIR/pw"
  run in_c env -u DR_DOCKER_CERTS_D dokku-registry login --global --password-stdin \
    "$DN_NET.2:5000" "$USR" <"$BATS_TEST_TMPDIR/pw"
  [ "$status" -ne 0 ]
  [[ $output == *"TLS error talking to $DN_NET.2:5000"* ]]
}

@test "certs.d with another CA: both refuse, ours names the CAs it tried" {
  both "certs.d/<host:port>/ca.crt of another CA" "$DN_NET.2:5001"
  [ "$D_STATUS" -ne 0 ]
  [[ $D_OUT == *"certificate signed by unknown authority"* ]]
  [ "$O_STATUS" -ne 0 ]
  [[ $O_OUT == *"TLS error talking to $DN_NET.2:5001: "*"its certificate is signed neither by a system CA nor by the 1 in $DN_ETC/certs.d/$DN_NET.2:5001/*.crt; use --insecure only for a registry you trust"* ]]
}

@test "no CA anywhere: both refuse, ours says where docker looks" {
  both "no CA for the private CA" "$DN_NET.2:5002"
  [ "$D_STATUS" -ne 0 ]
  [[ $D_OUT == *"certificate signed by unknown authority"* ]]
  [ "$O_STATUS" -ne 0 ]
  [[ $O_OUT == *"TLS error talking to $DN_NET.2:5002: "*"; no CA for it in $DN_ETC/certs.d/$DN_NET.2:5002/ (docker trusts the *.crt there, e.g. ca.crt)"* ]]
}

@test "no CA in certs.d, SSL_CERT_FILE naming it: ours accepts (the variable libcurl ignores)" {
  printf '%s\n' "$DN_PASS" >"$BATS_TEST_TMPDIR/pw"
  run in_c env SSL_CERT_FILE="$DN_DIR/pki/ca.crt" dokku-registry login --global --password-stdin \
    "$DN_NET.2:5002" "$USR" <"$BATS_TEST_TMPDIR/pw"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "client certificate pair in certs.d: both accept" {
  both "client certificate required, pair in certs.d" "$DN_NET.2:5003"
  [ "$D_STATUS" -eq 0 ]
  [ "$O_STATUS" -eq 0 ]
}

@test "client certificate required, none in certs.d: both refuse, ours says so" {
  both "client certificate required, none in certs.d" "$DN_NET.2:5004"
  [ "$D_STATUS" -ne 0 ]
  [ "$O_STATUS" -ne 0 ]
  [[ $O_OUT == *"TLS error talking to $DN_NET.2:5004: "*"; the registry wants a client certificate: none in $DN_ETC/certs.d/$DN_NET.2:5004/"* ]]
}

@test "two client certificate pairs, the first from a CA the registry does not take: both accept" {
  both "two pairs in certs.d, the second from the registry's client CA" "$DN_NET.2:5006"
  [ "$D_STATUS" -eq 0 ]
  [ "$O_STATUS" -eq 0 ]
}

@test "one client certificate pair, from a CA the registry does not take: both refuse, ours says so" {
  both "one pair in certs.d, from another CA" "$DN_NET.2:5008"
  [ "$D_STATUS" -ne 0 ]
  [ "$O_STATUS" -ne 0 ]
  [[ $O_OUT == *"TLS error talking to $DN_NET.2:5008: "*"; the registry wants a client certificate from a CA none of the 1 in $DN_ETC/certs.d/$DN_NET.2:5008/ comes from"* ]]
}

@test "a client certificate without its key: both refuse before connecting, with dockerd's words" {
  both "client.cert without client.key" "$DN_NET.2:5005"
  [ "$D_STATUS" -ne 0 ]
  [[ $D_OUT == *"missing key client.key for client certificate client.cert"* ]]
  [ "$O_STATUS" -ne 0 ]
  [[ $O_OUT == *"$DN_ETC/certs.d/$DN_NET.2:5005: missing key client.key for client certificate client.cert. CA certificates must use the extension .crt"* ]]
}

@test "plain http, not listed as insecure: both refuse, ours points at insecure-registries" {
  both "plain http, not in insecure-registries" "$DN_NET.2:5007"
  [ "$D_STATUS" -ne 0 ]
  [[ $D_OUT == *"server gave HTTP response to HTTPS client"* ]]
  [ "$O_STATUS" -ne 0 ]
  [[ $O_OUT == *"TLS error talking to $DN_NET.2:5007: "*"; it answers plain http, which docker uses only for a registry in insecure-registries ($DN_ETC/daemon.json)"* ]]
}

@test "insecure-registries by name (host:port), plain http: both accept" {
  both "insecure-registries name, http" "$DN_NET.3:5000"
  [ "$D_STATUS" -eq 0 ]
  [ "$O_STATUS" -eq 0 ]
}

@test "insecure-registries by CIDR, https with a self-signed certificate: both accept" {
  both "insecure-registries CIDR, https self-signed" "$DN_NET.9:5000"
  [ "$D_STATUS" -eq 0 ]
  [ "$O_STATUS" -eq 0 ]
}

@test "insecure-registries by CIDR, plain http: both accept" {
  both "insecure-registries CIDR, http" "$DN_NET.9:5001"
  [ "$D_STATUS" -eq 0 ]
  [ "$O_STATUS" -eq 0 ]
}

@test "a daemon.json dockerd would not start with: ours refuses and names it" {
  printf '{"insecure-registries": "%s"}\n' "$DN_NET.3:5000" >"$BATS_TEST_TMPDIR/daemon.json"
  printf '%s\n' "$DN_PASS" >"$BATS_TEST_TMPDIR/pw"
  run in_c env DR_DOCKER_DAEMON_JSON="$BATS_TEST_TMPDIR/daemon.json" dokku-registry login --global \
    --password-stdin "$DN_NET.3:5000" "$USR" <"$BATS_TEST_TMPDIR/pw"
  [ "$status" -ne 0 ]
  [[ $output == *"$BATS_TEST_TMPDIR/daemon.json: \"insecure-registries\" must be a list of strings"* ]]
}

# login_ours HOST: a global dokku-registry login on the Dokku host
login_ours() {
  printf '%s\n' "$DN_PASS" | in_c dokku-registry login --global --password-stdin "$1" "$USR" >/dev/null
}

# push_and_pull HOST: the daemonless pusher sends an OCI layout to HOST, then
# dockerd (with the same settings) pulls it back: same manifest digest
push_and_pull() {
  local host=$1 ref
  ref="$host/e2e/daemon-settings:v1"
  login_ours "$host" || { echo "login to $host failed"; return 1; }
  run in_c dokku-registry push-image --quiet oci:"$DN_DIR/oci:v1" "$ref"
  [ "$status" -eq 0 ] || { echo "push-image: $output"; return 1; }
  printf '%s\n' "$DN_PASS" | PATH=$DN_DIR/bin docker --config "$BATS_TEST_TMPDIR/docker-cli" login \
    --username "$USR" --password-stdin "$host" >/dev/null || { echo "docker login $host failed"; return 1; }
  run env PATH="$DN_DIR/bin" docker --config "$BATS_TEST_TMPDIR/docker-cli" pull "$ref"
  [ "$status" -eq 0 ] || { echo "docker pull: $output"; return 1; }
  [[ $output == *"Digest: $OCI_DIGEST"* ]] || { echo "docker pull: $output (want $OCI_DIGEST)"; return 1; }
  PATH=$DN_DIR/bin docker image rm "$ref" >/dev/null
}

@test "pusher: to a registry with its CA and a client certificate in certs.d; dockerd pulls it back" {
  push_and_pull "$DN_NET.2:5003"
}

@test "pusher: to a registry in an insecure CIDR (self-signed https); dockerd pulls it back" {
  push_and_pull "$DN_NET.9:5000"
}

@test "pusher: to an insecure registry by name (plain http); dockerd pulls it back" {
  push_and_pull "$DN_NET.3:5000"
}

@test "pusher: no CA for the registry: refused with the reason, nothing pushed" {
  login_ours "$DN_NET.2:5000"
  run in_c env DR_DOCKER_CERTS_D="$BATS_TEST_TMPDIR/empty" dokku-registry push-image --quiet \
    oci:"$DN_DIR/oci:v1" "$DN_NET.2:5000/e2e/refused:v1"
  [ "$status" -ne 0 ]
  [[ $output == *"TLS error talking to $DN_NET.2:5000: "*"no CA for it in $BATS_TEST_TMPDIR/empty/$DN_NET.2:5000/"* ]]
  run in_c curl -s -o /dev/null -w '%{http_code}' --cacert "$DN_DIR/pki/ca.crt" -u "$USR:$DN_PASS" \
    "https://$DN_NET.2:5000/v2/e2e/refused/manifests/v1"
  [ "$output" = 404 ]
}

@test "doctor --network: checks stored logins with the daemon's settings" {
  login_ours "$DN_NET.2:5000"
  login_ours "$DN_NET.9:5000"
  run in_c dokku-registry doctor --network
  [[ $output == *"$DN_NET.2:5000 accepts the stored credentials"* ]] || { echo "$output"; false; }
  [[ $output == *"$DN_NET.9:5000 accepts the stored credentials"* ]]
  # without certs.d the private CA is not trusted, and doctor says where docker looks
  run in_c env DR_DOCKER_CERTS_D="$BATS_TEST_TMPDIR/empty" dokku-registry doctor --network
  [[ $output == *"$DN_NET.2:5000 ("*"no CA for it in $BATS_TEST_TMPDIR/empty/$DN_NET.2:5000/"* ]] ||
    { echo "$output"; false; }
  [[ $output == *"$DN_NET.9:5000 accepts the stored credentials"* ]]
}

# ours_via JSON [ENV...]: dokku-registry login to the registry behind the proxy
# with JSON as daemon.json (dockerd 20.10 refuses a "proxies" key, so this has
# no docker login side)
ours_via() {
  printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/daemon.json"
  shift
  printf '%s\n' "$DN_PASS" >"$BATS_TEST_TMPDIR/pw"
  run in_c env DR_DOCKER_DAEMON_JSON="$BATS_TEST_TMPDIR/daemon.json" "$@" dokku-registry login \
    --global --password-stdin "$DN_FAR:5000" "$USR" <"$BATS_TEST_TMPDIR/pw"
}

proxied() { grep -c "CONNECT $DN_FAR:5000" "$DN_DIR/tinyproxy.log" 2>/dev/null || true; }

@test "proxies: no proxy at all, the registry behind the proxy is unreachable (control)" {
  ours_via '{}'
  [ "$status" -ne 0 ]
  [[ $output == *"cannot reach registry $DN_FAR:5000"* ]] || { echo "$output"; false; }
}

@test "proxies: daemon.json's https-proxy carries the login, TLS checked through the tunnel" {
  local before
  before=$(proxied)
  ours_via "{\"proxies\": {\"https-proxy\": \"http://$DN_NET.2:8888\"}}"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(proxied)" -gt "$before" ]
}

@test "proxies: daemon.json's https-proxy replaces the environment's" {
  ours_via "{\"proxies\": {\"https-proxy\": \"http://$DN_NET.2:8888\"}}" \
    https_proxy="http://$DN_NET.2:9" HTTPS_PROXY="http://$DN_NET.2:9"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "proxies: daemon.json's no-proxy naming the host: no proxy for it" {
  ours_via "{\"proxies\": {\"https-proxy\": \"http://$DN_NET.2:8888\", \"no-proxy\": \"$DN_FAR\"}}"
  [ "$status" -ne 0 ]
  [[ $output == *"cannot reach registry $DN_FAR:5000"* ]] || { echo "$output"; false; }
}

@test "proxies: without proxies in daemon.json the environment's https_proxy is used" {
  ours_via '{}' https_proxy="http://$DN_NET.2:8888"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
}
