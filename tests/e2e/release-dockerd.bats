#!/usr/bin/env bats
# The Dokku push-on-release flow of dokku-registry end to end through a real
# Docker daemon, including recovery from local image GC:
# the file starts its own dockerd + containerd (tests/lib/dockerd.sh, Debian's
# docker.io) next to a private D-Bus + gnome-keyring and a docker-registry with
# htpasswd users on 127.0.0.1. Images are built `FROM scratch` with
# `docker build`, tagged as Dokku's builders tag them (dokku/<app>:latest), then
# `post-release-builder` / `push` retag and push them with the docker CLI on
# PATH, whose credentials come from docker-credential-dokku. What reached the
# registry is checked with skopeo, what stays in the daemon with
# `docker image inspect`, and images are pulled back the ways Dokku does.
#
# If dockerd cannot start, setup_file fails with the reason and every test
# fails: nothing here is skipped for want of a daemon. (Only the DOCKER_BIN
# test of Debian's own docker CLI skips, saying so, on a docker-ce host.)
#
# The exact docker argv sequences, pushes to public registries and the
# failures a daemon cannot be made to produce on demand (a refused tag or
# untag, a daemon going away between two commands) stay in release-docker.bats
# with its recording stand-in.

bats_require_minimum_version 1.5.0

load release-dockerd-helpers

setup_file() {
  drd_setup_file
}

teardown_file() {
  drd_teardown_file
}

setup() {
  drd_setup dapp
}

teardown() {
  drd_teardown
}

# ---------------------------------------------------------------------------

@test "(dockerd) the daemon is this file's own: vfs, its data-root, loopback registries over http" {
  run -0 docker info --format '{{.ServerVersion}}|{{.Driver}}|{{.DockerRootDir}}'
  assert_eq "${output#*|}" "vfs|$DR_DOCKERD_DIR/data" "docker info"
  [ -n "${output%%|*}" ]
  # its containerd is the one started next to it, not a system one
  assert_contains "$(tr '\0' ' ' <"/proc/$DR_DOCKERD_PID/cmdline")" \
    "--containerd $DR_DOCKERD_DIR/containerd.sock " "dockerd command line"
  assert_contains "$(tr '\0' ' ' <"/proc/$DR_CONTAINERD_PID/cmdline")" \
    "containerd --config $DR_DOCKERD_DIR/containerd.toml" "containerd command line"
  run -0 docker info --format '{{json .RegistryConfig.InsecureRegistryCIDRs}}'
  assert_contains "$output" '"127.0.0.0/8"' "insecure registry CIDRs"
  assert_eq "$DOCKER_HOST" "unix://$DR_DOCKERD_DIR/docker.sock" DOCKER_HOST
  assert_local "dokku/$APP:latest" "$IMAGE_ID"
  assert_eq "$(docker image inspect --format '{{index .Config.Labels "com.dokku.app-name"}}' "$IMAGE_ID")" \
    "$APP" "app label"
}

@test "(post-release-builder) push off, image-repo heroku/<app>: retagged in the daemon, nothing else, no output" {
  dr_ok registry:set "$APP" image-repo "heroku/$APP"
  release "$APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  assert_local "heroku/$APP:latest" "$IMAGE_ID"
  assert_eq "$(app_refs "$APP")" "$(lines "dokku/$APP:latest" "heroku/$APP:latest")" "local images"
  assert_tag_version "$APP" "<none>"
}

@test "(post-release-builder) per-app login: extra + numbered tags pushed with --config <app dir>, extras untagged" {
  app_login "$APP" alice "$PW_A"
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  dr_ok registry:set "$APP" image-repo "org/$APP"
  dr_ok registry:set "$APP" push-extra-tags latest,stable
  write_prop "$APP" tag-version 6
  # no global login exists: only the app's config dir can authorise these pushes
  [ ! -e "$DOKKU_ROOT/.docker/config.json" ]
  release "$APP"
  assert_status 0
  assert_stderr ""
  local r="$DR_REGISTRY/org/$APP"
  PUSH_DIR=$REG/$APP
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 7" "${V}Retrieving image info for app" \
      "${V}Tagging org/$APP:7 in registry format" \
      "${V}Tagging org/$APP as latest in registry format" "${V}Pushing $r:latest"
    push_out "$r:latest" Pushed
    lines "${V}Tagging org/$APP as stable in registry format" "${V}Pushing $r:stable"
    push_out "$r:stable" "Layer already exists"
    lines "${V}Pushing $r:7"
    push_out "$r:7" "Layer already exists"
    lines "${V}Image $r:7 pushed" "${V}Untagging extra tag stable" "${V}Untagging extra tag latest"
  )"
  assert_tag_version "$APP" 7
  # in the registry: the three tags, one manifest, the built image
  assert_eq "$(remote_tags "$REG/$APP" "$r")" "$(lines 7 latest stable)" "registry tags"
  assert_remote "$REG/$APP" "$r:7" "$IMAGE_ID"
  local d
  d=$(remote_digest "$REG/$APP" "$r:7")
  assert_eq "$(remote_digest "$REG/$APP" "$r:latest")" "$d" "digest of :latest"
  assert_eq "$(remote_digest "$REG/$APP" "$r:stable")" "$d" "digest of :stable"
  # in the daemon: the retag, both numbered tags; the extra tags are gone again
  assert_eq "$(app_refs "$APP")" "$(lines "$r:7" "dokku/$APP:latest" "org/$APP:7" "org/$APP:latest")" "local images"
  # docker-local: no cleanup of older tags (none were removed above)
}

@test "(post-release-builder) global login for apps without their own; an app login wins over a wrong global one" {
  create_app other
  build_image other "release of other $APP" >/dev/null
  global_login bob "$PW_B"
  dr_ok registry:set --global push-on-release true
  dr_ok registry:set --global server "$DR_REGISTRY"
  # $APP has no login of its own: plain `docker image push`, the global config
  release "$APP"
  assert_status 0 && assert_stderr ""
  assert_contains "$output" "${V}Image $DR_REGISTRY/dokku/$APP:1 pushed"
  assert_remote "$DOKKU_ROOT/.docker" "$DR_REGISTRY/dokku/$APP:1" "$IMAGE_ID"

  # `other` logs in as alice, then the global password stops working
  app_login other alice "$PW_A"
  wrong_secret "$DOKKU_ROOT/.docker" bob
  release other
  assert_status 0 && assert_stderr ""
  assert_contains "$output" "${V}Image $DR_REGISTRY/dokku/other:1 pushed"
  assert_remote "$REG/other" "$DR_REGISTRY/dokku/other:1" "$(local_id dokku/other:latest)"

  # while $APP, on the global login, now fails with docker's exact error
  release "$APP"
  assert_status 1
  assert_stderr " !     unable to push image $DR_REGISTRY/dokku/$APP:2: docker image push command failed: unauthorized: authentication required"
  assert_tag_version "$APP" 1
  run -0 remote_tags "$REG/other" "$DR_REGISTRY/dokku/$APP"
  assert_eq "$output" 1 "registry tags of $APP"
}

@test "(post-release-builder) wrong per-app password: exact error, extra tag untagged, number kept; fixed login pushes it" {
  app_login "$APP" alice "$PW_A"
  wrong_secret "$REG/$APP" alice
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  dr_ok registry:set "$APP" push-extra-tags edge
  local r="$DR_REGISTRY/dokku/$APP"
  release "$APP"
  assert_status 1
  assert_stderr " !     unable to push image with edge tag: docker image push command failed: unauthorized: authentication required"
  assert_contains "$output" "$(lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
    "${V}Tagging dokku/$APP:1 in registry format" "${V}Tagging dokku/$APP as edge in registry format" \
    "${V}Pushing $r:edge" "The push refers to repository [$r]")"
  assert_eq "${lines[${#lines[@]} - 1]}" "${V}Untagging extra tag edge" "last stdout line"
  case "$output" in *" pushed"* | *Untagged:*) echo "unexpected stdout: $output" >&2; return 1 ;; esac
  assert_no_local "$r:edge"
  assert_tag_version "$APP" "<none>"

  # the same login again with the right password: nothing was pushed, the
  # retry is number 1
  app_login "$APP" alice "$PW_A"
  run -1 remote "$REG/$APP" list-tags --tls-verify=false --authfile "$AUTHFILE" "docker://$r"
  assert_contains "$output" "404 (Not Found)" "registry after the failed push"
  release "$APP"
  assert_status 0 && assert_stderr ""
  assert_contains "$output" "${V}Image $r:1 pushed"
  assert_tag_version "$APP" 1
  assert_eq "$(remote_tags "$REG/$APP" "$r")" "$(lines 1 edge)" "registry tags"
}

@test "(post-release-builder) the registry is down: docker's exact error, number kept; back up, the retry pushes" {
  app_login "$APP" alice "$PW_A"
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  local addr=$DR_REGISTRY r="$DR_REGISTRY/dokku/$APP"
  dr_registry_stop
  release "$APP"
  assert_status 1
  assert_stderr " !     unable to push image $r:1: docker image push command failed: Get \"http://$addr/v2/\": dial tcp $addr: connect: connection refused"
  assert_stdout "$(lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
    "${V}Tagging dokku/$APP:1 in registry format" "${V}Pushing $r:1" "The push refers to repository [$r]")"
  assert_tag_version "$APP" "<none>"
  # the local tags were made before the push
  assert_local "$r:1" "$IMAGE_ID"

  dr_registry_restart || return 1
  release "$APP"
  assert_status 0 && assert_stderr ""
  assert_contains "$output" "${V}Image $r:1 pushed"
  assert_tag_version "$APP" 1
  assert_remote "$REG/$APP" "$r:1" "$IMAGE_ID"
}

@test "(post-release-builder) k3s: four releases 1..4, <N-2> and older untagged locally, the app's dangling images removed" {
  app_login "$APP" alice "$PW_A"
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  dr_ok registry:set "$APP" image-repo "org/$APP"
  set_scheduler "$APP" k3s
  local r="$DR_REGISTRY/org/$APP" n mine theirs
  for n in 1 2 3; do
    release "$APP"
    assert_status 0 && assert_stderr ""
    assert_tag_version "$APP" "$n"
  done
  # an earlier build of this app that lost its tag, and one of another app
  mine=$(build_image "$APP" "older build of $APP" "scratch-$APP:tmp")
  build_image "$APP" "newer build of $APP" "scratch-$APP:tmp" >/dev/null
  theirs=$(build_image "not-$APP" "older build of not-$APP" "scratch-$APP:other")
  build_image "not-$APP" "newer build of not-$APP" "scratch-$APP:other" >/dev/null
  assert_eq "$(docker image ls -q --no-trunc -f dangling=true -f "label=com.dokku.app-name=$APP")" "$mine" "dangling image of $APP"

  release "$APP"
  assert_status 0 && assert_stderr ""
  PUSH_DIR=$REG/$APP
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 4" "${V}Retrieving image info for app" \
      "${V}Tagging org/$APP:4 in registry format" "${V}Pushing $r:4"
    push_out "$r:4" "Layer already exists"
    lines "${V}Cleaning up" "${V}Image $r:4 pushed"
  )"
  assert_tag_version "$APP" 4
  assert_eq "$(app_refs "$APP" | grep -v '^scratch-')" \
    "$(lines "$r:3" "$r:4" "dokku/$APP:latest" "org/$APP:3" "org/$APP:4" "org/$APP:latest")" "local images"
  assert_no_local "$mine"
  assert_local "$theirs"
  # the registry keeps every pushed tag
  assert_eq "$(remote_tags "$REG/$APP" "$r")" "$(lines 1 2 3 4)" "registry tags"
}

@test "(deployed-app-*) name the pushed image; rmi + pull back through the helper, as [recover] and the builders do" {
  app_login "$APP" alice "$PW_A"
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  dr_ok registry:set "$APP" image-repo "org/$APP"
  # `push` pushes whatever push-on-release says; then the triggers follow it
  dr push "$APP"
  assert_status 0 && assert_stderr ""
  dr_ok registry:set "$APP" push-on-release true
  local name
  name="$("$DR_BIN" deployed-app-repository "$APP")$("$DR_BIN" deployed-app-image-repo "$APP"):$("$DR_BIN" deployed-app-image-tag "$APP")"
  assert_eq "$name" "$DR_REGISTRY/org/$APP:1" "deployed image name"
  assert_remote "$REG/$APP" "$name" "$IMAGE_ID"

  # fn-verify-app-image: the image is gone locally; with the app's login
  # exported, `docker image pull` of an image named <server><repo>:<tag>
  run -0 docker image rm "$name"
  assert_no_local "$name"
  run -0 env DOCKER_CONFIG="$REG/$APP" docker image pull "$name"
  assert_local "$name" "$IMAGE_ID"

  # … and for a name without the server: pull <server><repo>:<tag>, tag it back
  docker image rm "org/$APP:1" "$name" >/dev/null
  run -0 env DOCKER_CONFIG="$REG/$APP" docker image pull "$name"
  run -0 docker image tag "$name" "org/$APP:1"
  assert_local "org/$APP:1" "$IMAGE_ID"

  # a builder (DOCKER_CONFIG=<app dir>): `docker pull`, and a build FROM the
  # pushed image, whose base the daemon pulls with the credentials docker
  # lists from our helper
  docker image rm "org/$APP:1" "$name" >/dev/null
  run -0 env DOCKER_CONFIG="$REG/$APP" docker pull "$name"
  assert_local "$name" "$IMAGE_ID"
  docker image rm "$name" >/dev/null
  local ctx="$BATS_TEST_TMPDIR/from-pushed"
  mkdir -p "$ctx" && printf 'FROM %s\n' "$name" >"$ctx/Dockerfile"
  run -0 env DOCKER_CONFIG="$REG/$APP" docker build -q -t "dokku/$APP:next" "$ctx"
  assert_local "$name" "$IMAGE_ID"
  assert_eq "$(docker image inspect --format '{{index .RootFS.Layers 0}}' "dokku/$APP:next")" \
    "$(docker image inspect --format '{{index .RootFS.Layers 0}}' "$IMAGE_ID")" "layer of the build"

  # without that login the registry refuses the pull: the helper did the work
  docker image rm "$name" "dokku/$APP:next" >/dev/null
  run -1 docker image pull "$name"
  assert_contains "$output" "no basic auth credentials" "pull with the global config"
  assert_no_local "$name"
}

@test "(credentials) docker pull with the global login, as the dokku user runs it and with --config" {
  global_login bob "$PW_B"
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  release "$APP"
  assert_status 0 && assert_stderr ""
  local name="$DR_REGISTRY/dokku/$APP:1"
  docker image rm "$name" >/dev/null
  # what Dokku runs as the dokku user: ~/.docker is $DOKKU_ROOT/.docker
  run -0 docker image pull "$name"
  assert_local "$name" "$IMAGE_ID"
  docker image rm "$name" >/dev/null
  run -0 docker --config "$DOKKU_ROOT/.docker" pull "$name"
  assert_local "$name" "$IMAGE_ID"
}

@test "(credentials) docker's own login, checked by the daemon, finds what registry:login stored" {
  app_login "$APP" alice "$PW_A"
  global_login bob "$PW_B"
  run -0 docker --config "$REG/$APP" login "$DR_REGISTRY" </dev/null
  assert_contains "$output" "Login Succeeded" "docker login with the app dir"
  run -0 docker --config "$DOKKU_ROOT/.docker" login "$DR_REGISTRY" </dev/null
  assert_contains "$output" "Login Succeeded" "docker login with the global dir"
  # docker stored them back through the helper: still one item per login
  assert_eq "$(dr_count_items)" 2 "keyring items"
  assert_eq "$(DOCKER_CONFIG=$REG/$APP docker-credential-dokku get <<<"$DR_REGISTRY" | jq -r .Username)" alice "app login"
  assert_eq "$(DOCKER_CONFIG=$DOKKU_ROOT/.docker docker-credential-dokku get <<<"$DR_REGISTRY" | jq -r .Username)" bob "global login"
  # a password the registry no longer takes: the daemon refuses it
  wrong_secret "$REG/$APP" alice
  run docker --config "$REG/$APP" login "$DR_REGISTRY" </dev/null
  [ "$status" -ne 0 ] || { echo "docker login succeeded with a wrong password: $output" >&2; return 1; }
}

@test "(post-release-builder) the image is not in the daemon: exit 1 with docker's error, nothing tagged" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" image-repo "org/$APP"
  docker image rm "dokku/$APP:latest" >/dev/null
  release "$APP"
  assert_status 1
  assert_stdout ""
  assert_stderr " !     unable to inspect image dokku/$APP:latest: Error: No such object: dokku/$APP:latest"
  assert_eq "$(app_refs "$APP")" "" "local images"
  assert_tag_version "$APP" "<none>"
}

@test "(docker) DOCKER_BIN: Debian's own docker CLI (docker.io) runs the same release" {
  local deb
  deb=$(dpkg -L docker.io 2>/dev/null | grep -x '/usr/bin/docker') ||
    skip "docker.io's CLI is not installed (a docker-ce host): the PATH docker was used above"
  app_login "$APP" alice "$PW_A"
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  dr_ok registry:set "$APP" push-extra-tags edge
  local r="$DR_REGISTRY/dokku/$APP"
  DOCKER_BIN=$deb release "$APP"
  assert_status 0 && assert_stderr ""
  PUSH_DIR=$REG/$APP
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
      "${V}Tagging dokku/$APP:1 in registry format" \
      "${V}Tagging dokku/$APP as edge in registry format" "${V}Pushing $r:edge"
    push_out "$r:edge" Pushed
    lines "${V}Pushing $r:1"
    push_out "$r:1" "Layer already exists"
    lines "${V}Image $r:1 pushed" "${V}Untagging extra tag edge"
  )"
  assert_eq "$(remote_tags "$REG/$APP" "$r")" "$(lines 1 edge)" "registry tags"
  assert_no_local "$r:edge"
}

@test "(push --from) a docker save archive, pushed without the daemon, pulls back through the helper as the same image" {
  app_login "$APP" alice "$PW_A"
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  local tar="$BATS_TEST_TMPDIR/app.tar" r="$DR_REGISTRY/dokku/$APP"
  run -0 docker save -o "$tar" "dokku/$APP:latest"
  dr push --from "docker-archive:$tar" "$APP"
  assert_status 0 && assert_stderr ""
  assert_contains "$output" "${V}Image $r:1 pushed"
  assert_tag_version "$APP" 1
  # the daemon never saw it; it pulls it with the app's login
  assert_no_local "$r:1"
  run -0 env DOCKER_CONFIG="$REG/$APP" docker image pull "$r:1"
  assert_local "$r:1" "$IMAGE_ID"
  assert_remote "$REG/$APP" "$r:1" "$IMAGE_ID"
}

@test "(dockerd) a daemon that cannot start: dr_dockerd_start fails with the reason and its log, never skips" {
  # a stand-in dockerd: the point is a daemon that dies while starting
  local fake="$BATS_TEST_TMPDIR/fake-bin" d
  mkdir -p "$fake"
  printf '#!/bin/sh\necho "failed to start daemon: this is the stand-in dockerd" >&2\nexit 1\n' >"$fake/dockerd"
  chmod +x "$fake/dockerd"
  d=$(mktemp -d /tmp/dr-dockerd-fail.XXXXXX)
  # shellcheck disable=SC2016  # expanded by the inner bash
  run -1 env PATH="$fake:$PATH" bash -c 'source "$1" && dr_dockerd_start "$2"; rc=$?; dr_dockerd_stop; exit $rc' \
    _ "$BATS_TEST_DIRNAME/../lib/dockerd.sh" "$d/x"
  assert_contains "$output" "dr-dockerd: dockerd exited while starting" "harness output"
  assert_contains "$output" "failed to start daemon: this is the stand-in dockerd" "the daemon's log"
  # what it started is gone again (its containerd included), and so is its dir
  [ ! -e "$d/x" ]
  run pgrep -f -- "$d/x/"
  assert_status 1

  # a directory too long for the daemons' sockets is refused up front
  local long
  long="$d/$(printf 'x%.0s' $(seq 1 70))"
  # shellcheck disable=SC2016
  run -1 bash -c 'source "$1" && dr_dockerd_start "$2"' _ "$BATS_TEST_DIRNAME/../lib/dockerd.sh" "$long"
  assert_contains "$output" "is too long for the daemons' unix sockets" "harness output"
  [ ! -e "$long" ]
  rmdir "$d"
}
