#!/usr/bin/env bats
# End-to-end tests of the Dokku push-on-release flow of dokku-registry with the
# docker engine: post-release-builder, the deployed-app-* triggers and `push`
# (as Dokku's registry plugin does it), plus this
# implementation's deliberate improvements (tag-version committed only after a
# successful push; push-extra-tags elements trimmed, blanks skipped).
#
# The flow itself runs through a real Docker daemon in release-dockerd.bats.
# This file keeps a recording stand-in for the docker CLI (release-helpers.bash,
# fake_docker_install, first on PATH) for what a daemon cannot show: the exact
# docker command lines and their order (a daemon only shows the result, not
# that nothing else ran, or that only pushes got --config), pushes to public
# registries (ghcr.io, quay.io, Docker Hub: no network here), and failures
# that cannot be produced on demand (a refused tag or untag, inspect or
# `image ls` failing, a daemon gone between two commands, a TLS timeout),
# and that DOCKER_BIN replaces the PATH docker. Every test asserts the exact
# argv sequence, stdout, stderr and exit code. The credential tests also use a
# real keyring, a real docker-registry and the real docker CLI pointed at no
# daemon.

bats_require_minimum_version 1.5.0

load release-helpers

setup_file() {
  rel_setup_file
}

teardown_file() {
  rel_teardown_file
}

setup() {
  rel_setup
}

# Common expected fragments --------------------------------------------------

ANNOUNCE='-----> Pushing image to registry'

# ---------------------------------------------------------------------------
# push-on-release off: nothing is tagged or pushed

@test "(post-release-builder) push off, default repo: only docker inspect; no output; tag-version untouched" {
  release "$APP"
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  assert_calls
  assert_tag_version "$APP" "<none>"

  # an existing (even unusable) tag-version is not read nor written
  write_prop "$APP" tag-version 5
  calls_reset
  release "$APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  assert_calls
  assert_tag_version "$APP" 5

  write_prop "$APP" tag-version abc
  calls_reset
  release "$APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  assert_calls
  assert_tag_version "$APP" abc
}

@test "(post-release-builder) push off, image-repo heroku/<app>: retagged as heroku/<app>:latest (upstream #14), nothing else" {
  dr_ok registry:set "$APP" image-repo "heroku/$APP"
  release "$APP"
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  exp_tag "heroku/$APP:latest"
  assert_calls
  assert_tag_version "$APP" "<none>"
}

@test "(post-release-builder) retag replaces only the 'dokku/<app>:' part: dokku/<app>:v2 -> <repo>:v2" {
  dr_ok registry:set "$APP" image-repo "org/$APP-web"
  release "$APP" "dokku/$APP:v2"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  exp_inspect "dokku/$APP:v2"
  exp_tag "org/$APP-web:v2"
  assert_calls
}

@test "(post-release-builder) push off with a server set: no retag for dokku/<app>, no push" {
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set --global push-extra-tags latest
  release "$APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  assert_calls
}

@test "(post-release-builder) a template that renders dokku/<app> is no retag" {
  dr_ok registry:set --global image-repo-template 'dokku/{{ .AppName }}'
  release "$APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  assert_calls
}

@test "(post-release-builder) push-on-release other than exactly 'true' does not push (app and global)" {
  local v
  for v in TRUE True yes 1 on 'true,' '"true"'; do
    write_prop "$APP" push-on-release "$v"
    calls_reset
    release "$APP"
    assert_status 0 && assert_stdout "" && assert_stderr ""
    exp_inspect "dokku/$APP:latest"
    assert_calls || { echo "with app push-on-release=$v" >&2; return 1; }
  done
  rm -f "$REG/$APP/push-on-release"
  for v in TRUE yes 1; do
    write_prop --global push-on-release "$v"
    calls_reset
    release "$APP"
    assert_status 0 && assert_stdout "" && assert_stderr ""
    exp_inspect "dokku/$APP:latest"
    assert_calls || { echo "with global push-on-release=$v" >&2; return 1; }
  done
  # app false wins over global true
  dr_ok registry:set --global push-on-release true
  dr_ok registry:set "$APP" push-on-release false
  calls_reset
  release "$APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  assert_calls
  assert_tag_version "$APP" "<none>"
}

# ---------------------------------------------------------------------------
# push-on-release on: tag-version bumped, image tagged and pushed

@test "(post-release-builder) push on, defaults: exact output and docker calls, tag-version 1" {
  dr_ok registry:set "$APP" push-on-release true
  release "$APP"
  assert_status 0
  assert_stderr ""
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
      "${V}Tagging dokku/$APP:1 in registry format" "${V}Pushing dokku/$APP:1"
    push_out "dokku/$APP:1"
    lines "${V}Image dokku/$APP:1 pushed"
  )"
  exp_inspect "dokku/$APP:latest"
  # the server is empty: "<server><repo>:1" and "<repo>:1" are the same ref, both tagged
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "dokku/$APP:1"
  assert_calls
  assert_tag_version "$APP" 1
}

@test "(post-release-builder) fires the deprecated pre-deploy trigger first, as Dokku's core plugin does" {
  # an old community plugin that still hooks pre-deploy: it records its
  # arguments and the docker calls made before it ran
  test_plugin old-hook pre-deploy "printf '%s\n' \"\$*\" >>'$BATS_TEST_TMPDIR/pre-deploy'; wc -l <'$FAKE/calls.log' >>'$BATS_TEST_TMPDIR/pre-deploy'"
  dr_ok registry:set "$APP" push-on-release true
  release "$APP" "dokku/$APP:v7"
  assert_status 0
  # Dokku's words, on stderr; the trigger gets the app and the image's tag
  assert_stderr " !     Deprecated: please upgrade plugin to use 'pre-release-builder' plugin trigger instead of pre-deploy"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/pre-deploy")" "$APP v7"$'\n'"0" "pre-deploy calls (args, docker calls before it)"
  assert_tag_version "$APP" 1
  # a pre-deploy that fails stops the release before anything is pushed
  test_plugin old-hook pre-deploy "echo 'not today' >&2; exit 4"
  calls_reset
  release "$APP"
  assert_status 1
  assert_contains "$stderr" "not today"
  assert_contains "$stderr" "Dokku's pre-deploy trigger failed (plugn trigger pre-deploy exited with 4)"
  assert_calls
  assert_tag_version "$APP" 1
  # without a plugin hooking it: no warning (20_events only logs the call)
  rm "$PLUGIN_PATH/enabled/old-hook"
  test_plugin 20_events pre-deploy "exit 0"
  calls_reset
  release "$APP"
  assert_status 0
  assert_eq "$(grep -c Deprecated <<<"$stderr")" 0 "deprecation warnings"
}

@test "(post-release-builder) push on with server and image-repo: retag, registry + local tags, push to the server" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set "$APP" image-repo "org/$APP"
  release "$APP"
  assert_status 0
  assert_stderr ""
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
      "${V}Tagging org/$APP:1 in registry format" "${V}Pushing ghcr.io/org/$APP:1"
    push_out "ghcr.io/org/$APP:1"
    lines "${V}Image ghcr.io/org/$APP:1 pushed"
  )"
  exp_inspect "dokku/$APP:latest"
  exp_tag "org/$APP:latest"
  exp_tag "ghcr.io/org/$APP:1"
  exp_tag "org/$APP:1"
  exp_push "ghcr.io/org/$APP:1"
  assert_calls
  assert_tag_version "$APP" 1
}

@test "(post-release-builder) global push-on-release true and global server (trailing slash, whitespace) are used" {
  dr_ok registry:set --global push-on-release true
  write_prop --global server 'quay.io/ '
  release "$APP"
  assert_status 0 && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  exp_tag "quay.io/dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "quay.io/dokku/$APP:1"
  assert_calls
  assert_contains "$output" "${V}Image quay.io/dokku/$APP:1 pushed"
}

@test "(post-release-builder) app server docker.io overrides a global server: pushed without a registry prefix" {
  dr_ok registry:set --global server ghcr.io
  dr_ok registry:set "$APP" server docker.io
  dr_ok registry:set "$APP" push-on-release true
  release "$APP"
  assert_status 0 && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "dokku/$APP:1"
  assert_calls
  for s in hub.docker.com/ docker.io/; do
    write_prop "$APP" server "$s"
    calls_reset
    release "$APP"
    assert_status 0
    exp_inspect "dokku/$APP:latest"
    exp_tag "dokku/$APP:2"
    exp_tag "dokku/$APP:2"
    exp_push "dokku/$APP:2"
    assert_calls || { echo "with app server $s" >&2; return 1; }
    write_prop "$APP" tag-version 1
  done
}

@test "(post-release-builder) app push-on-release is trimmed: ' true\\n' pushes" {
  write_prop "$APP" push-on-release $' true\n'
  release "$APP"
  assert_status 0 && assert_stderr ""
  assert_contains "$output" "$ANNOUNCE"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "dokku/$APP:1"
  assert_calls
  assert_tag_version "$APP" 1
}

@test "(post-release-builder) rendered image-repo-template is the repo: retag + push" {
  dr_ok registry:set --global image-repo-template 'global-prefix/{{ .AppName }}'
  dr_ok registry:set "$APP" push-on-release true
  release "$APP"
  assert_status 0 && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  exp_tag "global-prefix/$APP:latest"
  exp_tag "global-prefix/$APP:1"
  exp_tag "global-prefix/$APP:1"
  exp_push "global-prefix/$APP:1"
  assert_calls
  assert_contains "$output" "${V}Tagging global-prefix/$APP:1 in registry format"

  # the app template wins over the global one; image-repo wins over both
  dr_ok registry:set "$APP" image-repo-template 'app-prefix/{{ .AppName }}-prod'
  calls_reset
  release "$APP"
  assert_status 0
  exp_inspect "dokku/$APP:latest"
  exp_tag "app-prefix/$APP-prod:latest"
  exp_tag "app-prefix/$APP-prod:2"
  exp_tag "app-prefix/$APP-prod:2"
  exp_push "app-prefix/$APP-prod:2"
  assert_calls
  dr_ok registry:set "$APP" image-repo "mine/$APP"
  calls_reset
  release "$APP"
  assert_status 0
  exp_inspect "dokku/$APP:latest"
  exp_tag "mine/$APP:latest"
  exp_tag "mine/$APP:3"
  exp_tag "mine/$APP:3"
  exp_push "mine/$APP:3"
  assert_calls
}

@test "(post-release-builder) tag-version is trimmed and bumped: ' 41\\n' -> 42" {
  dr_ok registry:set "$APP" push-on-release true
  write_prop "$APP" tag-version $' 41\n'
  release "$APP"
  assert_status 0 && assert_stderr ""
  assert_contains "$output" "${V}Bumping tag to 42"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:42"
  exp_tag "dokku/$APP:42"
  exp_push "dokku/$APP:42"
  assert_calls
  assert_tag_version "$APP" 42
  # an empty file counts as 0
  write_prop "$APP" tag-version ''
  calls_reset
  release "$APP"
  assert_status 0
  assert_contains "$output" "${V}Bumping tag to 1"
  assert_tag_version "$APP" 1
}

@test "(post-release-builder) non-integer tag-version: error, exit 1, nothing tagged or pushed, file untouched" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" image-repo "org/$APP"
  local v
  for v in abc 1.5 ' 7x '; do
    write_prop "$APP" tag-version "$v"
    calls_reset
    release "$APP"
    assert_status 1
    assert_stdout "$ANNOUNCE"
    local trimmed=${v# }
    trimmed=${trimmed% }
    assert_eq "${#stderr_lines[@]}" 1 "stderr lines ($stderr)"
    assert_contains "$stderr" " !     Unable to convert existing tag version ($trimmed) to integer: "
    [ "${stderr#" !     Unable to convert existing tag version ($trimmed) to integer: "}" != "" ] || {
      echo "no cause after the colon: $stderr" >&2; return 1; }
    exp_inspect "dokku/$APP:latest"
    exp_tag "org/$APP:latest"
    assert_calls
    assert_file_content "$REG/$APP/tag-version" "$v"
  done
}

@test "(post-release-builder) bad image-repo-template with push on: fatal, exit 1, nothing tagged or pushed" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set --global image-repo-template 'dokku/{{ APP }}'
  release "$APP"
  assert_status 1
  assert_stdout ""
  assert_stderr ' !     Unable to determine image repo from template: Unable to parse image-repo-template: template: template:1: function "APP" not defined'
  exp_inspect "dokku/$APP:latest"
  assert_calls
  assert_tag_version "$APP" "<none>"

  # same for an app template
  dr_ok registry:set --global image-repo-template
  dr_ok registry:set "$APP" image-repo-template 'x/{{ APP }}'
  calls_reset
  release "$APP"
  assert_status 1
  assert_stdout ""
  assert_stderr ' !     Unable to determine image repo from template: Unable to parse image-repo-template: template: template:1: function "APP" not defined'
  exp_inspect "dokku/$APP:latest"
  assert_calls
}

@test "(post-release-builder) docker inspect fails: exit 1 with docker's error, nothing else run" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" image-repo "org/$APP"
  docker_fail "inspect *" "Error: No such object: dokku/$APP:latest"
  release "$APP"
  assert_status 1
  assert_stdout ""
  assert_eq "${#stderr_lines[@]}" 1 "stderr lines ($stderr)"
  assert_contains "$stderr" " !     "
  assert_contains "$stderr" "Error: No such object: dokku/$APP:latest"
  exp_inspect "dokku/$APP:latest"
  assert_calls
  assert_tag_version "$APP" "<none>"
}

# ---------------------------------------------------------------------------
# push-extra-tags (each pushed before the numbered tag, untagged last)

@test "(post-release-builder) extra tags: tag, push each, then the main tag; untagged last in reverse order" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set "$APP" image-repo "org/$APP"
  dr_ok registry:set "$APP" push-extra-tags latest,stable
  write_prop "$APP" tag-version 6
  release "$APP"
  assert_status 0
  assert_stderr ""
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 7" "${V}Retrieving image info for app" \
      "${V}Tagging org/$APP:7 in registry format" \
      "${V}Tagging org/$APP as latest in registry format" "${V}Pushing ghcr.io/org/$APP:latest"
    push_out "ghcr.io/org/$APP:latest"
    lines "${V}Tagging org/$APP as stable in registry format" "${V}Pushing ghcr.io/org/$APP:stable"
    push_out "ghcr.io/org/$APP:stable"
    lines "${V}Pushing ghcr.io/org/$APP:7"
    push_out "ghcr.io/org/$APP:7"
    lines "${V}Image ghcr.io/org/$APP:7 pushed" "${V}Untagging extra tag stable" "${V}Untagging extra tag latest"
  )"
  exp_inspect "dokku/$APP:latest"
  exp_tag "org/$APP:latest"
  exp_tag "ghcr.io/org/$APP:7"
  exp_tag "org/$APP:7"
  exp_tag "ghcr.io/org/$APP:latest"
  exp_push "ghcr.io/org/$APP:latest"
  exp_tag "ghcr.io/org/$APP:stable"
  exp_push "ghcr.io/org/$APP:stable"
  exp_push "ghcr.io/org/$APP:7"
  exp_rm "ghcr.io/org/$APP:stable"
  exp_rm "ghcr.io/org/$APP:latest"
  assert_calls
  assert_tag_version "$APP" 7
}

@test "(post-release-builder) extra tags are trimmed and blanks skipped (improvement over Dokku)" {
  dr_ok registry:set "$APP" push-on-release true
  write_prop "$APP" push-extra-tags ' edge , ,stable,'
  release "$APP"
  assert_status 0 && assert_stderr ""
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
      "${V}Tagging dokku/$APP:1 in registry format" \
      "${V}Tagging dokku/$APP as edge in registry format" "${V}Pushing dokku/$APP:edge"
    push_out "dokku/$APP:edge"
    lines "${V}Tagging dokku/$APP as stable in registry format" "${V}Pushing dokku/$APP:stable"
    push_out "dokku/$APP:stable"
    lines "${V}Pushing dokku/$APP:1"
    push_out "dokku/$APP:1"
    lines "${V}Image dokku/$APP:1 pushed" "${V}Untagging extra tag stable" "${V}Untagging extra tag edge"
  )"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:edge"
  exp_push "dokku/$APP:edge"
  exp_tag "dokku/$APP:stable"
  exp_push "dokku/$APP:stable"
  exp_push "dokku/$APP:1"
  exp_rm "dokku/$APP:stable"
  exp_rm "dokku/$APP:edge"
  assert_calls
}

@test "(post-release-builder) extra tags fall back to the global value (also for a blank app value)" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set --global push-extra-tags foo
  release "$APP"
  assert_status 0 && assert_stderr ""
  # upstream #16: the deploy output mentions dokku/<app>:foo
  assert_contains "$output" "${V}Pushing dokku/$APP:foo"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:foo"
  exp_push "dokku/$APP:foo"
  exp_push "dokku/$APP:1"
  exp_rm "dokku/$APP:foo"
  assert_calls

  write_prop "$APP" push-extra-tags $'  \n'
  calls_reset
  release "$APP"
  assert_status 0
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:2"
  exp_tag "dokku/$APP:2"
  exp_tag "dokku/$APP:foo"
  exp_push "dokku/$APP:foo"
  exp_push "dokku/$APP:2"
  exp_rm "dokku/$APP:foo"
  assert_calls

  # an app value wins
  dr_ok registry:set "$APP" push-extra-tags bar
  calls_reset
  release "$APP"
  assert_status 0
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:3"
  exp_tag "dokku/$APP:3"
  exp_tag "dokku/$APP:bar"
  exp_push "dokku/$APP:bar"
  exp_push "dokku/$APP:3"
  exp_rm "dokku/$APP:bar"
  assert_calls
}

@test "(post-release-builder) a failing untag is a warning on stderr, not fatal; the other untags still run" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" push-extra-tags a,b,c
  docker_fail "image rm dokku/$APP:b" "Error response from daemon: conflict: unable to remove repository reference"
  release "$APP"
  assert_status 0
  assert_eq "${#stderr_lines[@]}" 1 "stderr lines ($stderr)"
  # Dokku's RemoveImages error inside its warning
  assert_eq "${stderr_lines[0]}" " !     Unable to untag extra tag b: Unable to remove images: Error response from daemon: conflict: unable to remove repository reference" "warning"
  assert_contains "$output" "$(lines "${V}Image dokku/$APP:1 pushed" "${V}Untagging extra tag c" \
    "${V}Untagging extra tag b" "${V}Untagging extra tag a")"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  for t in a b c; do
    exp_tag "dokku/$APP:$t"
    exp_push "dokku/$APP:$t"
  done
  exp_push "dokku/$APP:1"
  exp_rm "dokku/$APP:c"
  exp_rm "dokku/$APP:b"
  exp_rm "dokku/$APP:a"
  assert_calls
  assert_tag_version "$APP" 1
}

@test "(post-release-builder) extra tags are ignored when pushing is off" {
  dr_ok registry:set "$APP" push-extra-tags latest
  dr_ok registry:set "$APP" image-repo "org/$APP"
  release "$APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  exp_tag "org/$APP:latest"
  assert_calls
}

# ---------------------------------------------------------------------------
# errors (printed as " !     <msg>", exit 1) and the tag-version commit (improvement)

@test "(post-release-builder) main push fails: exact error, exit 1, no 'pushed' line, tag-version unchanged" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  write_prop "$APP" tag-version 3
  docker_fail "image push ghcr.io/dokku/$APP:4" "denied: requested access to the resource is denied"
  release "$APP"
  assert_status 1
  assert_stdout "$(lines "$ANNOUNCE" "${V}Bumping tag to 4" "${V}Retrieving image info for app" \
    "${V}Tagging dokku/$APP:4 in registry format" "${V}Pushing ghcr.io/dokku/$APP:4")"
  assert_stderr " !     unable to push image ghcr.io/dokku/$APP:4: docker image push command failed: denied: requested access to the resource is denied"
  exp_inspect "dokku/$APP:latest"
  exp_tag "ghcr.io/dokku/$APP:4"
  exp_tag "dokku/$APP:4"
  exp_push "ghcr.io/dokku/$APP:4"
  assert_calls
  assert_tag_version "$APP" 3
}

@test "(post-release-builder) a failed push does not use up the tag number: 1, fail, then 2 (improvement)" {
  dr_ok registry:set "$APP" push-on-release true
  release "$APP"
  assert_status 0
  assert_tag_version "$APP" 1

  docker_fail "image push dokku/$APP:2" "unauthorized: authentication required"
  calls_reset
  release "$APP"
  assert_status 1
  assert_contains "$output" "${V}Bumping tag to 2"
  assert_stderr " !     unable to push image dokku/$APP:2: docker image push command failed: unauthorized: authentication required"
  assert_tag_version "$APP" 1
  # the triggers still name the last pushed tag
  dr deployed-app-image-tag "$APP"
  assert_status 0 && assert_stdout 1

  rm -f "$FAKE/fail.rules"
  calls_reset
  release "$APP"
  assert_status 0
  assert_stderr ""
  assert_contains "$output" "${V}Bumping tag to 2"
  assert_contains "$output" "${V}Image dokku/$APP:2 pushed"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:2"
  exp_tag "dokku/$APP:2"
  exp_push "dokku/$APP:2"
  assert_calls
  assert_tag_version "$APP" 2
}

@test "(post-release-builder) the first release failing leaves no tag-version; the retry is 1" {
  dr_ok registry:set "$APP" push-on-release true
  docker_fail "image push *" "connection refused"
  release "$APP"
  assert_status 1
  assert_stderr " !     unable to push image dokku/$APP:1: docker image push command failed: connection refused"
  [ "$(tag_version "$APP")" = "<none>" ] || [ "$(tag_version "$APP")" = "" ] || [ "$(tag_version "$APP")" = 0 ] || {
    echo "tag-version after a failed first push: $(tag_version "$APP")" >&2; return 1; }
  rm -f "$FAKE/fail.rules"
  calls_reset
  release "$APP"
  assert_status 0
  assert_contains "$output" "${V}Bumping tag to 1"
  assert_tag_version "$APP" 1
}

@test "(post-release-builder) extra tag push fails: its error, later tags and the main push skipped, untags still run" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set "$APP" push-extra-tags a,b,c
  docker_fail "image push ghcr.io/dokku/$APP:b" "tag invalid"
  release "$APP"
  assert_status 1
  assert_stderr " !     unable to push image with b tag: docker image push command failed: tag invalid"
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
      "${V}Tagging dokku/$APP:1 in registry format" \
      "${V}Tagging dokku/$APP as a in registry format" "${V}Pushing ghcr.io/dokku/$APP:a"
    push_out "ghcr.io/dokku/$APP:a"
    lines "${V}Tagging dokku/$APP as b in registry format" "${V}Pushing ghcr.io/dokku/$APP:b" \
      "${V}Untagging extra tag b" "${V}Untagging extra tag a"
  )"
  exp_inspect "dokku/$APP:latest"
  exp_tag "ghcr.io/dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_tag "ghcr.io/dokku/$APP:a"
  exp_push "ghcr.io/dokku/$APP:a"
  exp_tag "ghcr.io/dokku/$APP:b"
  exp_push "ghcr.io/dokku/$APP:b"
  exp_rm "ghcr.io/dokku/$APP:b"
  exp_rm "ghcr.io/dokku/$APP:a"
  assert_calls
  assert_tag_version "$APP" "<none>"
}

@test "(post-release-builder) main push fails after extra tags: untags run, then the error (warnings first on stderr)" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" push-extra-tags x,y
  docker_fail "image push dokku/$APP:1" "boom"
  docker_fail "image rm dokku/$APP:x" "no such image"
  release "$APP"
  assert_status 1
  assert_eq "${#stderr_lines[@]}" 2 "stderr lines ($stderr)"
  assert_eq "${stderr_lines[0]}" " !     Unable to untag extra tag x: Unable to remove images: no such image" "stderr line 0"
  assert_eq "${stderr_lines[1]}" " !     unable to push image dokku/$APP:1: docker image push command failed: boom" "stderr line 1"
  assert_contains "$output" "$(lines "${V}Pushing dokku/$APP:1" "${V}Untagging extra tag y" "${V}Untagging extra tag x")"
  case "$output" in *"pushed"*) echo "'pushed' printed after a failed push" >&2; return 1 ;; esac
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:x"
  exp_push "dokku/$APP:x"
  exp_tag "dokku/$APP:y"
  exp_push "dokku/$APP:y"
  exp_push "dokku/$APP:1"
  exp_rm "dokku/$APP:y"
  exp_rm "dokku/$APP:x"
  assert_calls
  assert_tag_version "$APP" "<none>"
}

@test "(post-release-builder) tagging in registry format fails: 'unable to tag image <id> as <ref>'" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  write_prop "$APP" tag-version 2
  docker_fail "image tag $FAKE_ID ghcr.io/dokku/$APP:3" "Error parsing reference"
  release "$APP"
  assert_status 1
  assert_stdout "$(lines "$ANNOUNCE" "${V}Bumping tag to 3" "${V}Retrieving image info for app" \
    "${V}Tagging dokku/$APP:3 in registry format")"
  assert_stderr " !     unable to tag image $FAKE_ID as ghcr.io/dokku/$APP:3: docker tag command failed: Error parsing reference"
  exp_inspect "dokku/$APP:latest"
  exp_tag "ghcr.io/dokku/$APP:3"
  assert_calls
  assert_tag_version "$APP" 2
}

@test "(post-release-builder) the local <repo>:<N> tag fails: the error names that ref" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  docker_fail "image tag $FAKE_ID dokku/$APP:1" "local tag refused"
  release "$APP"
  assert_status 1
  assert_stderr " !     unable to tag image $FAKE_ID as dokku/$APP:1: docker tag command failed: local tag refused"
  exp_inspect "dokku/$APP:latest"
  exp_tag "ghcr.io/dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  assert_calls
  assert_tag_version "$APP" "<none>"
}

@test "(post-release-builder) tagging an extra tag fails: error names the extra ref; earlier extras untagged" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" push-extra-tags ok,bad
  docker_fail "image tag $FAKE_ID dokku/$APP:bad" "invalid reference format"
  release "$APP"
  assert_status 1
  assert_stderr " !     unable to tag image $FAKE_ID as dokku/$APP:bad: docker tag command failed: invalid reference format"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:ok"
  exp_push "dokku/$APP:ok"
  exp_tag "dokku/$APP:bad"
  exp_rm "dokku/$APP:ok"
  assert_calls
  assert_contains "$output" "${V}Untagging extra tag ok"
  assert_tag_version "$APP" "<none>"
}

@test "(post-release-builder) the retag fails (push off): exit 1 with the tag error" {
  dr_ok registry:set "$APP" image-repo "heroku/$APP"
  docker_fail "image tag *" "no space left on device"
  release "$APP"
  assert_status 1
  assert_stdout ""
  assert_stderr " !     unable to tag image $FAKE_ID as heroku/$APP:latest: docker tag command failed: no space left on device"
  exp_inspect "dokku/$APP:latest"
  exp_tag "heroku/$APP:latest"
  assert_calls
}

# ---------------------------------------------------------------------------
# cleanup for schedulers other than docker-local (old tags removed after the push)

@test "(post-release-builder) four releases give tags 1..4 (upstream #15); k3s cleanup removes <N-2> and below" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" image-repo dokku/test-app
  set_scheduler "$APP" k3s
  local n
  for n in 1 2 3 4; do
    calls_reset
    release "$APP"
    assert_status 0
    assert_stderr ""
    assert_stdout "$(
      lines "$ANNOUNCE" "${V}Bumping tag to $n" "${V}Retrieving image info for app" \
        "${V}Tagging dokku/test-app:$n in registry format" "${V}Pushing dokku/test-app:$n"
      push_out "dokku/test-app:$n"
      lines "${V}Cleaning up" "${V}Image dokku/test-app:$n pushed"
    )"
    exp_inspect "dokku/$APP:latest"
    exp_tag "dokku/test-app:latest"
    exp_tag "dokku/test-app:$n"
    exp_tag "dokku/test-app:$n"
    exp_push "dokku/test-app:$n"
    exp_any_order
    [ "$n" -ge 3 ] && exp_rm "dokku/test-app:$((n - 2))"
    [ "$n" -ge 4 ] && exp_rm "dokku/test-app:$((n - 3))"
    exp_ls_dangling "$APP"
    exp_in_order
    assert_calls || { echo "release $n" >&2; return 1; }
    assert_tag_version "$APP" "$n"
  done
}

@test "(post-release-builder) cleanup with a server: <server><repo> and <repo> for N-2..N-11, dangling images removed" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set "$APP" push-extra-tags latest
  set_scheduler --global k3s
  write_prop "$APP" tag-version 12
  docker_dangling sha256:dangling1 sha256:dangling2
  release "$APP"
  assert_status 0
  assert_stderr ""
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 13" "${V}Retrieving image info for app" \
      "${V}Tagging dokku/$APP:13 in registry format" \
      "${V}Tagging dokku/$APP as latest in registry format" "${V}Pushing ghcr.io/dokku/$APP:latest"
    push_out "ghcr.io/dokku/$APP:latest"
    lines "${V}Pushing ghcr.io/dokku/$APP:13"
    push_out "ghcr.io/dokku/$APP:13"
    lines "${V}Cleaning up" "${V}Image ghcr.io/dokku/$APP:13 pushed" "${V}Untagging extra tag latest"
  )"
  exp_inspect "dokku/$APP:latest"
  exp_tag "ghcr.io/dokku/$APP:13"
  exp_tag "dokku/$APP:13"
  exp_tag "ghcr.io/dokku/$APP:latest"
  exp_push "ghcr.io/dokku/$APP:latest"
  exp_push "ghcr.io/dokku/$APP:13"
  exp_any_order
  local t
  for t in 11 10 9 8 7 6 5 4 3 2; do
    exp_rm "ghcr.io/dokku/$APP:$t"
    exp_rm "dokku/$APP:$t"
  done
  exp_ls_dangling "$APP"
  exp_rm sha256:dangling1
  exp_rm sha256:dangling2
  exp_in_order
  exp_rm "ghcr.io/dokku/$APP:latest"
  assert_calls
  # the ids come from the listing
  assert_before "$(fmt_call image ls -q -f dangling=true -f "label=com.dokku.app-name=$APP")" \
    "$(fmt_call image rm sha256:dangling1)"
  assert_before "$(fmt_call image ls -q -f dangling=true -f "label=com.dokku.app-name=$APP")" \
    "$(fmt_call image rm sha256:dangling2)"
  assert_tag_version "$APP" 13
}

@test "(post-release-builder) cleanup errors are ignored" {
  dr_ok registry:set "$APP" push-on-release true
  set_scheduler "$APP" k3s
  write_prop "$APP" tag-version 2
  docker_fail "image rm *" "Error: No such image"
  docker_fail "image ls *" "Cannot connect to the Docker daemon"
  release "$APP"
  assert_status 0
  assert_contains "$output" "$(lines "${V}Cleaning up" "${V}Image dokku/$APP:3 pushed")"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:3"
  exp_tag "dokku/$APP:3"
  exp_push "dokku/$APP:3"
  exp_any_order
  exp_rm "dokku/$APP:1"
  exp_ls_dangling "$APP"
  exp_in_order
  assert_calls
  assert_tag_version "$APP" 3
}

@test "(post-release-builder) N=2: 'Cleaning up' but no tag to remove, only the dangling listing" {
  dr_ok registry:set "$APP" push-on-release true
  set_scheduler "$APP" k3s
  write_prop "$APP" tag-version 1
  release "$APP"
  assert_status 0
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:2"
  exp_tag "dokku/$APP:2"
  exp_push "dokku/$APP:2"
  exp_ls_dangling "$APP"
  assert_calls
  assert_contains "$output" "${V}Cleaning up"
}

@test "(post-release-builder) no cleanup on docker-local: default, explicit, or app docker-local over global k3s" {
  dr_ok registry:set "$APP" push-on-release true
  write_prop "$APP" tag-version 5
  local case_
  for case_ in default explicit-app app-over-global blank-app-global-local; do
    case $case_ in
      default) ;;
      explicit-app) set_scheduler "$APP" docker-local ;;
      app-over-global) set_scheduler --global k3s; set_scheduler "$APP" docker-local ;;
      blank-app-global-local) set_scheduler --global docker-local; set_scheduler "$APP" '' ;;
    esac
    calls_reset
    release "$APP"
    assert_status 0
    local n
    n=$(tag_version "$APP")
    exp_inspect "dokku/$APP:latest"
    exp_tag "dokku/$APP:$n"
    exp_tag "dokku/$APP:$n"
    exp_push "dokku/$APP:$n"
    assert_calls || { echo "case $case_" >&2; return 1; }
    case "$output" in *"Cleaning up"*) echo "cleanup printed ($case_)" >&2; return 1 ;; esac
  done
  # a blank app value falls back to the global one
  set_scheduler --global k3s
  calls_reset
  release "$APP"
  assert_status 0
  assert_contains "$output" "${V}Cleaning up"
}

# ---------------------------------------------------------------------------
# per-app credentials

@test "(post-release-builder) per-app auths in config.json: pushes use docker --config <app dir>; nothing else does" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set "$APP" push-extra-tags latest
  app_config_json "$APP" '{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNz"}}}'
  release "$APP"
  assert_status 0
  assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  exp_tag "ghcr.io/dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_tag "ghcr.io/dokku/$APP:latest"
  exp_push "ghcr.io/dokku/$APP:latest" "$REG/$APP"
  exp_push "ghcr.io/dokku/$APP:1" "$REG/$APP"
  exp_rm "ghcr.io/dokku/$APP:latest"
  assert_calls
  # the push output is still streamed
  assert_contains "$output" "$(push_out "ghcr.io/dokku/$APP:1")"
}

@test "(post-release-builder) config.json without a non-empty auths object is not per-app auth: plain push" {
  dr_ok registry:set "$APP" push-on-release true
  local cfg n=0
  for cfg in '{"auths":{}}' '{"credsStore":"dokku"}' '{"credHelpers":{"ghcr.io":"dokku"}}' '{"auths":[]}' 'not json'; do
    n=$((n + 1))
    app_config_json "$APP" "$cfg"
    calls_reset
    release "$APP"
    assert_status 0
    exp_inspect "dokku/$APP:latest"
    exp_tag "dokku/$APP:$n"
    exp_tag "dokku/$APP:$n"
    exp_push "dokku/$APP:$n"
    assert_calls || { echo "with config.json $cfg" >&2; return 1; }
  done
}

@test "(credentials) real per-app login: push uses that config dir, where docker finds alice through our helper" {
  [ -n "$REAL_DOCKER" ] || skip "no docker CLI"
  dr_keyring_clear
  local dir="$REG/$APP" out
  out=$(printf '%s' "$PW_A" | "$DR_BIN" login --password-stdin "$APP" "$DR_REGISTRY" alice 2>&1) || {
    echo "login failed: $out" >&2; return 1; }
  assert_eq "$out" " !     Login Succeeded for $APP" "login output"
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server "$DR_REGISTRY"
  release "$APP"
  assert_status 0
  assert_stderr ""
  exp_inspect "dokku/$APP:latest"
  exp_tag "$DR_REGISTRY/dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "$DR_REGISTRY/dokku/$APP:1" "$dir"
  assert_calls

  # the helper, as docker runs it for that dir
  out=$(DOCKER_CONFIG=$dir docker-credential-dokku get <<<"$DR_REGISTRY") || {
    echo "helper get failed: $out" >&2; return 1; }
  assert_eq "$out" "$(jq -cn --arg s "$DR_REGISTRY" --arg p "$PW_A" '{ServerURL:$s,Username:"alice",Secret:$p}')" "helper get"

  # the real docker CLI with --config <dir> asks our helper (no daemon: it then fails)
  run -1 env DOCKER_HOST="unix://$BATS_TEST_TMPDIR/no-docker.sock" "$REAL_DOCKER" --config "$dir" login "$DR_REGISTRY" </dev/null
  grep -qxF "Authenticating with existing credentials... [Username: alice]" <<<"$output" || {
    echo "docker login output: $output" >&2; return 1; }
}

@test "(credentials) real global login: the global dir gives the global user, the app dir keeps its own" {
  [ -n "$REAL_DOCKER" ] || skip "no docker CLI"
  dr_keyring_clear
  create_app other
  local out gdir="$DOKKU_ROOT/.docker"
  out=$(printf '%s' "$PW_A" | "$DR_BIN" login --password-stdin "$APP" "$DR_REGISTRY" alice 2>&1) || {
    echo "app login failed: $out" >&2; return 1; }
  out=$(printf '%s' "$PW_B" | "$DR_BIN" login --global --password-stdin "$DR_REGISTRY" bob 2>&1) || {
    echo "global login failed: $out" >&2; return 1; }
  assert_eq "$out" " !     Login Succeeded for global registry" "global login output"

  out=$(DOCKER_CONFIG=$gdir docker-credential-dokku get <<<"$DR_REGISTRY")
  assert_eq "$(jq -r .Username <<<"$out")" bob "helper get for the global dir"
  out=$(DOCKER_CONFIG=$REG/$APP docker-credential-dokku get <<<"$DR_REGISTRY")
  assert_eq "$(jq -r .Username <<<"$out")" alice "helper get for the app dir"

  run -1 env DOCKER_HOST="unix://$BATS_TEST_TMPDIR/no-docker.sock" "$REAL_DOCKER" --config "$gdir" login "$DR_REGISTRY" </dev/null
  grep -qxF "Authenticating with existing credentials... [Username: bob]" <<<"$output" || {
    echo "docker login (global dir) output: $output" >&2; return 1; }
  run -1 env DOCKER_HOST="unix://$BATS_TEST_TMPDIR/no-docker.sock" "$REAL_DOCKER" --config "$REG/$APP" login "$DR_REGISTRY" </dev/null
  grep -qxF "Authenticating with existing credentials... [Username: alice]" <<<"$output" || {
    echo "docker login (app dir) output: $output" >&2; return 1; }

  # an app without its own login pushes with plain `docker image push` (the global config)
  dr_ok registry:set other push-on-release true
  dr_ok registry:set other server "$DR_REGISTRY"
  release other
  assert_status 0
  exp_inspect "dokku/other:latest"
  exp_tag "$DR_REGISTRY/dokku/other:1"
  exp_tag "dokku/other:1"
  exp_push "$DR_REGISTRY/dokku/other:1"
  assert_calls
}

@test "(credentials) after a per-app logout the app pushes with the global config again" {
  dr_keyring_clear
  local out
  out=$(printf '%s' "$PW_A" | "$DR_BIN" login --password-stdin "$APP" "$DR_REGISTRY" alice 2>&1) || {
    echo "login failed: $out" >&2; return 1; }
  dr_ok logout "$APP" "$DR_REGISTRY"
  dr_ok registry:set "$APP" push-on-release true
  release "$APP"
  assert_status 0
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "dokku/$APP:1"
  assert_calls
}

# ---------------------------------------------------------------------------
# deployed-app-* triggers

@test "(deployed-app-image-repo) computed repo: default, template, app template, image-repo" {
  dr deployed-app-image-repo "$APP"
  assert_status 0 && assert_stderr "" && assert_stdout "dokku/$APP"
  dr_ok registry:set --global image-repo-template 'global-prefix/{{ .AppName }}'
  dr deployed-app-image-repo "$APP"
  assert_status 0 && assert_stdout "global-prefix/$APP"
  dr_ok registry:set "$APP" image-repo-template 'app-prefix/{{ .AppName }}-prod'
  dr deployed-app-image-repo "$APP"
  assert_status 0 && assert_stdout "app-prefix/$APP-prod"
  write_prop "$APP" image-repo $'  my/repo \n'
  dr deployed-app-image-repo "$APP"
  assert_status 0 && assert_stdout "my/repo"
  assert_eq "$(raw_stdout deployed-app-image-repo "$APP")" "$(printf '%q' $'my/repo\n')" "raw stdout"
  # the trigger runs no docker command
  assert_calls
}

@test "(deployed-app-image-repo) a bad template is fatal (push on or off)" {
  dr_ok registry:set --global image-repo-template 'dokku/{{ APP }}'
  dr deployed-app-image-repo "$APP"
  assert_fail 1 'Unable to determine image repo from template: Unable to parse image-repo-template: template: template:1: function "APP" not defined'
  dr_ok registry:set "$APP" push-on-release true
  dr deployed-app-image-repo "$APP"
  assert_fail 1 'Unable to determine image repo from template: Unable to parse image-repo-template: template: template:1: function "APP" not defined'
  # while the report falls back to dokku/<app>
  assert_json "$APP" registry-computed-image-repo "dokku/$APP"
}

@test "(deployed-app-image-tag) nothing when pushing is off; else the trimmed tag-version or 1" {
  assert_eq "$(raw_stdout deployed-app-image-tag "$APP")" "''" "raw stdout with pushing off"
  dr deployed-app-image-tag "$APP"
  assert_status 0 && assert_stderr ""
  write_prop "$APP" tag-version 9
  assert_eq "$(raw_stdout deployed-app-image-tag "$APP")" "''" "raw stdout with pushing off and a tag-version"

  dr_ok registry:set "$APP" push-on-release true
  rm -f "$REG/$APP/tag-version"
  dr deployed-app-image-tag "$APP"
  assert_status 0 && assert_stderr "" && assert_stdout 1
  write_prop "$APP" tag-version $' 7\n'
  assert_eq "$(raw_stdout deployed-app-image-tag "$APP")" "$(printf '%q' $'7\n')" "raw stdout"
  write_prop "$APP" tag-version ''
  dr deployed-app-image-tag "$APP"
  assert_status 0 && assert_stdout 1

  # global on, app off: nothing
  dr_ok registry:set --global push-on-release true
  dr_ok registry:set "$APP" push-on-release false
  assert_eq "$(raw_stdout deployed-app-image-tag "$APP")" "''" "raw stdout (app false over global true)"
  assert_calls
}

@test "(deployed-app-repository) the computed server whether or not pushing is on; empty line when empty" {
  assert_eq "$(raw_stdout deployed-app-repository "$APP")" "$(printf '%q' $'\n')" "raw stdout, no server"
  dr deployed-app-repository "$APP"
  assert_status 0 && assert_stderr "" && assert_stdout ""
  dr_ok registry:set --global server ghcr.io
  assert_eq "$(raw_stdout deployed-app-repository "$APP")" "$(printf '%q' $'ghcr.io/\n')" "raw stdout, global ghcr.io"
  dr_ok registry:set "$APP" push-on-release true
  assert_eq "$(raw_stdout deployed-app-repository "$APP")" "$(printf '%q' $'ghcr.io/\n')" "raw stdout, pushing on"
  write_prop "$APP" server $' registry.example.com:5000/ \n'
  assert_eq "$(raw_stdout deployed-app-repository "$APP")" "$(printf '%q' $'registry.example.com:5000/\n')" "raw stdout, app server"
  dr_ok registry:set "$APP" server docker.io
  assert_eq "$(raw_stdout deployed-app-repository "$APP")" "$(printf '%q' $'\n')" "raw stdout, app docker.io over global"
  assert_calls
}

@test "(deployed-app-*) a missing app exits 20: App <app> does not exist" {
  local t
  for t in deployed-app-image-repo deployed-app-image-tag deployed-app-repository; do
    dr "$t" nosuch
    assert_fail 20 "App nosuch does not exist" || { echo "trigger $t" >&2; return 1; }
  done
  assert_calls
}

@test "(deployed image name) server + repo + tag compose the name the schedulers deploy" {
  dr_ok registry:set "$APP" push-on-release true
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set "$APP" image-repo "org/$APP"
  release "$APP"
  assert_status 0
  local name
  name="$("$DR_BIN" deployed-app-repository "$APP")$("$DR_BIN" deployed-app-image-repo "$APP"):$("$DR_BIN" deployed-app-image-tag "$APP")"
  assert_eq "$name" "ghcr.io/org/$APP:1" "deployed image name"
  # it is the ref that was pushed
  grep -qxF "$(fmt_call image push "$name")" "$FAKE/calls.log"
}

# ---------------------------------------------------------------------------
# push <app> [<image>]

@test "(push) pushes whatever push-on-release says, default image dokku/<app>:latest" {
  dr push "$APP"
  assert_status 0
  assert_stderr ""
  assert_stdout "$(
    lines "$ANNOUNCE" "${V}Bumping tag to 1" "${V}Retrieving image info for app" \
      "${V}Tagging dokku/$APP:1 in registry format" "${V}Pushing dokku/$APP:1"
    push_out "dokku/$APP:1"
    lines "${V}Image dokku/$APP:1 pushed"
  )"
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "dokku/$APP:1"
  assert_calls
  assert_tag_version "$APP" 1

  dr_ok registry:set "$APP" push-on-release false
  calls_reset
  dr push "$APP"
  assert_status 0
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:2"
  exp_tag "dokku/$APP:2"
  exp_push "dokku/$APP:2"
  assert_calls
  assert_tag_version "$APP" 2
}

@test "(push) an explicit image, with retag, server, extra tags and per-app auth" {
  dr_ok registry:set "$APP" server ghcr.io
  dr_ok registry:set "$APP" image-repo "org/$APP"
  dr_ok registry:set "$APP" push-extra-tags edge
  app_config_json "$APP" '{"auths":{"ghcr.io":{}}}'
  dr push "$APP" "dokku/$APP:build-3"
  assert_status 0
  assert_stderr ""
  exp_inspect "dokku/$APP:build-3"
  exp_tag "org/$APP:build-3"
  exp_tag "ghcr.io/org/$APP:1"
  exp_tag "org/$APP:1"
  exp_tag "ghcr.io/org/$APP:edge"
  exp_push "ghcr.io/org/$APP:edge" "$REG/$APP"
  exp_push "ghcr.io/org/$APP:1" "$REG/$APP"
  exp_rm "ghcr.io/org/$APP:edge"
  assert_calls
}

@test "(push) a missing app exits 20 and runs no docker command" {
  dr push nosuch
  assert_fail 20 "App nosuch does not exist"
  assert_calls
}

@test "(push) a failed push keeps tag-version (improvement) and fails with the push error" {
  write_prop "$APP" tag-version 4
  docker_fail "image push *" "net/http: TLS handshake timeout"
  dr push "$APP"
  assert_status 1
  assert_stderr " !     unable to push image dokku/$APP:5: docker image push command failed: net/http: TLS handshake timeout"
  assert_tag_version "$APP" 4
}

# ---------------------------------------------------------------------------
# the docker binary

@test "(docker) DOCKER_BIN is used instead of the docker on PATH" {
  local alt="$BATS_TEST_TMPDIR/alt-docker"
  fake_docker_install "$alt"
  # the PATH docker must not be called
  docker_fail "*" "the PATH docker was called"
  dr_ok registry:set "$APP" push-on-release true
  export DOCKER_BIN="$alt/bin/docker"
  release "$APP"
  assert_status 0
  assert_stderr ""
  assert_calls # nothing on the PATH docker
  FAKE=$alt
  exp_inspect "dokku/$APP:latest"
  exp_tag "dokku/$APP:1"
  exp_tag "dokku/$APP:1"
  exp_push "dokku/$APP:1"
  assert_calls
}
