#!/usr/bin/env bats
# Dokku on k3s (README "Dokku on k3s"):
# k8s:pull-secret prints an app's image pull Secret with the credentials
# resolved through the helpers, k8s:sync puts it into the cluster and sets
# scheduler-k3s image-pull-secrets, and login/logout/post-release-builder do
# it by themselves for apps on k3s.
#
# Real: a private D-Bus with an unlocked gnome-keyring, docker-registry with
# htpasswd (alice, bob) on 127.0.0.1, skopeo, Debian's docker-credential-pass
# with a GnuPG key made at test time, openssl for every certificate.
# Stand-ins, for what cannot run here: the Kubernetes API server
# (tests/lib/kube-apiserver.py, HTTPS with a CA and client certificates made
# at test time), an ECR-like helper (no AWS account), and the docker CLI of
# the deploy test (release-helpers.bash: no docker daemon).

bats_require_minimum_version 1.5.0

load release-helpers
load dokku-login-helpers
# shellcheck source=../lib/kube.sh
source "$BATS_TEST_DIRNAME/../lib/kube.sh"
# shellcheck source=../lib/gpg-pass.sh
source "$BATS_TEST_DIRNAME/../lib/gpg-pass.sh"

ECR_HOST=123456789012.dkr.ecr.us-east-1.amazonaws.com

setup_file() {
  drl_setup_file || return 1
  dr_kube_certs "$DRL_DIR/certs" || return 1
  dr_kube_start "$DRL_DIR/cluster" || return 1
  dr_gpg_init "$DRL_DIR" || return 1
  # the ECR-like helper: what amazon-ecr-credential-helper answers with a
  # cached token (a stand-in: there is no AWS account here)
  mkdir -p "$DRL_DIR/bin"
  cat >"$DRL_DIR/bin/docker-credential-ecr-login" <<'EOF'
#!/bin/bash
[ "${1-}" = get ] || { echo 'not implemented'; exit 1; }
host=$(cat)
host=${host#https://}; host=${host%%/*}
if [[ $host =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$ ]]; then
  printf '{"Username":"AWS","Secret":"ecr-tok-%s"}\n' "${host%%.*}"; exit 0
fi
echo 'credentials not found in native keychain'; exit 1
EOF
  # a helper that records its own and its parent's argv and environment,
  # then answers as docker-credential-dokku (the parent is dokku-registry)
  cat >"$DRL_DIR/bin/docker-credential-spy" <<'EOF'
#!/bin/bash
{
  tr '\0' ' ' </proc/$$/cmdline; echo
  tr '\0' '\n' </proc/$$/environ
  tr '\0' ' ' </proc/$PPID/cmdline; echo
  tr '\0' '\n' </proc/$PPID/environ
} >>"$SPY_LOG" 2>/dev/null
exec docker-credential-dokku "$@"
EOF
  chmod 0755 "$DRL_DIR/bin/"*
}

teardown_file() {
  dr_kube_stop
  dr_gpg_stop
  drl_teardown_file
}

setup() {
  drl_setup || return 1
  export PATH="$DR_BUILD_DIR:$DRL_DIR/bin:${PATH#"$DR_BUILD_DIR":}"
  export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
  export SPY_LOG="$BATS_TEST_TMPDIR/spy.log"
  KC_DIR="$BATS_TEST_TMPDIR/kube"
  mkdir -p "$KC_DIR"
  KC="$KC_DIR/k3s.yaml"
  dr_kube_kubeconfig "$KC" || return 1
  write_prop_k3s --global kubeconfig-path "$KC"
  printf '{"namespaces":["default","apps"],"objects":{}}\n' >"$DR_KUBE_STATE"
  : >"$DR_KUBE_LOG"
  create_app app1
  on_k3s app1
}

# write_prop_k3s APP|--global PROPERTY VALUE / on_k3s APP: Dokku's own
# property files ($DOKKU_LIB_ROOT/config/<plugin>/<app>/<property>)
write_prop_k3s() {
  mkdir -p "$DOKKU_LIB_ROOT/config/scheduler-k3s/$1" &&
    printf '%s' "$3" >"$DOKKU_LIB_ROOT/config/scheduler-k3s/$1/$2"
}
on_k3s() {
  mkdir -p "$DOKKU_LIB_ROOT/config/scheduler/$1" &&
    printf k3s >"$DOKKU_LIB_ROOT/config/scheduler/$1/selected"
}
k3s_prop() { cat "$DOKKU_LIB_ROOT/config/scheduler-k3s/$1/$2" 2>/dev/null; }

# cluster_secret NS/NAME: the object the cluster holds (jq -c), "null" if none
cluster_secret() { jq -c --arg k "$1" '.objects[$k]' "$DR_KUBE_STATE"; }
# dockercfg_of JSON: the decoded .dockerconfigjson of a Secret
dockercfg_of() { jq -r '.data[".dockerconfigjson"]' <<<"$1" | base64 -d; }
requests() { jq -r '"\(.method) \(.path) \(.status)"' "$DR_KUBE_LOG"; }

# registry_accepts USER PW: skopeo logs in to the real registry with them
# (password on stdin) and reads the test image's manifest
registry_accepts() {
  local auth="$BATS_TEST_TMPDIR/skopeo-auth.json" out
  out=$(printf '%s' "$2" | skopeo login --tls-verify=false --authfile "$auth" \
    -u "$1" --password-stdin "$R" 2>&1) || { echo "skopeo login failed: $out" >&2; return 1; }
  out=$(skopeo inspect --tls-verify=false --authfile "$auth" "docker://$R/$IMAGE" 2>&1) ||
    { echo "skopeo inspect failed: $out" >&2; rm -f "$auth"; return 1; }
  rm -f "$auth"
}

# ---------------------------------------------------------------------------
# k8s:pull-secret

@test "pull-secret: the app's keyring login, decoded, logs in to the real registry" {
  login_app app1 alice "$PW_A"
  drr registry:k8s:pull-secret app1
  assert_status 0
  assert_eq "$(jq -r .kind <<<"$output")/$(jq -r .type <<<"$output")" Secret/kubernetes.io/dockerconfigjson kind
  assert_eq "$(jq -r .metadata.name <<<"$output")" dokku-registry-app1 name
  assert_eq "$(jq -r .metadata.namespace <<<"$output")" default namespace
  assert_eq "$(jq -r '.metadata.labels["app.kubernetes.io/managed-by"]' <<<"$output")" dokku-registry label
  local cfg user pw
  cfg=$(dockercfg_of "$output")
  user=$(jq -r --arg r "$R" '.auths[$r].username' <<<"$cfg")
  pw=$(jq -r --arg r "$R" '.auths[$r].password' <<<"$cfg")
  assert_eq "$user:$pw" "alice:$PW_A" "auths[$R]"
  assert_eq "$(jq -r --arg r "$R" '.auths[$r].auth' <<<"$cfg" | base64 -d)" "alice:$PW_A" "auth field"
  registry_accepts "$user" "$pw"
  # and a wrong password would not have passed that check
  run ! registry_accepts alice "not-$PW_A"
  assert_no_secret_on_disk alice "$PW_A"
}

@test "pull-secret: the app's own login wins over the global one; --name and --namespace" {
  login_global bob "$PW_B"
  login_app app1 alice "$PW_A"
  drr registry:k8s:pull-secret app1 --name my-pull --namespace apps
  assert_status 0
  assert_eq "$(jq -r '.metadata.name + " " + .metadata.namespace' <<<"$output")" "my-pull apps" target
  assert_eq "$(dockercfg_of "$output" | jq -r --arg r "$R" '.auths[$r].username')" alice user
  # another app on the same host sees the global login
  create_app app2
  drr registry:k8s:pull-secret app2
  assert_status 0
  assert_eq "$(dockercfg_of "$output" | jq -r --arg r "$R" '.auths[$r].password')" "$PW_B" "app2 password"
  drr registry:k8s:pull-secret app1 --name Bad_Name
  assert_status 1
  assert_contains "$stderr" "Bad_Name is not a valid Secret name"
}

@test "pull-secret: chained helpers (docker-credential-pass, an ECR-like helper) and identity tokens" {
  dr_pass_init "$BATS_TEST_TMPDIR/pass" || return 1
  creds_json "$R" bob "$PW_B" | docker-credential-pass store
  must registry:helpers:set '*.dkr.ecr.*.amazonaws.com' ecr-login
  mkdir -p "$GDIR"
  # the global config as an operator leaves it: pass for the registry, the
  # keyring (chaining to ecr-login) for the rest
  jq -n --arg r "$R" '{credsStore:"dokku", credHelpers:{($r):"pass"}}' >"$GDIR/config.json"
  write_prop app1 server "$ECR_HOST"
  drr registry:k8s:pull-secret app1
  assert_status 0
  local cfg
  cfg=$(dockercfg_of "$output")
  assert_eq "$(jq -c --arg h "$ECR_HOST" '.auths[$h] | [.username, .password]' <<<"$cfg")" \
    '["AWS","ecr-tok-123456789012"]' "ECR entry"
  assert_eq "$(jq -r --arg r "$R" '.auths[$r].username + ":" + .auths[$r].password' <<<"$cfg")" \
    "bob:$PW_B" "pass entry"
  registry_accepts bob "$(jq -r --arg r "$R" '.auths[$r].password' <<<"$cfg")"
  # an app with a config of its own (a plaintext identity token: no store
  # there, so docker reads it) gets that config only, as docker would with
  # Dokku's --config: none of the global logins
  mkdir -p "$(appdir app1)"
  printf '{"auths":{"tok.example.com":{"identitytoken":"idt-123"}}}\n' >"$(appdir app1)/config.json"
  drr registry:k8s:pull-secret app1
  assert_status 0
  cfg=$(dockercfg_of "$output")
  assert_eq "$(jq -c '.auths' <<<"$cfg")" '{"tok.example.com":{"identitytoken":"idt-123"}}' "app's own auths"
  assert_contains "$stderr" "identity token"
  assert_contains "$stderr" "No login for $ECR_HOST (the registry of app1)"
}

@test "pull-secret: no password in argv, environment or files of any child, or on disk" {
  login_app app1 alice "$PW_A"
  # send the registry through the recording helper
  jq --arg r "$R" '.credHelpers[$r] = "spy"' "$(appdir app1)/config.json" >"$BATS_TEST_TMPDIR/c.json"
  cp "$BATS_TEST_TMPDIR/c.json" "$(appdir app1)/config.json"
  # the harness's own copies of the passwords must not be what the spy finds
  run --separate-stderr env -u PW_A -u PW_B -u DR_REGISTRY_PASS dokku-registry registry:k8s:pull-secret app1
  assert_status 0
  assert_eq "$(dockercfg_of "$output" | jq -r --arg r "$R" '.auths[$r].password')" "$PW_A" password
  [ -s "$SPY_LOG" ] || { echo "the spy helper did not run" >&2; return 1; }
  grep -q 'dokku-registry registry:k8s:pull-secret app1' "$SPY_LOG"
  run grep -c -F -e "$PW_A" -e "$(b64 "alice:$PW_A")" "$SPY_LOG"
  assert_eq "$output" 0 "password in argv/environ"
  run grep -r -l -F -e "$PW_A" "$BATS_TEST_TMPDIR" "$DRL_DIR/cluster"
  assert_eq "$output" "" "files holding the password"
}

# ---------------------------------------------------------------------------
# k8s:sync

@test "sync: creates, then updates; sets image-pull-secrets; the cluster's secret logs in" {
  login_app app1 alice "$PW_A" # (itself syncs: see the login test below)
  printf '{"namespaces":["default","apps"],"objects":{}}\n' >"$DR_KUBE_STATE"
  : >"$DR_KUBE_LOG"
  rm -f "$DOKKU_LIB_ROOT/config/scheduler-k3s/app1/image-pull-secrets"
  drr registry:k8s:sync app1
  assert_status 0
  assert_eq "$output" "-----> Syncing the image pull secret of app1
       Secret default/dokku-registry-app1 created in cluster default (1 registry)
       Set scheduler-k3s image-pull-secrets of app1 to dokku-registry-app1" stdout
  assert_eq "$(k3s_prop app1 image-pull-secrets)" dokku-registry-app1 property
  assert_eq "$(stat -c %a "$DOKKU_LIB_ROOT/config/scheduler-k3s/app1/image-pull-secrets")" 600 "property mode"
  drr registry:k8s:sync app1
  assert_status 0
  assert_contains "$output" "Secret default/dokku-registry-app1 updated"
  assert_eq "$(requests)" "GET /api/v1/namespaces/default/secrets/dokku-registry-app1 404
PATCH /api/v1/namespaces/default/secrets/dokku-registry-app1 201
GET /api/v1/namespaces/default/secrets/dokku-registry-app1 200
PATCH /api/v1/namespaces/default/secrets/dokku-registry-app1 200" requests
  assert_eq "$(jq -r '[.query.fieldManager, .query.force, .content_type, .auth] | join(" ")' "$DR_KUBE_LOG" | sort -u | tail -1)" \
    "dokku-registry true application/apply-patch+yaml cert:dokku" "apply request"
  local s
  s=$(cluster_secret default/dokku-registry-app1)
  assert_eq "$(jq -r '.type + " " + .metadata.annotations["dokku-registry/app"] + " " + .metadata.resourceVersion' <<<"$s")" \
    "kubernetes.io/dockerconfigjson app1 2" secret
  registry_accepts alice "$(dockercfg_of "$s" | jq -r --arg r "$R" '.auths[$r].password')"
}

@test "sync: a kubeconfig with file references, or a bearer token file" {
  login_app app1 alice "$PW_A"
  dr_kube_kubeconfig "$KC" files
  drr registry:k8s:sync app1
  assert_status 0
  dr_kube_kubeconfig "$KC" token
  drr registry:k8s:sync app1
  assert_status 0
  assert_eq "$(jq -r .auth "$DR_KUBE_LOG" | sort -u | tr '\n' ' ')" "cert:dokku token " "authenticated as"
}

@test "sync: the kubeconfig's CA is the only one trusted, not libcurl's default CA directory; no token to an impostor" {
  [ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace"
  login_app app1 alice "$PW_A"
  # libcurl's built-in CA directory (/etc/ssl/certs, its CAPATH) holding the
  # stand-in's CA: in a mount namespace of this command only
  local certs="$BATS_TEST_TMPDIR/system-certs" good
  mkdir -p "$certs"
  cp "$DR_KUBE_CERTS/server-ca.crt" "$certs/"
  openssl rehash "$certs" >/dev/null 2>&1
  # the default CA file (CAINFO) holds an unrelated CA: only the directory
  # can make the server trusted
  cp "$DR_KUBE_CERTS/client-ca.crt" "$certs/ca-certificates.crt"
  printf '#!/bin/sh\nexec unshare -m sh -c %s %s "$@"\n' \
    "'mount --bind \"\$0\" /etc/ssl/certs && exec dokku-registry \"\$@\"'" "'$certs'" >"$BATS_TEST_TMPDIR/dr-ns"
  chmod +x "$BATS_TEST_TMPDIR/dr-ns"
  DR_BIN="$BATS_TEST_TMPDIR/dr-ns"
  dr_kube_kubeconfig "$KC" token
  good=$(_b64f "$DR_KUBE_CERTS/server-ca.crt")
  # without a CA in the kubeconfig, the default trust applies: it connects
  # (so the namespace works)
  sed -i '/certificate-authority-data:/d' "$KC"
  : >"$DR_KUBE_LOG"
  drr registry:k8s:sync app1
  assert_status 0
  assert_eq "$(jq -r .auth "$DR_KUBE_LOG" | sort -u)" token "authenticated as"
  # the kubeconfig names another CA: the server's certificate is refused
  # although the system would trust it, and nothing reaches the server
  dr_kube_kubeconfig "$KC" token
  sed -i "s|certificate-authority-data: $good|certificate-authority-data: $(_b64f "$DR_KUBE_CERTS/wrong-ca.crt")|" "$KC"
  grep -q "certificate-authority-data: $(_b64f "$DR_KUBE_CERTS/wrong-ca.crt")" "$KC"
  : >"$DR_KUBE_LOG"
  drr registry:k8s:sync app1
  assert_status 1
  assert_contains "$stderr" "TLS with the API server $DR_KUBE_URL failed"
  assert_eq "$(cat "$DR_KUBE_LOG")" "" "requests the stand-in received"
}

@test "sync: wrong client certificate: names app, cluster and fix; the old secret stays" {
  login_app app1 alice "$PW_A"
  local before
  before=$(cluster_secret default/dokku-registry-app1)
  [ "$before" != null ]
  dr_kube_kubeconfig "$KC" wrong
  must registry:login app1 "$R" bob "$PW_B" # its own sync fails, the login does not
  : >"$DR_KUBE_LOG"
  drr registry:k8s:sync app1
  assert_status 1
  assert_contains "$stderr" " !     Unable to sync the image pull secret of app1 to cluster default ($DR_KUBE_URL): reading the Secret: HTTP 401: Unauthorized"
  assert_contains "$stderr" " !     Fix: the cluster does not accept the credentials of user default in $KC"
  assert_contains "$stderr" "kubeconfig-path"
  assert_eq "$(cluster_secret default/dokku-registry-app1)" "$before" "secret in the cluster"
  assert_eq "$(requests)" "GET /api/v1/namespaces/default/secrets/dokku-registry-app1 401" requests
  # a missing kubeconfig says which property to set
  write_prop_k3s --global kubeconfig-path "$KC_DIR/nope.yaml"
  drr registry:k8s:sync app1
  assert_status 1
  assert_contains "$stderr" "kubeconfig $KC_DIR/nope.yaml does not exist"
  assert_contains "$stderr" "dokku scheduler-k3s:set --global kubeconfig-path PATH"
}

@test "sync: a secret it did not create is never overwritten; a missing namespace is named" {
  login_app app1 alice "$PW_A"
  jq '.objects["default/dokku-registry-app1"] = {apiVersion:"v1",kind:"Secret",
      metadata:{name:"dokku-registry-app1",namespace:"default",resourceVersion:"7"},
      type:"Opaque",data:{x:"Zm9yZWlnbg=="},_owners:{"data/x":"kubectl"}}' "$DR_KUBE_STATE" >"$BATS_TEST_TMPDIR/s"
  cp "$BATS_TEST_TMPDIR/s" "$DR_KUBE_STATE"
  rm -f "$DOKKU_LIB_ROOT/config/scheduler-k3s/app1/image-pull-secrets"
  local before
  before=$(cluster_secret default/dokku-registry-app1)
  drr registry:k8s:sync app1
  assert_status 1
  assert_contains "$stderr" "Secret default/dokku-registry-app1 exists and was not created by dokku-registry for app1"
  assert_contains "$stderr" "--name NAME"
  assert_eq "$(cluster_secret default/dokku-registry-app1)" "$before" "foreign secret"
  [ ! -e "$DOKKU_LIB_ROOT/config/scheduler-k3s/app1/image-pull-secrets" ]
  drr registry:k8s:sync app1 --namespace nosuch
  assert_status 1
  assert_contains "$stderr" 'namespaces "nosuch" not found'
  assert_contains "$stderr" "create namespace nosuch"
}

@test "sync: --all syncs the apps on k3s and skips the others with one line" {
  login_global alice "$PW_A"
  create_app app2
  create_app app3
  on_k3s app3
  write_prop_k3s app3 namespace apps
  drr registry:k8s:sync --all
  assert_status 0
  assert_contains "$output" "Secret default/dokku-registry-app1"
  assert_contains "$output" "Secret apps/dokku-registry-app3"
  assert_eq "$(grep -c app2 <<<"$output")" 1 "lines about app2"
  assert_contains "$output" "       Skipping app2: its scheduler is docker-local, not k3s"
  [ "$(cluster_secret default/dokku-registry-app2)" = null ]
  drr registry:k8s:sync app2
  assert_status 0
  assert_eq "$output" "       Skipping app2: its scheduler is docker-local, not k3s" stdout
  drr registry:k8s:sync
  assert_status 1
  drr registry:k8s:sync nosuchapp
  assert_status 20
}

# ---------------------------------------------------------------------------
# the automatic runs

@test "login and logout sync by themselves; logout removes only our secret and property" {
  jq '.objects["default/theirs"] = {apiVersion:"v1",kind:"Secret",
      metadata:{name:"theirs",namespace:"default",resourceVersion:"1"},type:"Opaque",_owners:{}}' \
    "$DR_KUBE_STATE" >"$BATS_TEST_TMPDIR/s"
  cp "$BATS_TEST_TMPDIR/s" "$DR_KUBE_STATE"
  drr registry:login app1 "$R" alice "$PW_A"
  assert_status 0
  assert_contains "$stderr" "Login Succeeded for app1"
  assert_contains "$output" "Secret default/dokku-registry-app1 created"
  assert_eq "$(k3s_prop app1 image-pull-secrets)" dokku-registry-app1 property
  drr registry:logout app1 "$R"
  assert_status 0
  assert_contains "$output" "Secret default/dokku-registry-app1 deleted"
  assert_eq "$(cluster_secret default/dokku-registry-app1)" null "our secret"
  assert_eq "$(cluster_secret default/theirs | jq -r .metadata.name)" theirs "their secret"
  [ ! -e "$DOKKU_LIB_ROOT/config/scheduler-k3s/app1/image-pull-secrets" ]
  # an app not on k3s: login prints exactly what it printed before, no request
  create_app app2
  : >"$DR_KUBE_LOG"
  drr registry:login app2 "$R" alice "$PW_A"
  assert_status 0
  assert_eq "$output" "" stdout
  assert_eq "$stderr" " !     Login Succeeded for app2" stderr
  [ ! -s "$DR_KUBE_LOG" ]
}

@test "login --global syncs every app on k3s; a cluster failure never fails the login" {
  create_app app2
  on_k3s app2
  drr registry:login --global "$R" alice "$PW_A"
  assert_status 0
  [ "$(cluster_secret default/dokku-registry-app1)" != null ]
  [ "$(cluster_secret default/dokku-registry-app2)" != null ]
  dr_kube_kubeconfig "$KC" wrong
  drr registry:login app1 "$R" bob "$PW_B"
  assert_status 0
  assert_contains "$stderr" "Login Succeeded for app1"
  assert_contains "$stderr" "Unable to sync the image pull secret of app1"
  assert_contains "$stderr" "left in place"
  # the old secret (alice, global) is still there
  assert_eq "$(dockercfg_of "$(cluster_secret default/dokku-registry-app1)" | jq -r --arg r "$R" '.auths[$r].username')" \
    alice "user in the cluster's secret"
}

@test "post-release-builder: syncs before the deploy; fails only when the pull could not work" {
  fake_docker_install "$BATS_TEST_TMPDIR/fake" || return 1
  PATH="$BATS_TEST_TMPDIR/fake/bin:$PATH"
  login_app app1 alice "$PW_A"
  printf '{"namespaces":["default","apps"],"objects":{}}\n' >"$DR_KUBE_STATE"
  rm -f "$DOKKU_LIB_ROOT/config/scheduler-k3s/app1/image-pull-secrets"
  write_prop app1 server "$R"
  drr post-release-builder herokuish app1 dokku/app1:latest
  assert_status 0
  assert_contains "$output" "Secret default/dokku-registry-app1 created"
  # cluster unreachable, but image-pull-secrets names the secret already
  # there: the deploy goes on with it
  dr_kube_kubeconfig "$KC" wrong
  drr post-release-builder herokuish app1 dokku/app1:latest
  assert_status 0
  assert_contains "$stderr" "left in place"
  # no secret named: Dokku would copy config.json, whose entry is an empty
  # marker, so the pull would fail: stop here
  rm -f "$DOKKU_LIB_ROOT/config/scheduler-k3s/app1/image-pull-secrets"
  drr post-release-builder herokuish app1 dokku/app1:latest
  assert_status 1
  assert_contains "$stderr" "Not deploying app1"
}

@test "the stand-in's apply semantics: 409 for another manager without force; ours forces" {
  login_app app1 alice "$PW_A"
  local c=$DR_KUBE_CERTS url="$DR_KUBE_URL/api/v1/namespaces/default/secrets/dokku-registry-app1"
  local body='{"apiVersion":"v1","kind":"Secret","metadata":{"name":"dokku-registry-app1","labels":{"app.kubernetes.io/managed-by":"helm"}}}'
  run curl -s -o "$BATS_TEST_TMPDIR/r.json" -w '%{http_code}' --cacert "$c/server-ca.crt" \
    --cert "$c/client.crt" --key "$c/client.key" -X PATCH \
    -H 'Content-Type: application/apply-patch+yaml' --data "$body" "$url?fieldManager=helm"
  assert_eq "$output" 409 "apply by another manager"
  assert_contains "$(jq -r .message "$BATS_TEST_TMPDIR/r.json")" 'conflict with "dokku-registry"'
  run curl -s -o /dev/null -w '%{http_code}' --cacert "$c/server-ca.crt" \
    --cert "$c/client.crt" --key "$c/client.key" -X PATCH \
    -H 'Content-Type: application/apply-patch+yaml' --data "$body" "$url?fieldManager=helm&force=true"
  assert_eq "$output" 200 "forced apply by another manager"
  # now helm's label says the secret is not ours: sync refuses to touch it
  drr registry:k8s:sync app1
  assert_status 1
  assert_contains "$stderr" "was not created by dokku-registry"
}

@test "sync: a renamed or cloned app's copied image-pull-secrets gets its own secret, the old app's stays" {
  login_global alice "$PW_A"
  local old
  old=$(cluster_secret default/dokku-registry-app1)
  [ "$old" = null ] && { must registry:k8s:sync app1; old=$(cluster_secret default/dokku-registry-app1); }
  [ "$old" != null ]
  # what scheduler-k3s' clone leaves behind: app1's property on app2
  create_app app2
  on_k3s app2
  write_prop_k3s app2 image-pull-secrets dokku-registry-app1
  drr registry:k8s:sync app2
  assert_status 0
  assert_contains "$output" "Secret default/dokku-registry-app2 created"
  assert_eq "$(k3s_prop app2 image-pull-secrets)" dokku-registry-app2 "app2 property"
  assert_eq "$(cluster_secret default/dokku-registry-app1)" "$old" "app1's secret"
}

@test "post-release-builder: an app on k3s without logins deploys as with Dokku (no request, no output)" {
  fake_docker_install "$BATS_TEST_TMPDIR/fake" || return 1
  PATH="$BATS_TEST_TMPDIR/fake/bin:$PATH"
  write_prop app1 server ghcr.io
  drr post-release-builder herokuish app1 dokku/app1:latest
  assert_status 0
  assert_eq "$output" "" stdout
  assert_eq "$stderr" "" stderr
  [ ! -s "$DR_KUBE_LOG" ]
  # the explicit command says why the secret is empty
  drr registry:k8s:pull-secret app1
  assert_status 0
  assert_contains "$stderr" "No login for ghcr.io (the registry of app1)"
}

@test "scheduler-post-delete: a deleted app's secret goes, nobody else's; other schedulers: nothing" {
  login_app app1 alice "$PW_A"
  [ "$(cluster_secret default/dokku-registry-app1)" != null ]
  jq '.objects["default/theirs"] = {apiVersion:"v1",kind:"Secret",
      metadata:{name:"theirs",namespace:"default",resourceVersion:"1"},type:"Opaque",_owners:{}}' \
    "$DR_KUBE_STATE" >"$BATS_TEST_TMPDIR/s"
  cp "$BATS_TEST_TMPDIR/s" "$DR_KUBE_STATE"
  : >"$DR_KUBE_LOG"
  drr scheduler-post-delete docker-local app1
  assert_status 0
  [ ! -s "$DR_KUBE_LOG" ]
  drr scheduler-post-delete k3s app1
  assert_status 0
  assert_eq "$output" "       Secret default/dokku-registry-app1 deleted from cluster default (app1 was deleted)
       Unset scheduler-k3s image-pull-secrets of app1" stdout
  assert_eq "$(cluster_secret default/dokku-registry-app1)" null "app1's secret"
  assert_eq "$(cluster_secret default/theirs | jq -r .metadata.name)" theirs "their secret"
  # a name that is not ours is left alone, with nothing printed
  write_prop_k3s app1 image-pull-secrets theirs
  drr scheduler-post-delete k3s app1
  assert_status 0
  assert_eq "$output$stderr" "" output
  assert_eq "$(cluster_secret default/theirs | jq -r .metadata.name)" theirs "their secret"
  # the cluster unreachable: a warning, the deletion goes on
  dr_kube_kubeconfig "$KC" wrong
  write_prop_k3s app1 image-pull-secrets dokku-registry-app1
  drr scheduler-post-delete k3s app1
  assert_status 0
  assert_contains "$stderr" "Unable to sync the image pull secret of app1"
}
