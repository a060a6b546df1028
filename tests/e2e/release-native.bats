#!/usr/bin/env bats
# Push on release with the native engine (`registry:push-engine APP native`):
# post-release-builder tags as with the docker engine, then the daemonless
# pusher reads each tag from this file's own dockerd (docker-daemon:) and
# pushes it to a docker-registry on 127.0.0.1 with the app's login from the
# keyring. The image is pulled back by the daemon and its file read from a
# container; the digests are the registry's; zstd layers are checked with
# skopeo (the daemon here may not pull them).

bats_require_minimum_version 1.5.0

load release-dockerd-helpers

setup_file() {
  drd_setup_file
}

teardown_file() {
  drd_teardown_file
}

setup() {
  drd_setup napp
}

teardown() {
  drd_teardown
}

# native_app APP COMPRESS: app login, push on, server, repo org/APP, extra
# tags latest,stable, tag-version 6, the native engine
native_app() {
  app_login "$1" alice "$PW_A"
  dr_ok registry:set "$1" push-on-release true
  dr_ok registry:set "$1" server "$DR_REGISTRY"
  dr_ok registry:set "$1" image-repo "org/$1"
  dr_ok registry:set "$1" push-extra-tags latest,stable
  write_prop "$1" tag-version 6
  dr_ok registry:push-engine "$1" native --compress "$2"
}

# ---------------------------------------------------------------------------

@test "(push-engine) unset is docker/gzip; --global; the app wins; --unset; bad values exit 2" {
  run -0 "$DR_BIN" push-engine "$APP"
  assert_eq "$output" "$(lines 'engine: docker' 'compress: gzip')" "default"
  run -0 "$DR_BIN" push-engine --global native --compress zstd
  run -0 "$DR_BIN" push-engine "$APP"
  assert_eq "$output" "$(lines 'engine: native' 'compress: zstd')" "global"
  run -0 "$DR_BIN" push-engine "$APP" docker
  run -0 "$DR_BIN" push-engine "$APP"
  assert_eq "$output" "$(lines 'engine: docker' 'compress: zstd')" "app engine over global"
  run -0 "$DR_BIN" push-engine "$APP" --unset
  run -0 "$DR_BIN" push-engine --global --unset
  run -0 "$DR_BIN" push-engine "$APP"
  assert_eq "$output" "$(lines 'engine: docker' 'compress: gzip')" "unset again"
  run -2 "$DR_BIN" push-engine "$APP" podman
  assert_eq "$output" ' !     push engine must be docker or native, not "podman"' "bad engine"
  run -2 "$DR_BIN" push-engine "$APP" native --compress none
  assert_eq "$output" ' !     --compress must be gzip or zstd, not "none"' "bad compression"
  run -20 "$DR_BIN" push-engine no-such-app native
  # registry:report is Dokku's: the setting is not one of its properties
  run -0 "$DR_BIN" push-engine "$APP" native
  run -0 "$DR_BIN" report "$APP"
  refute_contains "$output" "native" "registry:report"
}

@test "(post-release-builder) native gzip: Dokku's lines, tags, tag-version, extras untagged; pulled back and run" {
  native_app "$APP" gzip
  dr post-release-builder herokuish "$APP" "dokku/$APP:latest"
  assert_status 0
  local r="$DR_REGISTRY/org/$APP"
  for l in "$ANNOUNCE" "${V}Bumping tag to 7" "${V}Tagging org/$APP:7 in registry format" \
    "${V}Tagging org/$APP as latest in registry format" "${V}Pushing $r:latest" \
    "${V}Tagging org/$APP as stable in registry format" "${V}Pushing $r:stable" \
    "${V}Pushing $r:7" "${V}Image $r:7 pushed" "${V}Untagging extra tag stable" \
    "${V}Untagging extra tag latest"; do
    assert_contains "$output" "$l" "release output"
  done
  assert_tag_version "$APP" 7
  assert_eq "$(remote_tags "$REG/$APP" "$r")" "$(lines 7 latest stable)" "registry tags"
  local man
  man=$(remote_manifest "$REG/$APP" "$r:7")
  assert_eq "$(jq -r .config.digest <<<"$man")" "$IMAGE_ID" "config of the pushed image"
  assert_eq "$(app_refs "$APP")" "$(lines "$r:7" "dokku/$APP:latest" "org/$APP:7" "org/$APP:latest")" "local images"
  # the name deployed-app-* give, its registry digest, pulled back and run
  local name digest
  name="$("$DR_BIN" deployed-app-repository "$APP")$("$DR_BIN" deployed-app-image-repo "$APP"):$("$DR_BIN" deployed-app-image-tag "$APP")"
  assert_eq "$name" "$r:7" "deployed image name"
  digest=sha256:$(printf '%s' "$man" | sha256sum | cut -d' ' -f1)
  docker image rm "$name" "org/$APP:7" "dokku/$APP:latest" >/dev/null
  run -0 env DOCKER_CONFIG="$REG/$APP" docker image pull "$name"
  assert_contains "$output" "Digest: $digest" "pull digest"
  assert_eq "$(docker image inspect --format '{{.Id}}' "$name")" "$IMAGE_ID" "pulled image id"
  assert_eq "$(docker image inspect --format '{{index .RepoDigests 0}}' "$name")" "$r@$digest" "repo digest"
  local c
  c=$(docker create "$name" /x)
  run -0 docker cp "$c:/release.txt" "$BATS_TEST_TMPDIR/out.txt"
  docker rm "$c" >/dev/null
  assert_eq "$(cat "$BATS_TEST_TMPDIR/out.txt")" "release of $APP" "file in the pulled image"
}

@test "(post-release-builder) native zstd: OCI manifest with zstd layers, checked with skopeo" {
  native_app "$APP" zstd
  dr post-release-builder herokuish "$APP" "dokku/$APP:latest"
  assert_status 0
  local r="$DR_REGISTRY/org/$APP" man
  assert_tag_version "$APP" 7
  assert_eq "$(remote_tags "$REG/$APP" "$r")" "$(lines 7 latest stable)" "registry tags"
  man=$(remote_manifest "$REG/$APP" "$r:7")
  assert_eq "$(jq -r .mediaType <<<"$man")" "application/vnd.oci.image.manifest.v1+json" "manifest type"
  assert_eq "$(jq -r '.layers[0].mediaType' <<<"$man")" "application/vnd.oci.image.layer.v1.tar+zstd" "layer type"
  run -0 remote "$REG/$APP" copy --src-tls-verify=false --authfile "$AUTHFILE" "docker://$r:7" "oci:$BATS_TEST_TMPDIR/oci:x"
  local blob
  blob=$(jq -r '.layers[0].digest' <<<"$man")
  run -0 bash -c "zstd -dc '$BATS_TEST_TMPDIR/oci/blobs/sha256/${blob#sha256:}' | tar -xOf - release.txt"
  assert_eq "$output" "release of $APP" "file in the zstd layer"
}

@test "(post-release-builder) native, wrong password: the registry's refusal named, number kept, no docker push" {
  native_app "$APP" gzip
  wrong_secret "$REG/$APP" alice
  dr post-release-builder herokuish "$APP" "dokku/$APP:latest"
  assert_status 1
  assert_contains "$stderr" "unable to push image with latest tag: native push failed: " "error"
  assert_contains "$stderr" "refused the credentials for repository:org/$APP:pull,push (401 Unauthorized)" "the registry's refusal"
  refute_contains "$stderr" "rotated-away" "the secret"
  refute_contains "$stderr" "docker image push" "no fallback"
  assert_tag_version "$APP" 6
  assert_eq "$(app_refs "$APP")" "$(lines "$DR_REGISTRY/org/$APP:7" "dokku/$APP:latest" "org/$APP:7" "org/$APP:latest")" "extras untagged"
}
