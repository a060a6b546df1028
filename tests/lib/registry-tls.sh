# shellcheck shell=bash
# tests/lib/registry-tls.sh - extra registries for the registry-client tests.
# Source tests/lib/env.sh first (dr_env_init), then this file:
#
#   rt_python                  the python3 to use (/usr/bin/python3 first); 1 if none
#   rt_make_certs              test CA + server cert for 127.0.0.1/localhost and a
#                              self-signed token-signing cert, all under $DR_DIR/pki
#   rt_registry_start KIND     docker-registry on 127.0.0.1:<free port>; KIND is
#                              tls USER PASS   (https, htpasswd auth, cert from the test CA)
#                              token REALM SERVICE ISSUER   (http, token auth)
#                              sets RT_ADDR (127.0.0.1:port) and RT_PID
#   rt_token_server_start USER PASS SERVICE ISSUER [REFRESH_TOKEN [BAD_AUD_USER [HUGE_USER]]]
#                              tests/lib/token-server.py (with the same password,
#                              BAD_AUD_USER gets tokens the registry refuses and
#                              HUGE_USER a 2 MiB reply); sets RT_TOKEN_PORT, RT_TOKEN_PID;
#                              its request log is $DR_DIR/token-server.jsonl
#   rt_stall_start             a listener that never answers; sets RT_STALL_PORT
#   rt_stop_all                stops the python servers started here (registries
#                              are recorded for dr_env_stop)
#
# Everything lives under $DR_DIR and listens on 127.0.0.1 only.

_rt_err() { printf 'registry-tls: %s\n' "$*" >&2; }

rt_python() {
  if [ -n "${DR_PYTHON:-}" ]; then
    command -v "$DR_PYTHON" || return 1
  elif [ -x /usr/bin/python3 ]; then
    printf '%s\n' /usr/bin/python3
  else
    command -v python3 || return 1
  fi
}

rt_make_certs() {
  local d="$DR_DIR/pki"
  mkdir -p "$d" || return 1
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dr test CA" \
      -keyout "$d/ca.key" -out "$d/ca.crt" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$d/server.key" -out "$d/server.csr" &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/server.ext" &&
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
      -days 2 -extfile "$d/server.ext" -out "$d/server.crt" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dr test token signer" \
      -keyout "$d/token.key" -out "$d/token.crt"
  } >>"$DR_DIR/openssl.log" 2>&1 || { _rt_err "openssl failed: $(tail -n 3 "$DR_DIR/openssl.log")"; return 1; }
  chmod 0600 "$d"/*.key
}

# _rt_wait_port FILE PID: waits for a server to write its port to FILE
_rt_wait_port() {
  for _ in $(seq 1 100); do
    [ -s "$1" ] && { cat "$1"; return 0; }
    _dr_alive "$2" || return 1
    sleep 0.05
  done
  return 1
}

rt_token_server_start() {
  local user=$1 pass=$2 service=$3 issuer=$4 refresh=${5-} bad_aud=${6-} huge=${7-} py pf
  py=$(rt_python) || { _rt_err "no python3"; return 1; }
  pf="$DR_DIR/token-server.port"
  rm -f "$pf"
  TOKEN_SERVER_PASS="$pass" "$py" "$DR_LIB_DIR/token-server.py" --port-file "$pf" \
    --key "$DR_DIR/pki/token.key" --cert "$DR_DIR/pki/token.crt" --issuer "$issuer" \
    --service "$service" --user "$user" --refresh-token "$refresh" \
    --wrong-audience-user "$bad_aud" --huge-user "$huge" \
    --log "$DR_DIR/token-server.jsonl" </dev/null >>"$DR_DIR/token-server.log" 2>&1 \
    3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  RT_TOKEN_PID=$!
  printf '%s\n' "$RT_TOKEN_PID" >>"$DR_DIR/rt-pids"
  RT_TOKEN_PORT=$(_rt_wait_port "$pf" "$RT_TOKEN_PID") ||
    { _rt_err "token server did not start: $(tail -n 5 "$DR_DIR/token-server.log")"; return 1; }
  export RT_TOKEN_PID RT_TOKEN_PORT
}

rt_stall_start() {
  local py pf="$DR_DIR/stall.port"
  py=$(rt_python) || { _rt_err "no python3"; return 1; }
  rm -f "$pf"
  "$py" "$DR_LIB_DIR/token-server.py" --stall --port-file "$pf" </dev/null \
    >>"$DR_DIR/stall.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  RT_STALL_PID=$!
  printf '%s\n' "$RT_STALL_PID" >>"$DR_DIR/rt-pids"
  RT_STALL_PORT=$(_rt_wait_port "$pf" "$RT_STALL_PID") ||
    { _rt_err "stall server did not start"; return 1; }
  export RT_STALL_PID RT_STALL_PORT
}

rt_stop_all() {
  local pid
  [ -f "$DR_DIR/rt-pids" ] || return 0
  while read -r pid; do
    # the token and stall servers, and tests/e2e/hostile-helpers.bash's hr_start
    _dr_kill "$pid" 'token-server.py\|hostile-registry.py'
  done <"$DR_DIR/rt-pids"
  : >"$DR_DIR/rt-pids"
}

rt_registry_start() {
  local kind=${1:?usage: rt_registry_start tls USER PASS | token REALM SERVICE ISSUER}
  local name port code scheme=http auth tls=""
  shift
  name="reg-$kind-$RANDOM"
  mkdir -p "$DR_DIR/$name-data"
  case $kind in
    tls)
      htpasswd -Bbn "$1" "$2" >"$DR_DIR/$name.htpasswd" 2>/dev/null || { _rt_err "htpasswd failed"; return 1; }
      auth="  htpasswd:
    realm: dr-test-tls
    path: $DR_DIR/$name.htpasswd"
      tls="  tls:
    certificate: $DR_DIR/pki/server.crt
    key: $DR_DIR/pki/server.key"
      scheme=https ;;
    token)
      auth="  token:
    realm: $1
    service: $2
    issuer: $3
    rootcertbundle: $DR_DIR/pki/token.crt" ;;
    *) _rt_err "unknown registry kind $kind"; return 1 ;;
  esac
  for _ in $(seq 1 10); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    _dr_port_free "$port" || continue
    cat >"$DR_DIR/$name.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DR_DIR/$name-data
http:
  addr: 127.0.0.1:$port
  secret: dr-test-secret-$RANDOM$RANDOM
$tls
auth:
$auth
health:
  storagedriver:
    enabled: false
EOF
    docker-registry serve "$DR_DIR/$name.yml" >>"$DR_DIR/$name.log" 2>&1 </dev/null \
      3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    RT_PID=$!
    _dr_record_pid registry "$RT_PID"
    for _ in $(seq 1 50); do
      _dr_alive "$RT_PID" || break
      code=$(curl -sk -o /dev/null -m 1 -w '%{http_code}' "$scheme://127.0.0.1:$port/v2/" 2>/dev/null)
      if [ "$code" = 401 ]; then
        RT_ADDR="127.0.0.1:$port"
        export RT_ADDR RT_PID
        return 0
      fi
      sleep 0.1
    done
    _dr_kill "$RT_PID" docker-registry
  done
  _rt_err "docker-registry ($kind) did not start: $(tail -n 5 "$DR_DIR/$name.log" 2>/dev/null)"
  return 1
}
