#!/usr/bin/env bats
# Layers compressed on the fly by the native pusher (`push-image`,
# `push --from`): gzip (the default), zstd and none, against a real
# docker-registry (htpasswd, access log on); every image is read back with
# skopeo and every digest checked, layers decompressed with gzip/zstd and
# matched against the config's diff_ids. OCI-Chunk-Min-Length goes through
# the hostile proxy (docker-registry never sends it). A real Docker daemon
# pulls a gzip and a zstd image.

bats_require_minimum_version 1.5.0

_PC_BUILD_DIR=${DR_BUILD_DIR:-}
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/images.sh
source "$BATS_TEST_DIRNAME/../lib/images.sh"
# shellcheck source=../lib/registry-tls.sh
source "$BATS_TEST_DIRNAME/../lib/registry-tls.sh"
# shellcheck source=hostile-helpers.bash
source "$BATS_TEST_DIRNAME/hostile-helpers.bash"
# shellcheck source=../lib/dockerd.sh
source "$BATS_TEST_DIRNAME/../lib/dockerd.sh"
[ -n "$_PC_BUILD_DIR" ] && DR_BUILD_DIR=$_PC_BUILD_DIR
DR=dokku-registry

GZ=application/vnd.docker.image.rootfs.diff.tar.gzip
OCI_GZ=application/vnd.oci.image.layer.v1.tar+gzip
OCI_ZSTD=application/vnd.oci.image.layer.v1.tar+zstd

setup_file() {
  [ -x "$DR_BUILD_DIR/$DR" ] || { echo "# $DR_BUILD_DIR/$DR is not built" >&3; return 1; }
  PC_DIR=$(mktemp -d /tmp/dr-pzip.XXXXXX) || return 1
  export PC_DIR
  dr_env_init "$PC_DIR" || return 1
  export PATH="$DR_BUILD_DIR:$PATH"
  PW="pw-$RANDOM$RANDOM"
  export PW
  dr_registry_start alice "$PW" || return 1
  sed -i 's/level: warn/level: info/; s/disabled: true/disabled: false/' "$DR_DIR/registry.yml"
  dr_registry_restart || return 1
  hr_start "$DR_REGISTRY" || return 1
  # docker save tarballs of compressible layers: 3 x 2 MB, and one of 24 MB
  # (several chunks)
  DR_IMG_COMPRESSIBLE=1 dr_img_docker_archive "$PC_DIR/save.tar" 3 2000000 e2e/zip:1 || return 1
  SAVE_CONFIG=$DR_IMG_CONFIG SAVE_DIFFS=$DR_IMG_LAYERS
  DR_IMG_COMPRESSIBLE=1 dr_img_docker_archive "$PC_DIR/big.tar" 1 24000000 e2e/zipbig:1 || return 1
  BIG_DIFFS=$DR_IMG_LAYERS
  # an OCI layout holding uncompressed layers, and one already gzip'd
  DR_IMG_COMPRESSIBLE=1 dr_img_oci "$PC_DIR/oci-tar" 2 1500000 v1 tar || return 1
  TAR_DIFFS=$DR_IMG_LAYERS TAR_DIGEST=$DR_IMG_DIGEST
  dr_img_oci "$PC_DIR/oci-gz" 2 300000 v1 || return 1
  GZ_DIGEST=$DR_IMG_DIGEST
  # an image index of two platforms whose (uncompressed) layers share one
  dr_img_multiarch "$PC_DIR/multi-tar" v1 tar || return 1
  MULTI_DIGEST=$DR_IMG_DIGEST MULTI_CHILDREN=$DR_IMG_CHILDREN
  export SAVE_CONFIG SAVE_DIFFS BIG_DIFFS TAR_DIFFS TAR_DIGEST GZ_DIGEST MULTI_DIGEST MULTI_CHILDREN
  mkdir -p "$PC_DIR/plain"
  printf '{"auths":{"%s":{"auth":"%s"},"%s":{"auth":"%s"}}}\n' \
    "$DR_REGISTRY" "$(printf 'alice:%s' "$PW" | base64 -w0)" \
    "$HR_A" "$(printf 'alice:%s' "$PW" | base64 -w0)" >"$PC_DIR/plain/config.json"
}

teardown_file() {
  rt_stop_all
  dr_env_stop
  [ -n "${PC_DIR:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$PC_DIR"
  return 0
}

setup() {
  export DOCKER_CONFIG="$PC_DIR/plain"
  export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
  DR_REGISTRY_PID=$(cat "$DR_DIR/registry.pid")
}

push() { run "$DR" push-image "$@"; }
sk() { skopeo --policy "$(dr_policy_file)" "$@"; }
inspect_raw() { sk inspect --raw --tls-verify=false --creds "alice:$PW" "docker://$DR_REGISTRY/$1"; }
log_mark() { wc -l <"$DR_DIR/registry.log"; }
log_since() { tail -n "+$(($1 + 1))" "$DR_DIR/registry.log"; }
blob_code() { # REPO DIGEST: the registry's answer to a HEAD of the blob
  curl -s -o /dev/null -w '%{http_code}' -I -u "alice:$PW" "http://$DR_REGISTRY/v2/$1/blobs/$2"
}

assert_contains() {
  case "$1" in *"$2"*) return 0 ;; esac
  printf 'expected to find %q in:\n%s\n' "$2" "$1" >&2
  return 1
}

# verify_back REPO:TAG DIFFS UNZIP: skopeo copies the image into an OCI
# layout (verifying every blob against its digest); each layer, decompressed
# with UNZIP, must be the tar whose sha256 the config lists as its diff_id,
# and those are DIFFS. Prints the layer media types.
verify_back() {
  local dir="$BATS_TEST_TMPDIR/back-$RANDOM" m cfg i=0 d got
  sk copy -q --src-tls-verify=false --src-creds "alice:$PW" "docker://$DR_REGISTRY/$1" \
    "oci:$dir:x" >&2 || return 1
  m=$(jq -r '.manifests[0].digest' "$dir/index.json")
  m="$dir/blobs/sha256/${m#sha256:}"
  cfg="$dir/blobs/sha256/$(jq -r '.config.digest' "$m" | cut -d: -f2)"
  [ "$(jq -r '.rootfs.diff_ids[]' "$cfg" | xargs)" = "$2" ] || { echo "diff_ids differ" >&2; return 1; }
  for d in $(jq -r '.layers[].digest' "$m"); do
    i=$((i + 1))
    got=$(sha256sum <"$dir/blobs/sha256/${d#sha256:}" | cut -d' ' -f1)
    [ "sha256:$got" = "$d" ] || { echo "layer $d reads $got" >&2; return 1; }
    got=$($3 -dc <"$dir/blobs/sha256/${d#sha256:}" | sha256sum | cut -d' ' -f1)
    [ "sha256:$got" = "$(jq -r ".rootfs.diff_ids[$((i - 1))]" "$cfg")" ] ||
      { echo "layer $i decompresses to $got" >&2; return 1; }
  done
  jq -r '.layers[].mediaType' "$m" | sort -u
}

@test "docker-archive, default gzip: a schema 2 image of gzip layers, diff_ids intact, fewer bytes" {
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/zip:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "4 uploaded, 0 skipped"
  assert_contains "$output" "${SAVE_DIFFS:7:12}: pushed "
  assert_contains "$output" ", as gzip-4 "
  raw=$(inspect_raw e2e/zip:1)
  [ "$(jq -r .mediaType <<<"$raw")" = application/vnd.docker.distribution.manifest.v2+json ]
  [ "$(jq -r .config.digest <<<"$raw")" = "$SAVE_CONFIG" ]
  [ "$(jq -r '.layers[].mediaType' <<<"$raw" | sort -u)" = "$GZ" ]
  # compressed: every layer well under the 2 MB it was
  for s in $(jq -r '.layers[].size' <<<"$raw"); do [ "$s" -lt 1500000 ]; done
  run verify_back e2e/zip:1 "$SAVE_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = "$OCI_GZ" ] # skopeo writes the OCI name into its layout
  # gzip(1) reads its members (one per MiB), no name, no mtime
  d=$(jq -r '.layers[0].digest' <<<"$raw")
  curl -sf -u "alice:$PW" "http://$DR_REGISTRY/v2/e2e/zip/blobs/$d" >"$BATS_TEST_TMPDIR/l.gz"
  run gzip -t "$BATS_TEST_TMPDIR/l.gz"
  [ "$status" -eq 0 ]
  [ "$(od -An -tx1 -j3 -N5 "$BATS_TEST_TMPDIR/l.gz" | tr -d ' ')" = 0000000000 ]
}

@test "--compress zstd: docker-archive becomes an OCI image of +zstd layers, diff_ids intact" {
  push --compress zstd --compress-level 5 docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/zst:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  raw=$(inspect_raw e2e/zst:1)
  [ "$(jq -r .mediaType <<<"$raw")" = application/vnd.oci.image.manifest.v1+json ]
  [ "$(jq -r .config.mediaType <<<"$raw")" = application/vnd.oci.image.config.v1+json ]
  [ "$(jq -r .config.digest <<<"$raw")" = "$SAVE_CONFIG" ]
  run verify_back e2e/zst:1 "$SAVE_DIFFS" zstd
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = "$OCI_ZSTD" ]
}

@test "OCI layout: uncompressed layers become +gzip, gzip'd ones go byte for byte" {
  push oci:"$PC_DIR/oci-tar:v1" "$DR_REGISTRY/e2e/ocitar:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  raw=$(inspect_raw e2e/ocitar:v1)
  [ "$(jq -r .mediaType <<<"$raw")" = application/vnd.oci.image.manifest.v1+json ]
  run verify_back e2e/ocitar:v1 "$TAR_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = "$OCI_GZ" ]
  # a new manifest (its layers changed), announced as such
  [ "$(inspect_raw e2e/ocitar:v1 | sha256sum | cut -d' ' -f1)" != "${TAR_DIGEST#sha256:}" ]
  push oci:"$PC_DIR/oci-gz:v1" "$DR_REGISTRY/e2e/ocigz:v1"
  [ "$status" -eq 0 ]
  [ "sha256:$(inspect_raw e2e/ocigz:v1 | sha256sum | cut -d' ' -f1)" = "$GZ_DIGEST" ]
  # by digest, the manifest cannot change: a clear refusal
  push oci:"$PC_DIR/oci-tar:v1" "$DR_REGISTRY/e2e/ocitar@$TAR_DIGEST"
  [ "$status" -eq 1 ]
  assert_contains "$output" "has uncompressed layers: compressing them changes its digest"
  push --compress none oci:"$PC_DIR/oci-tar:v1" "$DR_REGISTRY/e2e/ocitar@$TAR_DIGEST"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
}

# blob REPO DIGEST: the blob as the registry stores it
blob() { curl -sf -u "alice:$PW" "http://$DR_REGISTRY/v2/$1/blobs/$2"; }

# check_multi REPO:TAG UNZIP LAYER-TYPE: the index pushed for multi-tar
# lists its two platforms, in order, with new child manifests (their layers
# were rewritten); each child keeps its config (diff_ids untouched), every
# layer is LAYER-TYPE and decompresses with UNZIP to the tar the diff_id
# names; the shared layer became one blob. Prints the children's digests.
check_multi() {
  local ref=$1 repo=${1%%:*} unzip=$2 ltype=$3 idx kids c m cfg i d got orig
  idx=$(inspect_raw "$ref")
  [ "$(jq -r .mediaType <<<"$idx")" = application/vnd.oci.image.index.v1+json ] ||
    { echo "$ref is not an index: $idx" >&2; return 1; }
  [ "$(jq -c '[.manifests[].platform]' <<<"$idx")" = \
    '[{"architecture":"amd64","os":"linux"},{"architecture":"arm64","os":"linux","variant":"v8"}]' ] ||
    { echo "platforms: $(jq -c '[.manifests[].platform]' <<<"$idx")" >&2; return 1; }
  kids=$(jq -r '.manifests[].digest' <<<"$idx")
  set -- $MULTI_CHILDREN
  for c in $kids; do
    orig=$(dr_img_blob_file "$PC_DIR/multi-tar" "$1")
    shift
    [ "$c" != "sha256:$(sha256sum <"$orig" | cut -d' ' -f1)" ] || { echo "child $c not rewritten" >&2; return 1; }
    m=$(inspect_raw "$repo@$c") || { echo "child $c missing" >&2; return 1; }
    [ "sha256:$(printf '%s' "$m" | sha256sum | cut -d' ' -f1)" = "$c" ] ||
      { echo "child $c has another digest" >&2; return 1; }
    [ "$(jq -r --arg c "$c" '.manifests[] | select(.digest == $c) | .size' <<<"$idx")" = "${#m}" ] ||
      { echo "the index gives child $c another size than ${#m}" >&2; return 1; }
    [ "$(jq -r .config.digest <<<"$m")" = "$(jq -r .config.digest "$orig")" ] ||
      { echo "child $c has another config" >&2; return 1; }
    cfg=$(blob "$repo" "$(jq -r .config.digest <<<"$m")") || { echo "config of $c missing" >&2; return 1; }
    i=0
    for d in $(jq -r '.layers[].digest' <<<"$m"); do
      [ "$(jq -r ".layers[$i].mediaType" <<<"$m")" = "$ltype" ] ||
        { echo "layer $i of $c is $(jq -r ".layers[$i].mediaType" <<<"$m")" >&2; return 1; }
      blob "$repo" "$d" >"$BATS_TEST_TMPDIR/l"
      [ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/l" | cut -d' ' -f1)" = "$d" ] ||
        { echo "blob $d reads another digest" >&2; return 1; }
      [ "$(jq -r ".layers[$i].size" <<<"$m")" = "$(stat -c %s "$BATS_TEST_TMPDIR/l")" ] ||
        { echo "layer $i of $c has another size" >&2; return 1; }
      got=$($unzip -dc <"$BATS_TEST_TMPDIR/l" | sha256sum | cut -d' ' -f1)
      [ "sha256:$got" = "$(jq -r ".rootfs.diff_ids[$i]" <<<"$cfg")" ] ||
        { echo "layer $i of $c decompresses to $got" >&2; return 1; }
      i=$((i + 1))
    done
  done
  # the layer both platforms share: one compressed blob in both manifests
  [ "$(for c in $kids; do inspect_raw "$repo@$c" | jq -r '.layers[].digest'; done | sort | uniq -d | wc -l)" = 1 ] ||
    { echo "the shared layer is not one blob" >&2; return 1; }
  echo $kids
}

@test "multi-arch index of uncompressed layers: every platform rewritten, the index points at the new manifests" {
  push oci:"$PC_DIR/multi-tar:v1" "$DR_REGISTRY/e2e/multigz:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "pushed manifest for linux/arm64/v8"
  [ "sha256:$(inspect_raw e2e/multigz:v1 | sha256sum | cut -d' ' -f1)" != "$MULTI_DIGEST" ]
  run check_multi e2e/multigz:v1 gzip "$OCI_GZ"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  gz_kids=$output
  # zstd: the children become +zstd manifests, the index is rewritten again
  push --compress zstd oci:"$PC_DIR/multi-tar:v1" "$DR_REGISTRY/e2e/multizst:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run check_multi e2e/multizst:v1 zstd "$OCI_ZSTD"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" != "$gz_kids" ]
  # every platform pulls back through skopeo (which checks every digest)
  for arch in amd64 arm64; do
    run sk copy -q --override-arch "$arch" --src-tls-verify=false --src-creds "alice:$PW" \
      "docker://$DR_REGISTRY/e2e/multigz:v1" "oci:$BATS_TEST_TMPDIR/back-$arch:x"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
  done
  run sk copy -q --all --src-tls-verify=false --src-creds "alice:$PW" \
    "docker://$DR_REGISTRY/e2e/multizst:v1" "oci:$BATS_TEST_TMPDIR/back-all:x"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "deterministic: the same digests from fresh pushes with 1 and 4 threads, gzip and zstd" {
  for c in gzip zstd; do
    digests=()
    for t in 1 4; do
      XDG_CACHE_HOME="$BATS_TEST_TMPDIR/c-$c-$t" DR_COMPRESS_THREADS=$t \
        run "$DR" push-image --quiet --compress "$c" docker-archive:"$PC_DIR/big.tar" \
        "$DR_REGISTRY/e2e/det-$c-$t:1"
      [ "$status" -eq 0 ] || { echo "$output"; false; }
      digests+=("$(inspect_raw "e2e/det-$c-$t:1" | sha256sum | cut -d' ' -f1)")
    done
    [ "${digests[0]}" = "${digests[1]}" ] || { echo "$c: ${digests[*]}"; false; }
  done
  # and gzip and zstd differ, of course
  [ "$(inspect_raw e2e/det-gzip-1:1 | jq -r '.layers[0].digest')" != \
    "$(inspect_raw e2e/det-zstd-1:1 | jq -r '.layers[0].digest')" ]
}

@test "re-push: the compression cache finds the blobs, nothing is compressed or uploaded" {
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/again:1"
  [ "$status" -eq 0 ]
  first=$(inspect_raw e2e/again:1 | sha256sum)
  [ -f "$XDG_CACHE_HOME/dokku-registry/compressed.json" ]
  [ "$(stat -c %a "$XDG_CACHE_HOME/dokku-registry/compressed.json")" = 600 ]
  # one entry per layer: "<diff_id> gzip-4" -> the blob it became
  [ "$(jq '[.hosts[] | keys[]] | length' "$XDG_CACHE_HOME/dokku-registry/compressed.json")" -eq 3 ]
  jq -e --arg k "${SAVE_DIFFS%% *} gzip-4" '[.hosts[] | .[$k].digest] | .[0] | startswith("sha256:")' \
    "$XDG_CACHE_HOME/dokku-registry/compressed.json" >/dev/null
  mark=$(log_mark)
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/again:1"
  [ "$status" -eq 0 ]
  assert_contains "$output" "0 uploaded, 4 skipped, 0 mounted"
  # found through the cache: the compressed blob named, never compressed again
  assert_contains "$output" "${SAVE_DIFFS:7:12}: exists, as gzip-4 "
  [ "$(inspect_raw e2e/again:1 | sha256sum)" = "$first" ]
  log=$(log_since "$mark")
  # HEADs of the compressed blobs, and no upload session at all
  for d in $(inspect_raw e2e/again:1 | jq -r '.layers[].digest'); do
    assert_contains "$log" "\"HEAD /v2/e2e/again/blobs/$d"
  done
  run ! grep -q 'blobs/uploads' <<<"$log"
  # another repository: mounted, still nothing compressed
  mark=$(log_mark)
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/again2:1"
  [ "$status" -eq 0 ]
  assert_contains "$output" "0 uploaded, 0 skipped, 4 mounted"
  run ! grep -q '"PATCH ' <<<"$(log_since "$mark")"
  # another setting is another cache entry: compressed again
  push --compress-level 1 docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/again:fast"
  [ "$status" -eq 0 ]
  assert_contains "$output" "3 uploaded, 1 skipped"
}

@test "a cached compressed blob deleted from the registry is uploaded again" {
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/gone:1"
  [ "$status" -eq 0 ]
  d=$(inspect_raw e2e/gone:1 | jq -r '.layers[1].digest')
  code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -u "alice:$PW" \
    "http://$DR_REGISTRY/v2/e2e/gone/blobs/$d")
  [ "$code" = 202 ]
  [ "$(blob_code e2e/gone "$d")" = 404 ]
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/gone:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "1 uploaded, 3 skipped"
  [ "$(blob_code e2e/gone "$d")" = 200 ]
  run verify_back e2e/gone:1 "$SAVE_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
}

# zcache FILTER: compressed.json as the first push of the test left it,
# rewritten by jq FILTER ($a, $b: the keys of the first two layers' entries)
zcache() {
  local z="$XDG_CACHE_HOME/dokku-registry/compressed.json"
  set -- "$1" $SAVE_DIFFS
  jq --arg a "$2 gzip-4" --arg b "$3 gzip-4" "$1" "$BATS_TEST_TMPDIR/z.orig" >"$z"
}

@test "a compression cache entry naming another layer's blob is not trusted: the right layers are published" {
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/tamper:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  cp "$XDG_CACHE_HOME/dokku-registry/compressed.json" "$BATS_TEST_TMPDIR/z.orig"
  # the key is not in the cache directory
  [ "$(stat -c %a "$HOME/.local/state/dokku-registry/cache.key")" = 600 ]
  [ "$(ls "$XDG_CACHE_HOME/dokku-registry" | xargs)" = "blobs.json compressed.json" ]
  set -- $SAVE_DIFFS
  # the first layer's entry names the second layer's blob (the registry has
  # it, with the size the entry now gives), its MAC left as it was
  zcache '.hosts[] |= (.[$a].digest = .[$b].digest | .[$a].size = .[$b].size)'
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/tamper:2"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "${1:7:12}: the compression cache's entry for this layer fails its check"
  run verify_back e2e/tamper:2 "$SAVE_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # two entries swapped whole, MACs and all
  zcache '.hosts[] |= (.[$a] as $x | .[$a] = .[$b] | .[$b] = $x)'
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/tamper:3"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "${1:7:12}: the compression cache's entry for this layer fails its check"
  assert_contains "$output" "${2:7:12}: the compression cache's entry for this layer fails its check"
  run verify_back e2e/tamper:3 "$SAVE_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # entries without a MAC (as an older version wrote them): none is used
  zcache 'del(.hosts[][].mac)'
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/tamper:4"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(grep -c "fails its check" <<<"$output")" -eq 3 ]
  run verify_back e2e/tamper:4 "$SAVE_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # that push wrote good entries again: the next one compresses nothing
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/tamper:5"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "0 uploaded, 4 skipped, 0 mounted"
  # a cache from another user or machine (another key) is not trusted either
  rm "$HOME/.local/state/dokku-registry/cache.key"
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/tamper:6"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(grep -c "fails its check" <<<"$output")" -eq 3 ]
  run verify_back e2e/tamper:6 "$SAVE_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "OCI-Chunk-Min-Length: every chunk but the last is at least that long; an absurd one is refused" {
  hr_mode chunk-min
  push --jobs 1 --compress-level 1 docker-archive:"$PC_DIR/big.tar" "$HR_A/e2e/chunkmin:1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  # the 24 MB layer, compressed: several PATCHes of the big blob's session
  lens=$(hr_log A | jq -r 'select(.method == "PATCH") | .len')
  [ "$(wc -l <<<"$lens")" -ge 2 ] || { echo "PATCHes: $lens"; false; }
  head -n -1 <<<"$lens" | while read -r n; do [ "$n" -ge 5242880 ] || { echo "chunk of $n"; exit 1; }; done
  run verify_back e2e/chunkmin:1 "$BIG_DIFFS" gzip
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  hr_mode chunk-min-huge
  push --jobs 1 docker-archive:"$PC_DIR/save.tar" "$HR_A/e2e/chunkhuge:1"
  [ "$status" -eq 1 ]
  assert_contains "$output" "wants upload chunks of at least 1073741824 bytes (OCI-Chunk-Min-Length)"
  run inspect_raw e2e/chunkhuge:1
  [ "$status" -ne 0 ]
  hr_mode proxy
}

@test "a corrupt uncompressed layer is refused before its final PUT, and no manifest" {
  cp "$PC_DIR/save.tar" "$BATS_TEST_TMPDIR/bad.tar"
  # a byte inside the first layer's data (past the tar headers)
  first=$(tar -tf "$BATS_TEST_TMPDIR/bad.tar" | grep layer.tar | head -n1)
  off=$("$DR_PYTHON" -c 'import sys,tarfile
t=tarfile.open(sys.argv[1]); m=t.getmember(sys.argv[2]); print(m.offset_data + 1500000)' \
    "$BATS_TEST_TMPDIR/bad.tar" "$first")
  dr_img_flip_byte "$BATS_TEST_TMPDIR/bad.tar" "$off"
  push --jobs 1 docker-archive:"$BATS_TEST_TMPDIR/bad.tar" "$DR_REGISTRY/e2e/badzip:1"
  [ "$status" -eq 1 ]
  assert_contains "$output" "is corrupt: read sha256:"
  run inspect_raw e2e/badzip:1
  [ "$status" -ne 0 ]
}

@test "peak RSS stays bounded for a 256 MiB layer (compressed on 2 threads)" {
  DR_IMG_COMPRESSIBLE=1 dr_img_oci "$BATS_TEST_TMPDIR/huge" 1 268435456 latest tar
  DR_COMPRESS_THREADS=2 run /usr/bin/time -f 'RSS %M' "$DR" push-image --quiet --compress-level 1 \
    oci:"$BATS_TEST_TMPDIR/huge" "$DR_REGISTRY/e2e/rss:v1"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  rss=$(sed -n 's/^RSS //p' <<<"$output")
  echo "# peak RSS $rss KiB" >&3
  [ "$rss" -lt 80000 ]
  [ "$(inspect_raw e2e/rss:v1 | jq -r '.layers[0].mediaType')" = "$OCI_GZ" ]
}

@test "flags: bad --compress and --compress-level are usage errors" {
  push --compress xz docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/x:1"
  [ "$status" -eq 2 ]
  assert_contains "$output" '--compress must be gzip, zstd or none, not "xz"'
  push --compress-level 13 docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/x:1"
  [ "$status" -eq 2 ]
  assert_contains "$output" "--compress-level must be a number from 1 to 12 for gzip"
  push --compress zstd --compress-level 19 --compress-level 20 docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/x:1"
  [ "$status" -eq 2 ]
}

@test "a real Docker daemon pulls the gzip and the zstd image and reads their files" {
  dr_dockerd_start "$PC_DIR/d" || return 1
  push docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/dpull:gz"
  [ "$status" -eq 0 ]
  push --compress zstd docker-archive:"$PC_DIR/save.tar" "$DR_REGISTRY/e2e/dpull:zst"
  [ "$status" -eq 0 ]
  # the docker CLI sends the daemon the plaintext login of $DOCKER_CONFIG
  for t in gz zst; do
    run docker pull "$DR_REGISTRY/e2e/dpull:$t"
    [ "$status" -eq 0 ] || { echo "$output"; dr_dockerd_log 10; dr_dockerd_stop; false; }
    # the daemon's diff_ids are the uncompressed layers it unpacked
    [ "$(docker image inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' "$DR_REGISTRY/e2e/dpull:$t" | xargs)" = "$SAVE_DIFFS" ]
  done
  dr_dockerd_stop
}
