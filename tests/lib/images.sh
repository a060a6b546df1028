# shellcheck shell=bash
# tests/lib/images.sh - images made at test time for the native pusher, with
# real digests (sha256sum) and random content, plus a registry restart that
# keeps port, storage and upload-state secret. Source tests/lib/env.sh first.
#
#   dr_img_oci DIR N BYTES [REF [gzip|tar]]
#                         OCI image layout with N random layers of BYTES each
#                         (gzip'd tars by default), ref name REF (default
#                         "latest"); sets DR_IMG_DIGEST (manifest),
#                         DR_IMG_CONFIG and DR_IMG_LAYERS (space separated)
#   dr_img_multiarch DIR [REF [gzip|tar]]
#                         OCI layout whose REF is an image index of two
#                         platform manifests (linux/amd64, linux/arm64) that
#                         share one layer; sets DR_IMG_DIGEST (the index) and
#                         DR_IMG_CHILDREN (the two manifest digests)
#   dr_img_docker_archive FILE N BYTES [REPO:TAG]
#                         a `docker save` tarball (legacy format: manifest.json,
#                         <config>.json, <id>/layer.tar), made with tar; sets
#                         DR_IMG_CONFIG and DR_IMG_LAYERS (sha256 of each
#                         layer.tar = its diff_id)
#   dr_img_blob_file DIR DIGEST   path of a blob inside a layout
#   dr_img_flip_byte FILE OFFSET  inverts one byte in place (writing a fixed
#                                 byte would leave random data as it was
#                                 once in 256 runs)
#   DR_IMG_COMPRESSIBLE=1         layers of text and random bytes, not only random
#   dr_registry_restart           stop the harness registry and start it again
#                                 on the same port with the same config

_dr_img_sha() { sha256sum "$1" | cut -d' ' -f1; }

dr_img_flip_byte() {
  local file=${1:?usage: dr_img_flip_byte FILE OFFSET} off=${2:?} old
  old=$(od -An -tu1 -j "$off" -N1 "$file" | tr -d ' ') || return 1
  [ -n "$old" ] || { echo "dr_img_flip_byte: $file has no byte $off" >&2; return 1; }
  # shellcheck disable=SC2059
  printf "\\$(printf %03o "$((old ^ 255))")" | dd of="$file" bs=1 seek="$off" conv=notrunc 2>/dev/null
}

# _dr_img_layer BLOBS WORK BYTES KIND: one random layer into BLOBS; prints
# "<digest-hex> <size> <diff_id-hex>"
_dr_img_layer() {
  local blobs=$1 work=$2 bytes=$3 kind=${4:-gzip} root tarf diff dg
  root=$(mktemp -d "$work/root.XXXXXX") || return 1
  mkdir -p "$root/data" || return 1
  if [ -n "${DR_IMG_COMPRESSIBLE:-}" ]; then
    # text that gzip halves, then random bytes: like real layers, not like noise
    { seq 1 "$((bytes / 14))"; head -c "$((bytes / 2))" /dev/urandom; } | head -c "$bytes" \
      >"$root/data/random.bin" || return 1
  else
    head -c "$bytes" /dev/urandom >"$root/data/random.bin" || return 1
  fi
  tarf="$root.tar"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$tarf" data ||
    return 1
  diff=$(_dr_img_sha "$tarf")
  if [ "$kind" = gzip ]; then
    gzip -1 -n -c "$tarf" >"$tarf.gz" || return 1
    rm -f "$tarf"
    tarf="$tarf.gz"
  fi
  dg=$(_dr_img_sha "$tarf")
  printf '%s %s %s\n' "$dg" "$(stat -c %s "$tarf")" "$diff"
  mv "$tarf" "$blobs/$dg"
  rm -rf "$root"
}

# _dr_img_blob BLOBS FILE: moves FILE into BLOBS; prints "<hex> <size>"
_dr_img_blob() {
  local dg size
  dg=$(_dr_img_sha "$2")
  size=$(stat -c %s "$2")
  mv "$2" "$1/$dg"
  printf '%s %s\n' "$dg" "$size"
}

# _dr_img_manifest BLOBS WORK N BYTES KIND ARCH: config + manifest for N new
# layers (plus the layer lines in $_DR_SHARED, if set); prints
# "<manifest-hex> <size> <config-hex> <layer-hex>..."
_dr_img_manifest() {
  local blobs=$1 work=$2 n=$3 bytes=$4 kind=$5 arch=$6 i line dg size diff
  local layers_json="" diffs_json="" layer_list="" sep="" mt cfg_line man_line
  mt=application/vnd.oci.image.layer.v1.tar
  [ "$kind" = gzip ] && mt="$mt+gzip"
  local all
  all=$(for i in $(seq 1 "$n"); do _dr_img_layer "$blobs" "$work" "$bytes" "$kind" || exit 1; done) ||
    return 1
  [ -n "${_DR_SHARED:-}" ] && all="$all"$'\n'"$_DR_SHARED"
  while read -r dg size diff; do
    [ -n "$dg" ] || continue
    layers_json="$layers_json$sep{\"mediaType\":\"$mt\",\"digest\":\"sha256:$dg\",\"size\":$size}"
    diffs_json="$diffs_json$sep\"sha256:$diff\""
    layer_list="$layer_list sha256:$dg"
    sep=,
  done <<<"$all"
  printf '{"architecture":"%s","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$arch" "$diffs_json" >"$work/config.json"
  cfg_line=$(_dr_img_blob "$blobs" "$work/config.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "${cfg_line% *}" "${cfg_line#* }" "$layers_json" >"$work/manifest.json"
  man_line=$(_dr_img_blob "$blobs" "$work/manifest.json")
  printf '%s %s%s\n' "$man_line" "sha256:${cfg_line% *}" "$layer_list"
}

_dr_img_layout_files() { # DIR INDEX-ENTRY-JSON
  printf '{"schemaVersion":2,"manifests":[%s]}' "$2" >"$1/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
}

dr_img_oci() {
  local dir=${1:?usage: dr_img_oci DIR N BYTES [REF [gzip|tar]]} n=${2:?} bytes=${3:?}
  local ref=${4:-latest} kind=${5:-gzip} work out rest
  mkdir -p "$dir/blobs/sha256" || return 1
  work=$(mktemp -d "${DR_DIR:-/tmp}/imgwork.XXXXXX") || return 1
  out=$(_DR_SHARED='' _dr_img_manifest "$dir/blobs/sha256" "$work" "$n" "$bytes" "$kind" amd64) ||
    { rm -rf "$work"; return 1; }
  rm -rf "$work"
  set -- $out
  DR_IMG_DIGEST="sha256:$1"
  DR_IMG_CONFIG=$3
  shift 3
  DR_IMG_LAYERS="$*"
  rest="{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$DR_IMG_DIGEST\",\"size\":$(stat -c %s "$dir/blobs/sha256/${DR_IMG_DIGEST#sha256:}"),\"annotations\":{\"org.opencontainers.image.ref.name\":\"$ref\"}}"
  _dr_img_layout_files "$dir" "$rest"
  export DR_IMG_DIGEST DR_IMG_CONFIG DR_IMG_LAYERS
}

dr_img_multiarch() {
  local dir=${1:?usage: dr_img_multiarch DIR [REF [gzip|tar]]} ref=${2:-latest} kind=${3:-gzip}
  local work shared a b idx idx_line
  mkdir -p "$dir/blobs/sha256" || return 1
  work=$(mktemp -d "${DR_DIR:-/tmp}/imgwork.XXXXXX") || return 1
  shared=$(_dr_img_layer "$dir/blobs/sha256" "$work" 20000 "$kind") || return 1
  a=$(_DR_SHARED=$shared _dr_img_manifest "$dir/blobs/sha256" "$work" 1 30000 "$kind" amd64) || return 1
  b=$(_DR_SHARED=$shared _dr_img_manifest "$dir/blobs/sha256" "$work" 1 30000 "$kind" arm64) || return 1
  set -- $a
  local da=$1 sa=$2
  set -- $b
  local db=$1 sb=$2
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}' \
    "$da" "$sa" "$db" "$sb" >"$work/index.json"
  idx_line=$(_dr_img_blob "$dir/blobs/sha256" "$work/index.json")
  idx=${idx_line% *}
  rm -rf "$work"
  _dr_img_layout_files "$dir" "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"sha256:$idx\",\"size\":${idx_line#* },\"annotations\":{\"org.opencontainers.image.ref.name\":\"$ref\"}}"
  DR_IMG_DIGEST="sha256:$idx"
  DR_IMG_CHILDREN="sha256:$da sha256:$db"
  export DR_IMG_DIGEST DR_IMG_CHILDREN
}

dr_img_docker_archive() {
  local file=${1:?usage: dr_img_docker_archive FILE N BYTES [REPO:TAG]} n=${2:?} bytes=${3:?}
  local tag=${4:-e2e/archive:latest} work root i id line dg size diff
  local layers_json="" diffs_json="" sep="" cfg
  work=$(mktemp -d "${DR_DIR:-/tmp}/savework.XXXXXX") || return 1
  root="$work/root"
  mkdir -p "$root" "$work/blobs"
  DR_IMG_LAYERS=""
  for i in $(seq 1 "$n"); do
    line=$(_dr_img_layer "$work/blobs" "$work" "$bytes" tar) || return 1
    read -r dg size diff <<<"$line"
    # legacy layer directories are named by a v1 id, not the content digest
    id=$(printf 'v1-layer-%s-%s' "$i" "$dg" | sha256sum | cut -d' ' -f1)
    mkdir -p "$root/$id"
    mv "$work/blobs/$dg" "$root/$id/layer.tar"
    printf '1.0' >"$root/$id/VERSION"
    layers_json="$layers_json$sep\"$id/layer.tar\""
    diffs_json="$diffs_json$sep\"sha256:$diff\""
    DR_IMG_LAYERS="$DR_IMG_LAYERS sha256:$diff"
    sep=,
  done
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$diffs_json" >"$work/config.json"
  cfg=$(_dr_img_sha "$work/config.json")
  mv "$work/config.json" "$root/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$cfg" "$tag" "$layers_json" \
    >"$root/manifest.json"
  printf '{"%s":{"%s":"%s"}}' "${tag%:*}" "${tag##*:}" "$cfg" >"$root/repositories"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$file" . ||
    return 1
  rm -rf "$work"
  DR_IMG_CONFIG="sha256:$cfg"
  DR_IMG_LAYERS=${DR_IMG_LAYERS# }
  export DR_IMG_CONFIG DR_IMG_LAYERS
}

dr_img_blob_file() { printf '%s/blobs/sha256/%s\n' "$1" "${2#sha256:}"; }

dr_registry_restart() {
  local port=${DR_REGISTRY##*:} i code
  [ -f "$DR_DIR/registry.yml" ] || { _dr_err "no registry to restart"; return 1; }
  _dr_kill "${DR_REGISTRY_PID:-}" docker-registry
  rm -f "$DR_DIR/registry.pid"
  ( docker-registry serve "$DR_DIR/registry.yml" >>"$DR_DIR/registry.log" 2>&1 </dev/null \
      3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    echo $! >"$DR_DIR/registry.pid" )
  DR_REGISTRY_PID=$(cat "$DR_DIR/registry.pid")
  _dr_record_pid registry "$DR_REGISTRY_PID"
  export DR_REGISTRY_PID
  for i in $(seq 1 100); do
    code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null) ||
      code=000
    [ "$code" = 401 ] && return 0
    sleep 0.1
  done
  _dr_err "registry did not come back on port $port"
  return 1
}
