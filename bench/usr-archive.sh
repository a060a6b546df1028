# shellcheck shell=bash
# bench/usr-archive.sh - the benches' realistic image: a docker save tarball
# (legacy format, written with tar) of about ARCHIVE_MB MB of files from
# /usr/share and /usr/lib in two layers. Sourced; needs WORK (a scratch
# directory), ARCHIVE_MB and die().

# _layer_tar LIST OUT: a layer tar of the files in LIST (as a docker save has them)
_layer_tar() {
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --no-recursion \
    --verbatim-files-from -C / -cf "$2" -T "$1" 2>"$2.err" ||
    die "tar of $1 failed: $(tail -n 3 "$2.err")"
}

# _pick DIR MB LIST: regular files of DIR (sorted, none over 8 MB) up to MB
_pick() {
  find "$1" -xdev -type f -size -8M -printf '%s\t%P\n' 2>/dev/null | LC_ALL=C sort -t "$(printf '\t')" -k2 |
    awk -F '\t' -v max="$(($2 * 1000000))" -v d="${1#/}" '{ n += $1; if (n <= max) print d "/" $2 }' >"$3"
}

# build_archive FILE: (a), two layers (/usr/share, /usr/lib) in docker save format
build_archive() {
  local root="$WORK/save" i cfg diffs="" layers="" sep="" id dir
  mkdir -p "$root"
  _pick /usr/share $((ARCHIVE_MB * 2 / 5)) "$WORK/share.list"
  _pick /usr/lib $((ARCHIVE_MB * 3 / 5)) "$WORK/lib.list"
  i=0
  for l in share lib; do
    i=$((i + 1))
    id=$(printf 'bench-layer-%s' "$l" | sha256sum | cut -d' ' -f1)
    mkdir -p "$root/$id"
    _layer_tar "$WORK/$l.list" "$root/$id/layer.tar"
    diffs="$diffs$sep\"sha256:$(sha256sum <"$root/$id/layer.tar" | cut -d' ' -f1)\""
    layers="$layers$sep\"$id/layer.tar\""
    sep=,
  done
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$diffs" >"$WORK/config.json"
  cfg=$(sha256sum <"$WORK/config.json" | cut -d' ' -f1)
  mv "$WORK/config.json" "$root/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["bench/usr:1"],"Layers":[%s]}]' "$cfg" "$layers" \
    >"$root/manifest.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$1" . ||
    die "docker save tarball failed"
  rm -rf "$root"
}
