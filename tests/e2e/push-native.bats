#!/usr/bin/env bats
# The daemonless pusher (`dokku-registry push-image`, `push --from`) against a
# real docker-registry on 127.0.0.1 (htpasswd, access log on), with images
# made at test time (tests/lib/images.sh), credentials from a real keyring
# (gnome-keyring on a private bus), and skopeo to read back what arrived.

bats_require_minimum_version 1.5.0

_PN_BUILD_DIR=${DR_BUILD_DIR:-}
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/images.sh
source "$BATS_TEST_DIRNAME/../lib/images.sh"
# shellcheck source=../lib/registry-tls.sh
source "$BATS_TEST_DIRNAME/../lib/registry-tls.sh"
[ -n "$_PN_BUILD_DIR" ] && DR_BUILD_DIR=$_PN_BUILD_DIR
DR=dokku-registry

setup_file() {
  [ -x "$DR_BUILD_DIR/$DR" ] || { echo "# $DR_BUILD_DIR/$DR is not built" >&3; return 1; }
  PN_DIR=$(mktemp -d /tmp/dr-push.XXXXXX) || return 1
  export PN_DIR
  dr_env_init "$PN_DIR" || return 1
  export PATH="$DR_BUILD_DIR:$PATH"
  dr_bus_start || return 1
  dr_keyring_start || return 1
  PW="pw-$RANDOM$RANDOM"
  export PW
  dr_registry_start alice "$PW" || return 1
  # the access log shows which requests each push made
  sed -i 's/level: warn/level: info/; s/disabled: true/disabled: false/' "$DR_DIR/registry.yml"
  dr_registry_restart || return 1
  # images, made once
  dr_img_oci "$PN_DIR/oci" 4 200000 v1 || return 1
  OCI_DIGEST=$DR_IMG_DIGEST OCI_CONFIG=$DR_IMG_CONFIG OCI_LAYERS=$DR_IMG_LAYERS
  # one layer over the 1 MiB monolithic limit: chunked upload
  dr_img_oci "$PN_DIR/oci-big" 1 3000000 latest tar || return 1
  BIG_DIGEST=$DR_IMG_DIGEST BIG_LAYERS=$DR_IMG_LAYERS
  dr_img_docker_archive "$PN_DIR/save.tar" 3 100000 e2e/saved:1 || return 1
  SAVE_CONFIG=$DR_IMG_CONFIG SAVE_LAYERS=$DR_IMG_LAYERS
  dr_img_multiarch "$PN_DIR/multi" || return 1
  MULTI_DIGEST=$DR_IMG_DIGEST MULTI_CHILDREN=$DR_IMG_CHILDREN
  export OCI_DIGEST OCI_CONFIG OCI_LAYERS BIG_DIGEST BIG_LAYERS SAVE_CONFIG SAVE_LAYERS \
    MULTI_DIGEST MULTI_CHILDREN
  # plaintext credentials, the default for the tests that are not about them
  mkdir -p "$PN_DIR/plain"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$DR_REGISTRY" "$(printf 'alice:%s' "$PW" | base64 -w0)" \
    >"$PN_DIR/plain/config.json"
}

teardown_file() {
  rt_stop_all
  dr_env_stop
  [ -n "${PN_DIR:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$PN_DIR"
  return 0
}

setup() {
  export DOCKER_CONFIG="$PN_DIR/plain"
  # a restart in an earlier test changed it (tests run in their own shells)
  DR_REGISTRY_PID=$(cat "$DR_DIR/registry.pid")
}

# push ARGS...: push-image with the plaintext credentials
push() { run "$DR" push-image "$@"; }

sk() { skopeo --policy "$(dr_policy_file)" "$@"; }
inspect_raw() { sk inspect --raw --tls-verify=false --creds "alice:$PW" "docker://$DR_REGISTRY/$1"; }
raw_digest() { inspect_raw "$1" | sha256sum | cut -d' ' -f1; }

# assert_no_manifest REPO:TAG
assert_no_manifest() {
  if inspect_raw "$1" >/dev/null 2>&1; then
    echo "a manifest exists for $1" >&2
    return 1
  fi
}

# pull_back REPO:TAG DIR: skopeo copy into an OCI layout; prints the config
# and layer digests of the manifest it wrote
pull_back() {
  sk copy -q --src-tls-verify=false --src-creds "alice:$PW" "docker://$DR_REGISTRY/$1" "oci:$2:x" ||
    return 1
  local m
  m=$(jq -r '.manifests[0].digest' "$2/index.json")
  jq -r '.config.digest, .layers[].digest' "$2/blobs/sha256/${m#sha256:}"
}

log_mark() { wc -l <"$DR_DIR/registry.log"; }
log_since() { tail -n "+$(($1 + 1))" "$DR_DIR/registry.log"; }

assert_contains() {
  case "$1" in *"$2"*) return 0 ;; esac
  printf 'expected to find %q in:\n%s\n' "$2" "$1" >&2
  return 1
}

@test "push-image: an OCI layout arrives byte for byte" {
  push oci:"$PN_DIR/oci:v1" "$DR_REGISTRY/e2e/oci:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "pushed $DR_REGISTRY/e2e/oci:v1 (digest $OCI_DIGEST): 5 uploaded, 0 skipped, 0 mounted"
  assert_contains "$output" "${OCI_CONFIG:7:12}: pushed"
  [ "sha256:$(raw_digest e2e/oci:v1)" = "$OCI_DIGEST" ]
  run pull_back e2e/oci:v1 "$BATS_TEST_TMPDIR/back"
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "$OCI_CONFIG $OCI_LAYERS" ]
}

@test "re-push: every blob exists, nothing is uploaded" {
  push --quiet oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/again:v1"
  [ "$status" -eq 0 ] && [ -z "$output" ]
  mark=$(log_mark)
  push oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/again:v1"
  [ "$status" -eq 0 ]
  assert_contains "$output" "0 uploaded, 5 skipped, 0 mounted"
  assert_contains "$output" "${OCI_CONFIG:7:12}: exists"
  log=$(log_since "$mark")
  assert_contains "$log" "\"HEAD /v2/e2e/again/blobs/$OCI_CONFIG"
  assert_contains "$log" "\"PUT /v2/e2e/again/manifests/v1"
  ! grep -q 'blobs/uploads' <<<"$log"
}

@test "a second repository mounts the blobs instead of uploading them" {
  push oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/first:v1"
  [ "$status" -eq 0 ]
  mark=$(log_mark)
  push oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/second:v1"
  [ "$status" -eq 0 ]
  assert_contains "$output" "0 uploaded, 0 skipped, 5 mounted"
  assert_contains "$output" ": mounted from e2e/"
  log=$(log_since "$mark")
  assert_contains "$log" "mount=sha256"
  run ! grep -q '"PATCH ' <<<"$log"
  [ "sha256:$(raw_digest e2e/second:v1)" = "$OCI_DIGEST" ]
}

@test "a layer over 1 MiB is streamed in its final PUT (no PATCH), pulled back intact" {
  mark=$(log_mark)
  push --jobs 1 --compress none oci:"$PN_DIR/oci-big" "$DR_REGISTRY/e2e/big:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  log=$(log_since "$mark")
  assert_contains "$log" '"PUT /v2/e2e/big/blobs/uploads/'
  [[ $log != *'"PATCH /v2/e2e/big/blobs/uploads/'* ]]
  [ "sha256:$(raw_digest e2e/big:v1)" = "$BIG_DIGEST" ]
  # skopeo would recompress an uncompressed layer on the way back: read it raw
  got=$(curl -sf -u "alice:$PW" "http://$DR_REGISTRY/v2/e2e/big/blobs/$BIG_LAYERS" | sha256sum)
  [ "sha256:${got%% *}" = "$BIG_LAYERS" ]
}

@test "docker-archive --compress none: a docker save tarball becomes a schema 2 image as it is" {
  push --compress none docker-archive:"$PN_DIR/save.tar" "$DR_REGISTRY/e2e/saved:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "4 uploaded, 0 skipped"
  raw=$(inspect_raw e2e/saved:1)
  [ "$(jq -r .mediaType <<<"$raw")" = application/vnd.docker.distribution.manifest.v2+json ]
  [ "$(jq -r .config.digest <<<"$raw")" = "$SAVE_CONFIG" ]
  [ "$(jq -r '.layers[].digest' <<<"$raw" | xargs)" = "$SAVE_LAYERS" ]
  # every blob as stored (skopeo would recompress the layers on a pull)
  for d in $SAVE_CONFIG $SAVE_LAYERS; do
    got=$(curl -sf -u "alice:$PW" "http://$DR_REGISTRY/v2/e2e/saved/blobs/$d" | sha256sum)
    [ "sha256:${got%% *}" = "$d" ]
  done
  # by tag inside the archive, too
  push --quiet --compress none docker-archive:"$PN_DIR/save.tar:e2e/saved:1" "$DR_REGISTRY/e2e/saved:2"
  [ "$status" -eq 0 ]
}

@test "multi-arch: the index and both platform manifests arrive intact" {
  push oci:"$PN_DIR/multi" "$DR_REGISTRY/e2e/multi:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "pushed manifest for linux/arm64/v8"
  [ "sha256:$(raw_digest e2e/multi:v1)" = "$MULTI_DIGEST" ]
  for c in $MULTI_CHILDREN; do
    [ "sha256:$(raw_digest "e2e/multi@$c")" = "$c" ]
  done
  run sk copy -q --all --src-tls-verify=false --src-creds "alice:$PW" \
    "docker://$DR_REGISTRY/e2e/multi:v1" "oci:$BATS_TEST_TMPDIR/back:x"
  [ "$status" -eq 0 ]
}

@test "credentials: a global login through our helper, read from the keyring" {
  export DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker" DOKKU_ROOT="$BATS_TEST_TMPDIR/root"
  export DOKKU_LIB_ROOT="$BATS_TEST_TMPDIR/lib"
  mkdir -p "$DOKKU_ROOT" "$DOKKU_LIB_ROOT/config/registry"
  printf '%s' "$PW" | "$DR" login --global --password-stdin "$DR_REGISTRY" alice
  ! grep -qF "$PW" "$DOCKER_CONFIG/config.json" || { echo "the password is in config.json"; false; }
  run "$DR" push-image oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/keyring:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "sha256:$(raw_digest e2e/keyring:v1)" = "$OCI_DIGEST" ]
  "$DR" logout --global "$DR_REGISTRY" >/dev/null
}

@test "credentials: credHelpers pointing at docker-credential-secretservice" {
  command -v docker-credential-secretservice >/dev/null || skip "no docker-credential-secretservice"
  printf '{"ServerURL":"%s","Username":"alice","Secret":"%s"}' "$DR_REGISTRY" "$PW" |
    docker-credential-secretservice store
  mkdir -p "$BATS_TEST_TMPDIR/ss"
  printf '{"credHelpers":{"%s":"secretservice"}}' "$DR_REGISTRY" >"$BATS_TEST_TMPDIR/ss/config.json"
  run "$DR" push-image --config "$BATS_TEST_TMPDIR/ss" oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/ss:v1"
  printf '%s' "$DR_REGISTRY" | docker-credential-secretservice erase
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "sha256:$(raw_digest e2e/ss:v1)" = "$OCI_DIGEST" ]
}

@test "credentials: plaintext auths, and a wrong password fails naming the scope, no manifest" {
  mkdir -p "$BATS_TEST_TMPDIR/bad"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$DR_REGISTRY" "$(printf 'alice:nope' | base64 -w0)" \
    >"$BATS_TEST_TMPDIR/bad/config.json"
  run "$DR" push-image --config "$BATS_TEST_TMPDIR/bad" oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/wrong:v1"
  [ "$status" -eq 1 ]
  assert_contains "$output" "refused the credentials for repository:e2e/wrong:pull,push (401 Unauthorized)"
  [[ $output != *nope* ]] || { echo "the password is in the error: $output"; false; }
  assert_no_manifest e2e/wrong:v1
  # no credentials at all
  mkdir -p "$BATS_TEST_TMPDIR/none"
  run "$DR" push-image --config "$BATS_TEST_TMPDIR/none" oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/wrong:v1"
  [ "$status" -eq 1 ]
  assert_contains "$output" "requires credentials for repository:e2e/wrong:pull,push"
  # the right ones from a --config dir
  run "$DR" push-image --quiet --config "$PN_DIR/plain" oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/wrong:v1"
  [ "$status" -eq 0 ]
}

@test "push --from: per-app login, tag-version bumped only on success, extra tags" {
  export DOCKER_CONFIG="$BATS_TEST_TMPDIR/global" DOKKU_ROOT="$BATS_TEST_TMPDIR/root"
  export DOKKU_LIB_ROOT="$BATS_TEST_TMPDIR/lib"
  mkdir -p "$DOCKER_CONFIG" "$DOKKU_ROOT/web" "$DOKKU_LIB_ROOT/config/registry"
  "$DR" post-create web
  "$DR" set web server "$DR_REGISTRY" >/dev/null
  "$DR" set web push-extra-tags " latest, ,stable" >/dev/null
  tv="$DOKKU_LIB_ROOT/config/registry/web/tag-version"
  # no login yet: refused, and the tag number is not used up
  run "$DR" push --from oci:"$PN_DIR/oci" web
  [ "$status" -eq 1 ]
  assert_contains "$output" "repository:dokku/web:pull,push"
  [ ! -e "$tv" ] || [ -z "$(cat "$tv")" ]
  assert_no_manifest dokku/web:1
  printf '%s' "$PW" | "$DR" login --password-stdin web "$DR_REGISTRY" alice
  run "$DR" push --from oci:"$PN_DIR/oci" web
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "Bumping tag to 1"
  assert_contains "$output" "Image $DR_REGISTRY/dokku/web:1 pushed"
  [ "$(cat "$tv")" = 1 ]
  for t in 1 latest stable; do
    [ "sha256:$(raw_digest "dokku/web:$t")" = "$OCI_DIGEST" ]
  done
  run "$DR" push --from docker-archive:"$PN_DIR/save.tar" web
  [ "$status" -eq 0 ]
  [ "$(cat "$tv")" = 2 ]
  [ "$(inspect_raw dokku/web:2 | jq -r .config.digest)" = "$SAVE_CONFIG" ]
  # gzip'd on the way (the default for uncompressed layers)
  [ "$(inspect_raw dokku/web:2 | jq -r '.layers[].mediaType' | sort -u)" = \
    application/vnd.docker.image.rootfs.diff.tar.gzip ]
}

@test "a corrupt blob is refused before its final PUT and before any manifest" {
  # new images: blobs the registry already has are never read
  dr_img_oci "$BATS_TEST_TMPDIR/bad-big" 1 3000000 latest tar
  big=$DR_IMG_LAYERS
  f=$(dr_img_blob_file "$BATS_TEST_TMPDIR/bad-big" "$big")
  dr_img_flip_byte "$f" 2000000
  run "$DR" push-image --compress none oci:"$BATS_TEST_TMPDIR/bad-big" "$DR_REGISTRY/e2e/corrupt:v1"
  [ "$status" -eq 1 ] || { echo "exit $status: $output"; false; }
  assert_contains "$output" "blob $big in oci:$BATS_TEST_TMPDIR/bad-big is corrupt: read sha256:"
  assert_no_manifest e2e/corrupt:v1
  code=$(curl -s -o /dev/null -w '%{http_code}' -I -u "alice:$PW" "http://$DR_REGISTRY/v2/e2e/corrupt/blobs/$big")
  [ "$code" = 404 ]
  # a small (monolithic) one
  dr_img_oci "$BATS_TEST_TMPDIR/bad-small" 2 100000
  set -- $DR_IMG_LAYERS
  f=$(dr_img_blob_file "$BATS_TEST_TMPDIR/bad-small" "$2")
  dr_img_flip_byte "$f" 100
  run "$DR" push-image oci:"$BATS_TEST_TMPDIR/bad-small" "$DR_REGISTRY/e2e/corrupt2:v1"
  [ "$status" -eq 1 ] || { echo "exit $status: $output"; false; }
  assert_contains "$output" "blob $2 in oci:$BATS_TEST_TMPDIR/bad-small is corrupt"
  assert_no_manifest e2e/corrupt2:v1
}

# _upload_started REPO: some upload of REPO holds over 8 MiB
_upload_started() {
  local f
  for f in "$DR_DIR"/registry-data/docker/registry/v2/repositories/"$1"/_uploads/*/data; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 8388608 ] && return 0
  done
  return 1
}

@test "registry stopped mid-upload and restarted: the push resumes, or fails with no manifest" {
  dr_img_oci "$BATS_TEST_TMPDIR/huge" 1 201326592 latest tar
  huge=$DR_IMG_DIGEST
  "$DR" push-image --jobs 1 --compress none oci:"$BATS_TEST_TMPDIR/huge" "$DR_REGISTRY/e2e/fault:v1" \
    >"$BATS_TEST_TMPDIR/out" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do _upload_started e2e/fault && break; sleep 0.02; done
  _dr_kill "$DR_REGISTRY_PID" docker-registry
  sleep 1
  dr_registry_restart
  wait "$pid" && rc=0 || rc=$?
  out=$(cat "$BATS_TEST_TMPDIR/out")
  echo "$out" | sed 's/^/# /' >&3
  assert_contains "$out" "retrying in"
  if [ "$rc" -eq 0 ]; then
    [ "sha256:$(raw_digest e2e/fault:v1)" = "$huge" ]
    code=$(curl -s -o /dev/null -w '%{http_code}' -I -u "alice:$PW" \
      "http://$DR_REGISTRY/v2/e2e/fault/blobs/$(jq -r '.layers[0].digest' <<<"$(inspect_raw e2e/fault:v1)")")
    [ "$code" = 200 ]
  else
    assert_no_manifest e2e/fault:v1
  fi
}

@test "SIGINT and SIGTERM stop a push: exit 130/143, sessions cancelled, no manifest" {
  dr_img_oci "$BATS_TEST_TMPDIR/sig" 1 201326592 latest tar
  for sig in INT TERM; do
    repo=e2e/sig-${sig,,}
    mark=$(log_mark)
    "$DR" push-image --jobs 1 --compress none oci:"$BATS_TEST_TMPDIR/sig" "$DR_REGISTRY/$repo:v1" \
      >"$BATS_TEST_TMPDIR/out" 2>&1 &
    pid=$!
    for _ in $(seq 1 500); do _upload_started "$repo" && break; sleep 0.01; done
    # a stalled registry keeps the upload open while the signal arrives
    kill -STOP "$DR_REGISTRY_PID"
    kill -"$sig" "$pid"
    sleep 0.3
    kill -CONT "$DR_REGISTRY_PID"
    wait "$pid" && rc=0 || rc=$?
    sed "s/^/# /" "$BATS_TEST_TMPDIR/out" >&3
    if [ "$sig" = INT ]; then [ "$rc" -eq 130 ]; else [ "$rc" -eq 143 ]; fi
    assert_no_manifest "$repo:v1"
    assert_contains "$(log_since "$mark")" "\"DELETE /v2/$repo/blobs/uploads/"
  done
}

@test "bearer tokens: one scope per repository, a mount adds the source's pull scope" {
  rt_python >/dev/null || skip "no python3: the token service needs one"
  # `|| return`: these helpers poll with commands that fail until ready
  rt_make_certs || return 1
  rt_token_server_start tok "$PW" dr-svc dr-iss || return 1
  rt_registry_start token "http://127.0.0.1:$RT_TOKEN_PORT/token" dr-svc dr-iss || return 1
  mkdir -p "$BATS_TEST_TMPDIR/tok"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$RT_ADDR" "$(printf 'tok:%s' "$PW" | base64 -w0)" \
    >"$BATS_TEST_TMPDIR/tok/config.json"
  log="$DR_DIR/token-server.jsonl"
  run "$DR" push-image --config "$BATS_TEST_TMPDIR/tok" oci:"$PN_DIR/oci" "$RT_ADDR/e2e/tok:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "5 uploaded"
  # every token asked for exactly this repository's scope; one per connection, reused
  [ "$(jq -c '.query.scope' "$log" | sort -u)" = '["repository:e2e/tok:pull,push"]' ]
  [ "$(wc -l <"$log")" -le 5 ]
  : >"$log"
  run "$DR" push-image --config "$BATS_TEST_TMPDIR/tok" oci:"$PN_DIR/oci" "$RT_ADDR/e2e/tok2:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "5 mounted"
  jq -c '.query.scope' "$log" | grep -qx '\["repository:e2e/tok2:pull,push","repository:e2e/tok:pull"\]'
  # a password the token service refuses: the scope is named, no manifest
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$RT_ADDR" "$(printf 'tok:bad' | base64 -w0)" \
    >"$BATS_TEST_TMPDIR/tok/config.json"
  run "$DR" push-image --config "$BATS_TEST_TMPDIR/tok" oci:"$PN_DIR/oci" "$RT_ADDR/e2e/tok3:v1"
  [ "$status" -eq 1 ]
  assert_contains "$output" "refused the credentials for repository:e2e/tok3:pull,push"
}

@test "usage errors" {
  run "$DR" push-image oci:"$PN_DIR/oci"
  [ "$status" -eq 2 ]
  run "$DR" push-image --jobs 0 oci:"$PN_DIR/oci" "$DR_REGISTRY/e2e/x"
  [ "$status" -eq 2 ]
  run "$DR" push-image oci:/nonexistent "$DR_REGISTRY/e2e/x"
  [ "$status" -eq 1 ]
  assert_contains "$output" "no such directory"
  run "$DR" push-image oci:"$PN_DIR/oci" "$DR_REGISTRY/E2E/x"
  [ "$status" -eq 1 ]
  assert_contains "$output" "invalid repository name"
  run "$DR" push-image oci:"$PN_DIR/oci:nope" "$DR_REGISTRY/e2e/x"
  [ "$status" -eq 1 ]
  assert_contains "$output" 'no image named "nope"'
}
