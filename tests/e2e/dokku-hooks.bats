#!/usr/bin/env bats
# Acceptance tests for the Dokku plugin-trigger entry points of dokku-registry:
# post-create, post-delete, post-app-clone-setup, post-app-rename-setup
# (the app's files and keyring entries follow it; a clone copies all but tag-version;
# the push engine setting under config/dokku-registry/<app> follows it too).

bats_require_minimum_version 1.5.0

load dokku-helpers

CONFIG_JSON='{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNz"}}}'

setup() {
  dr_setup || return 1
  OWN="$DOKKU_LIB_ROOT/config/dokku-registry"
}

# populate_app APP: every kind of per-app file the plugin keeps.
populate_app() {
  dr_ok registry:set "$1" image-repo "org/$1" &&
    dr_ok registry:set "$1" image-repo-template 'tpl/{{ .AppName }}' &&
    dr_ok registry:set "$1" push-on-release true &&
    dr_ok registry:set "$1" push-extra-tags latest,stable &&
    dr_ok registry:set "$1" server ghcr.io &&
    write_prop "$1" tag-version 41 &&
    printf '%s' "$CONFIG_JSON" >"$REG/$1/config.json" &&
    chmod 600 "$REG/$1/config.json"
}

# set_global_props: global values that the hooks must leave alone.
set_global_props() {
  dr_ok registry:set --global server quay.io &&
    dr_ok registry:set --global push-extra-tags edge
}

assert_global_props() {
  assert_file_content "$GLOBAL/server" quay.io &&
    assert_file_content "$GLOBAL/push-extra-tags" edge
}

# ---------------------------------------------------------------------------
# post-create

@test "(post-create) creates config/registry/<app> with mode 0755" {
  mkdir "$DOKKU_ROOT/new-app"
  dr post-create new-app
  assert_status 0
  assert_stderr ""
  [ -d "$REG/new-app" ]
  assert_mode "$REG/new-app" 755
  assert_eq "$(ls -A "$REG/new-app")" "" "contents of the new dir"
}

@test "(post-create) the dir is 0755 even with umask 077" {
  mkdir "$DOKKU_ROOT/new-app"
  umask 077
  dr post-create new-app
  assert_status 0
  assert_mode "$REG/new-app" 755
}

@test "(post-create) creates config/registry too when the plugin root is missing" {
  rm -rf "$REG"
  mkdir "$DOKKU_ROOT/new-app"
  dr post-create new-app
  assert_status 0
  [ -d "$REG/new-app" ]
}

@test "(post-create) is idempotent and keeps existing properties" {
  create_app my-app
  dr_ok registry:set my-app server ghcr.io
  dr post-create my-app
  assert_status 0
  assert_file_content "$REG/my-app/server" ghcr.io
}

@test "(post-create) the new app reports defaults" {
  create_app my-app
  assert_info my-app --registry-computed-image-repo dokku/my-app
  assert_info my-app --registry-computed-push-on-release false
}

# ---------------------------------------------------------------------------
# post-delete

@test "(post-delete) removes the app dir (properties, tag-version, config.json), leaves --global alone" {
  create_app doomed
  create_app keeper
  populate_app doomed
  dr_ok registry:set keeper server ghcr.io
  set_global_props
  # apps:destroy removes $DOKKU_ROOT/<app> before post-delete fires
  rm -rf "${DOKKU_ROOT:?}/doomed"
  dr post-delete doomed
  assert_status 0
  assert_stderr ""
  [ ! -e "$REG/doomed" ]
  assert_global_props
  assert_file_content "$REG/keeper/server" ghcr.io
}

@test "(post-delete) works while the app dir still exists" {
  create_app doomed
  populate_app doomed
  dr post-delete doomed
  assert_status 0
  [ ! -e "$REG/doomed" ]
}

@test "(post-delete) an app without a registry dir is a no-op" {
  set_global_props
  dr post-delete never-created
  assert_status 0
  assert_stderr ""
  assert_global_props
}

@test "(post-delete) a re-created app starts from defaults" {
  create_app phoenix
  populate_app phoenix
  rm -rf "${DOKKU_ROOT:?}/phoenix"
  dr_ok post-delete phoenix
  create_app phoenix
  assert_info phoenix --registry-image-repo ""
  assert_info phoenix --registry-tag-version ""
  assert_info phoenix --registry-computed-image-repo dokku/phoenix
  [ ! -e "$REG/phoenix/config.json" ]
}

# ---------------------------------------------------------------------------
# post-app-clone-setup

@test "(post-app-clone-setup) copies every property and config.json, but not tag-version" {
  create_app old-app
  populate_app old-app
  set_global_props
  # apps:clone creates the new app (post-create) before the clone trigger
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 0
  assert_stderr ""

  local p
  for p in image-repo image-repo-template push-on-release push-extra-tags server; do
    assert_file_content "$REG/new-app/$p" "$(cat "$REG/old-app/$p")"
    assert_mode "$REG/new-app/$p" 600
  done
  # a clone must not share the tag counter (pitfall fix)
  [ ! -e "$REG/new-app/tag-version" ]
  assert_file_content "$REG/new-app/config.json" "$CONFIG_JSON"
  assert_mode "$REG/new-app/config.json" 600

  # the source app is untouched
  assert_file_content "$REG/old-app/tag-version" 41
  assert_file_content "$REG/old-app/config.json" "$CONFIG_JSON"
  assert_file_content "$REG/old-app/server" ghcr.io
  assert_global_props
}

@test "(post-app-clone-setup) the clone reports the copied values and an empty tag version" {
  create_app old-app
  populate_app old-app
  create_app new-app
  dr_ok post-app-clone-setup old-app new-app
  assert_info new-app --registry-computed-image-repo org/old-app
  assert_info new-app --registry-computed-server ghcr.io/
  assert_info new-app --registry-push-extra-tags latest,stable
  assert_info new-app --registry-tag-version ""
  assert_info old-app --registry-tag-version 41
}

@test "(post-app-clone-setup) values are copied byte for byte" {
  create_app old-app
  write_prop old-app image-repo $'  spaced/repo \n'
  write_prop old-app push-extra-tags 'a, b'
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 0
  cmp "$REG/old-app/image-repo" "$REG/new-app/image-repo"
  cmp "$REG/old-app/push-extra-tags" "$REG/new-app/push-extra-tags"
}

@test "(post-app-clone-setup) config.json is 0600 in the clone even if the source is more open" {
  create_app old-app
  printf '%s' "$CONFIG_JSON" >"$REG/old-app/config.json"
  chmod 644 "$REG/old-app/config.json"
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 0
  assert_file_content "$REG/new-app/config.json" "$CONFIG_JSON"
  assert_mode "$REG/new-app/config.json" 600
}

@test "(post-app-clone-setup) a source with no registry dir is not an error" {
  mkdir "$DOKKU_ROOT/old-app"
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 0
  assert_stderr ""
  assert_eq "$(ls -A "$REG/new-app")" "" "contents of the clone's dir"
}

@test "(post-app-clone-setup) a source with only tag-version clones nothing" {
  create_app old-app
  write_prop old-app tag-version 3
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 0
  [ ! -e "$REG/new-app/tag-version" ]
  assert_file_content "$REG/old-app/tag-version" 3
}

# ---------------------------------------------------------------------------
# post-app-rename-setup

@test "(post-app-rename-setup) moves properties (tag-version included) and config.json; old dir gone" {
  create_app old-app
  populate_app old-app
  set_global_props
  # apps:rename: createApp(new) -> post-app-rename-setup -> destroyApp(old)
  create_app new-app
  local p
  mkdir "$BATS_TEST_TMPDIR/before"
  for p in image-repo image-repo-template push-on-release push-extra-tags server tag-version; do
    cp "$REG/old-app/$p" "$BATS_TEST_TMPDIR/before/$p"
  done
  dr post-app-rename-setup old-app new-app
  assert_status 0
  assert_stderr ""
  for p in image-repo image-repo-template push-on-release push-extra-tags server tag-version; do
    cmp "$BATS_TEST_TMPDIR/before/$p" "$REG/new-app/$p"
  done
  assert_file_content "$REG/new-app/tag-version" 41
  assert_file_content "$REG/new-app/config.json" "$CONFIG_JSON"
  assert_mode "$REG/new-app/config.json" 600
  [ ! -e "$REG/old-app" ]
  assert_global_props
}

@test "(post-app-rename-setup) the later post-delete of the old name is a no-op" {
  create_app old-app
  populate_app old-app
  create_app new-app
  dr_ok post-app-rename-setup old-app new-app
  rm -rf "${DOKKU_ROOT:?}/old-app"
  dr post-delete old-app
  assert_status 0
  assert_file_content "$REG/new-app/tag-version" 41
  assert_file_content "$REG/new-app/config.json" "$CONFIG_JSON"
  assert_info new-app --registry-computed-image-repo org/old-app
  assert_info new-app --registry-tag-version 41
}

@test "(post-app-rename-setup) an app without config.json renames fine" {
  create_app old-app
  dr_ok registry:set old-app server ghcr.io
  create_app new-app
  dr post-app-rename-setup old-app new-app
  assert_status 0
  assert_stderr ""
  assert_file_content "$REG/new-app/server" ghcr.io
  [ ! -e "$REG/new-app/config.json" ]
  [ ! -e "$REG/old-app" ]
}

@test "(post-app-rename-setup) a source with no registry dir is not an error" {
  mkdir "$DOKKU_ROOT/old-app"
  create_app new-app
  dr post-app-rename-setup old-app new-app
  assert_status 0
  [ -d "$REG/new-app" ]
  [ ! -e "$REG/old-app" ]
}

# ---------------------------------------------------------------------------
# names Dokku never gives an app

@test "(app hooks) --global, .. or a name with a slash changes nothing and exits 1" {
  create_app old-app
  populate_app old-app
  set_global_props
  dr_ok registry:push-engine --global native --compress gzip
  dr_ok registry:push-engine old-app native
  dr post-delete --global
  assert_fail 1 'invalid app name "--global": nothing changed'
  dr post-app-rename-setup --global new-app
  assert_fail 1 'invalid app name "--global": nothing changed'
  dr post-app-clone-setup old-app --global
  assert_fail 1 'invalid app name "--global": nothing changed'
  dr post-app-rename-setup old-app ../escaped
  assert_fail 1 'invalid app name "../escaped": nothing changed'
  dr post-delete ..
  assert_fail 1 'invalid app name "..": nothing changed'
  dr post-create a/b
  assert_fail 1 'invalid app name "a/b": nothing changed'
  assert_global_props
  assert_file_content "$REG/old-app/tag-version" 41
  assert_file_content "$REG/old-app/config.json" "$CONFIG_JSON"
  [ ! -e "$REG/new-app" ]
  [ ! -e "$DOKKU_LIB_ROOT/config/escaped" ]
  [ ! -e "$REG/a" ]
  assert_global_engine
  assert_file_content "$OWN/old-app/push-engine" native
  [ ! -e "$OWN/new-app" ]
}

# ---------------------------------------------------------------------------
# the push engine setting (config/dokku-registry/<app>) follows the app

# set_engines: an app's own setting, another app's and the global one.
set_engines() { # APP OTHER
  dr_ok registry:push-engine "$1" native --compress zstd &&
    dr_ok registry:push-engine "$2" docker --compress gzip &&
    dr_ok registry:push-engine --global native --compress gzip
}

assert_global_engine() {
  assert_file_content "$OWN/--global/push-engine" native &&
    assert_file_content "$OWN/--global/push-compress" gzip
}

# assert_engine APP ENGINE COMPRESS: the setting on disk and as push-engine shows it
assert_engine() {
  assert_file_content "$OWN/$1/push-engine" "$2" &&
    assert_file_content "$OWN/$1/push-compress" "$3" &&
    assert_mode "$OWN/$1/push-engine" 600 &&
    dr push-engine "$1" &&
    assert_status 0 &&
    assert_stdout "engine: $2"$'\n'"compress: $3"
}

@test "(post-delete) removes the app's push engine setting; another app's and --global stay" {
  create_app doomed
  create_app keeper
  set_engines doomed keeper
  rm -rf "${DOKKU_ROOT:?}/doomed"
  dr post-delete doomed
  assert_status 0
  assert_stderr ""
  [ ! -e "$OWN/doomed" ]
  [ ! -e "$REG/doomed" ]
  assert_engine keeper docker gzip
  assert_global_engine
}

@test "(post-delete) a re-created app gets the global push engine, not its old one" {
  create_app phoenix
  create_app other
  set_engines phoenix other
  rm -rf "${DOKKU_ROOT:?}/phoenix"
  dr_ok post-delete phoenix
  create_app phoenix
  dr push-engine phoenix
  assert_status 0
  assert_stdout $'engine: native\ncompress: gzip'
}

@test "(post-app-rename-setup) moves the push engine setting: the new name has it, the old one is gone" {
  create_app old-app
  create_app other
  set_engines old-app other
  create_app new-app
  dr post-app-rename-setup old-app new-app
  assert_status 0
  assert_stderr ""
  assert_engine new-app native zstd
  [ ! -e "$OWN/old-app" ]
  # Dokku deletes the old app next: nothing of the new one goes with it
  rm -rf "${DOKKU_ROOT:?}/old-app"
  dr_ok post-delete old-app
  assert_engine new-app native zstd
  assert_engine other docker gzip
  assert_global_engine
}

@test "(post-app-rename-setup) the old name's values replace what the new name had" {
  create_app old-app
  create_app new-app
  dr_ok registry:push-engine old-app native
  dr_ok registry:push-engine new-app docker --compress zstd
  dr_ok post-app-rename-setup old-app new-app
  assert_file_content "$OWN/new-app/push-engine" native
  # each value on its own: what old-app did not set, new-app keeps
  assert_file_content "$OWN/new-app/push-compress" zstd
  [ ! -e "$OWN/old-app" ]
}

@test "(post-app-clone-setup) copies the push engine setting: both apps have it, each its own files" {
  create_app old-app
  create_app other
  set_engines old-app other
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 0
  assert_stderr ""
  assert_engine new-app native zstd
  assert_engine old-app native zstd
  dr_ok registry:push-engine new-app docker
  assert_engine old-app native zstd
  assert_engine other docker gzip
  assert_global_engine
}

@test "(app hooks) an app without a push engine setting: nothing made under config/dokku-registry" {
  create_app old-app
  dr_ok registry:set old-app server ghcr.io
  create_app new-app
  dr_ok post-app-clone-setup old-app new-app
  create_app renamed
  dr_ok post-app-rename-setup new-app renamed
  dr_ok post-delete old-app
  [ ! -e "$OWN" ]
}

@test "(post-delete) an app dir that is a symbolic link: the link goes, what it points at stays" {
  create_app doomed
  mkdir -p "$OWN" "$BATS_TEST_TMPDIR/elsewhere"
  printf 'keep' >"$BATS_TEST_TMPDIR/elsewhere/push-engine"
  ln -s "$BATS_TEST_TMPDIR/elsewhere" "$OWN/doomed"
  dr post-delete doomed
  assert_status 0
  [ ! -L "$OWN/doomed" ]
  [ ! -e "$OWN/doomed" ]
  assert_file_content "$BATS_TEST_TMPDIR/elsewhere/push-engine" keep
}

@test "(post-delete) config/dokku-registry a symbolic link: exit 1 naming it, nothing behind it removed" {
  create_app doomed
  mkdir -p "$BATS_TEST_TMPDIR/elsewhere/doomed"
  printf 'keep' >"$BATS_TEST_TMPDIR/elsewhere/doomed/push-engine"
  ln -s "$BATS_TEST_TMPDIR/elsewhere" "$OWN"
  dr post-delete doomed
  assert_status 1
  assert_contains "$stderr" "$OWN/doomed: it or a directory on its way is a symbolic link"
  assert_file_content "$BATS_TEST_TMPDIR/elsewhere/doomed/push-engine" keep
}

@test "(post-app-clone-setup) a link or a FIFO in the app's dir is not copied, and named" {
  create_app old-app
  dr_ok registry:push-engine old-app native
  printf 'secret' >"$BATS_TEST_TMPDIR/outside"
  ln -s "$BATS_TEST_TMPDIR/outside" "$OWN/old-app/push-compress"
  mkfifo "$OWN/old-app/fifo"
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 0
  assert_contains "$stderr" "dokku-registry/old-app/push-compress is not a regular file: not copied"
  assert_contains "$stderr" "dokku-registry/old-app/fifo is not a regular file: not copied"
  assert_file_content "$OWN/new-app/push-engine" native
  [ ! -e "$OWN/new-app/push-compress" ]
  [ ! -e "$OWN/new-app/fifo" ]
  assert_file_content "$BATS_TEST_TMPDIR/outside" secret
}

@test "(post-app-clone-setup) the new app's dir a symbolic link: exit 1, nothing written through it" {
  create_app old-app
  dr_ok registry:push-engine old-app native
  mkdir "$BATS_TEST_TMPDIR/elsewhere"
  ln -s "$BATS_TEST_TMPDIR/elsewhere" "$OWN/new-app"
  create_app new-app
  dr post-app-clone-setup old-app new-app
  assert_status 1
  assert_contains "$stderr" "Unable to clone the push engine setting"
  assert_eq "$(ls -A "$BATS_TEST_TMPDIR/elsewhere")" "" "contents behind the link"
}
