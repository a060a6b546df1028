# shellcheck shell=bash
# tests/lib/kube.sh - the cluster stand-in of the k8s tests (no Kubernetes API
# server can run here; see tests/lib/kube-apiserver.py for what it implements).
#
# Source this file (after env.sh), then:
#   dr_kube_certs DIR      openssl: a server CA and a certificate for 127.0.0.1,
#                          a client CA with a client certificate (CN dokku), and a
#                          second "wrong" CA with a client certificate of its own
#   dr_kube_start DIR      the stand-in on 127.0.0.1:<free port> (exports
#                          DR_KUBE_URL, DR_KUBE_PID, DR_KUBE_STATE, DR_KUBE_LOG)
#   dr_kube_kubeconfig FILE [wrong|token|files]
#                          a kubeconfig for it: inline -data fields (k3s' style),
#                          the wrong client certificate, a bearer token file, or
#                          file references relative to the kubeconfig
#   dr_kube_stop
# Functions print diagnostics on stderr and return non-zero on failure.

_dr_kube_err() { printf 'kube: %s\n' "$*" >&2; }

_dr_kube_ca() { # DIR NAME CN
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=$3" -keyout "$1/$2.key" -out "$1/$2.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign >/dev/null 2>&1
}

_dr_kube_leaf() { # DIR NAME CA SUBJ EXT
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$4" \
    -keyout "$1/$2.key" -out "$1/$2.csr" >/dev/null 2>&1 &&
    printf '%s\n' "$5" >"$1/$2.ext" &&
    openssl x509 -req -in "$1/$2.csr" -CA "$1/$3.crt" -CAkey "$1/$3.key" -CAcreateserial \
      -days 2 -extfile "$1/$2.ext" -out "$1/$2.crt" >/dev/null 2>&1
}

dr_kube_certs() {
  local d=${1:?usage: dr_kube_certs DIR}
  mkdir -p "$d" && chmod 700 "$d" || return 1
  if ! { _dr_kube_ca "$d" server-ca kube-server-ca &&
    _dr_kube_ca "$d" client-ca kube-client-ca &&
    _dr_kube_ca "$d" wrong-ca some-other-ca &&
    _dr_kube_leaf "$d" server server-ca /CN=kube-apiserver \
      "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth" &&
    _dr_kube_leaf "$d" client client-ca "/O=system:masters/CN=dokku" "extendedKeyUsage=clientAuth" &&
    _dr_kube_leaf "$d" wrong wrong-ca "/O=system:masters/CN=dokku" "extendedKeyUsage=clientAuth"; }; then
    _dr_kube_err "openssl could not make the certificates"
    return 1
  fi
  printf 'tok-%s%s\n' "$RANDOM" "$RANDOM" >"$d/token"
  export DR_KUBE_CERTS="$d"
}

dr_kube_start() {
  local d=${1:?usage: dr_kube_start DIR} c=${DR_KUBE_CERTS:?call dr_kube_certs first}
  mkdir -p "$d" || return 1
  export DR_KUBE_STATE="$d/state.json" DR_KUBE_LOG="$d/requests.log"
  rm -f "$d/port"
  : >"$DR_KUBE_LOG"
  "$DR_PYTHON" "$DR_LIB_DIR/kube-apiserver.py" --cert "$c/server.crt" --key "$c/server.key" \
    --trust "$c/client-ca.crt" --trust "$c/wrong-ca.crt" --client-ca-cn kube-client-ca \
    --token-file "$c/token" --state "$DR_KUBE_STATE" --log "$DR_KUBE_LOG" \
    --port-file "$d/port" >>"$d/server.log" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  DR_KUBE_PID=$!
  export DR_KUBE_PID
  _dr_record_pid kube "$DR_KUBE_PID"
  for _ in $(seq 1 100); do
    [ -s "$d/port" ] && break
    _dr_alive "$DR_KUBE_PID" || break
    sleep 0.05
  done
  [ -s "$d/port" ] || { _dr_kube_err "stand-in did not start: $(tail -n 5 "$d/server.log")"; return 1; }
  DR_KUBE_URL="https://127.0.0.1:$(cat "$d/port")"
  export DR_KUBE_URL
}

dr_kube_stop() {
  _dr_kill "${DR_KUBE_PID:-}" kube-apiserver.py
  unset DR_KUBE_PID
}

_b64f() { base64 -w0 <"$1"; }

dr_kube_kubeconfig() {
  local f=${1:?usage: dr_kube_kubeconfig FILE [wrong|token|files]} kind=${2:-good}
  local c=$DR_KUBE_CERTS user
  case $kind in
    good) user="    client-certificate-data: $(_b64f "$c/client.crt")
    client-key-data: $(_b64f "$c/client.key")" ;;
    wrong) user="    client-certificate-data: $(_b64f "$c/wrong.crt")
    client-key-data: $(_b64f "$c/wrong.key")" ;;
    token) user="    tokenFile: $c/token" ;;
    files)
      cp "$c/client.crt" "$c/client.key" "$c/server-ca.crt" "$(dirname "$f")/" || return 1
      user="    client-certificate: client.crt
    client-key: client.key" ;;
  esac
  local ca
  ca="    certificate-authority-data: $(_b64f "$c/server-ca.crt")"
  [ "$kind" = files ] && ca="    certificate-authority: server-ca.crt"
  cat >"$f" <<EOF
apiVersion: v1
kind: Config
preferences: {}
clusters:
- cluster:
$ca
    server: $DR_KUBE_URL
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
$user
EOF
  chmod 600 "$f"
}
