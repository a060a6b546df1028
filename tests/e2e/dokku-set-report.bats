#!/usr/bin/env bats
# Acceptance tests for `dokku-registry` registry:set / registry:report / help,
# written from Dokku's behaviour (its registry plugin and tests), not from the implementation.

bats_require_minimum_version 1.5.0

load dokku-helpers

VALID_PROPERTIES='image-repo, image-repo-template, push-extra-tags, push-on-release, server'
APP_FLAGS='--registry-auth-servers, --registry-computed-auth-servers, --registry-computed-image-repo, --registry-computed-image-repo-template, --registry-computed-push-extra-tags, --registry-computed-push-on-release, --registry-computed-server, --registry-global-auth-servers, --registry-global-image-repo-template, --registry-global-push-extra-tags, --registry-global-push-on-release, --registry-global-server, --registry-image-repo, --registry-image-repo-template, --registry-push-extra-tags, --registry-push-on-release, --registry-server, --registry-tag-version'
GLOBAL_FLAGS='--registry-computed-auth-servers, --registry-computed-image-repo-template, --registry-computed-push-extra-tags, --registry-computed-push-on-release, --registry-computed-server, --registry-global-auth-servers, --registry-global-image-repo-template, --registry-global-push-extra-tags, --registry-global-push-on-release, --registry-global-server'
BAD_NAME_MSG='App name must begin with lowercase alphanumeric character, and may only contain lowercase alphanumerics, dots, and hyphens'

setup() {
  dr_setup
  TEST_APP=rdmtestapp
  create_app "$TEST_APP"
}

# ---------------------------------------------------------------------------
# help (Dokku's registry.bats #1)

@test "(registry) registry:help [upstream #1]: same output as registry, has the description" {
  dr registry
  assert_status 0
  assert_stderr ""
  assert_contains "$output" "Manage registry settings for an app"
  local help_output=$output

  dr registry:help
  assert_status 0
  assert_stderr ""
  assert_contains "$output" "Manage registry settings for an app"
  assert_eq "$output" "$help_output" "registry:help vs registry"
}

@test "(registry) help: layout of the usage text" {
  dr registry:help
  assert_status 0
  assert_eq "$(sed -n 1,5p <<<"$output")" "$(printf '%s\n' "Usage: dokku registry[:COMMAND]" "" \
    "Manage registry settings for an app" "" "Additional commands:")" "first 5 lines"
  # columnized with a 4-space prefix and at least 2 spaces before the description
  grep -Eq '^    registry:report \[<app>\] \[<flag>\]  +Displays a registry report for one or more apps$' <<<"$output"
  grep -Eq '^    registry:set <app>\|--global <property> \(<value>\)  +Set or clear a registry property for an app$' <<<"$output"
}

@test "(registry) help: bare 'help' is the same as registry:help" {
  dr registry:help
  local help_output=$output
  dr help
  assert_status 0
  assert_stderr ""
  assert_eq "$output" "$help_output" "help vs registry:help"
}

@test "(registry) commands that do not exist fail" {
  local cmd
  # registry:push exists here on purpose (the release push, run by hand)
  for cmd in registry:unset registry:pull registry:foo; do
    dr "$cmd" "$TEST_APP"
    [ "$status" -ne 0 ] || { echo "$cmd exited 0" >&2; return 1; }
    assert_stdout ""
    assert_contains "$stderr" "$cmd" "stderr of $cmd"
  done
}

# ---------------------------------------------------------------------------
# registry:set: validation, in Dokku's order

@test "(registry:set) no arguments: Please specify an app to run the command on" {
  dr registry:set
  assert_fail 1 "Please specify an app to run the command on"
}

@test "(registry:set) invalid app name" {
  dr registry:set MyApp server ghcr.io
  assert_fail 1 "$BAD_NAME_MSG"
  dr registry:set Bad_App server ghcr.io
  assert_fail 1 "$BAD_NAME_MSG"
}

@test "(registry:set) missing app exits 20, before property checks" {
  dr registry:set missing-app server ghcr.io
  assert_fail 20 "App missing-app does not exist"
  dr registry:set missing-app bogus value
  assert_fail 20 "App missing-app does not exist"
  dr registry:set missing-app
  assert_fail 20 "App missing-app does not exist"
  [ ! -e "$REG/missing-app" ]
}

@test "(registry:set) --global with an app-only or unknown property: Property cannot be specified globally" {
  dr registry:set --global image-repo foo/bar
  assert_fail 1 "Property cannot be specified globally"
  dr registry:set --global bogus value
  assert_fail 1 "Property cannot be specified globally"
  dr registry:set --global tag-version 5
  assert_fail 1 "Property cannot be specified globally"
  [ ! -e "$GLOBAL/image-repo" ]
  [ ! -e "$GLOBAL/tag-version" ]
}

@test "(registry:set) --global with no property: Property cannot be specified globally (checked before No property specified)" {
  dr registry:set --global
  assert_fail 1 "Property cannot be specified globally"
}

@test "(registry:set) app with no property: No property specified" {
  dr registry:set "$TEST_APP"
  assert_fail 1 "No property specified"
}

@test "(registry:set) invalid property lists the valid ones, sorted" {
  dr registry:set "$TEST_APP" bogus value
  assert_fail 1 "Invalid property specified, valid properties include: $VALID_PROPERTIES"
  [ ! -e "$REG/$TEST_APP/bogus" ]
}

@test "(registry:set) tag-version is not settable" {
  dr registry:set "$TEST_APP" tag-version 7
  assert_fail 1 "Invalid property specified, valid properties include: $VALID_PROPERTIES"
  [ ! -e "$REG/$TEST_APP/tag-version" ]
}

@test "(registry:set) unknown --flag is a usage error (exit 2)" {
  dr registry:set --bogus "$TEST_APP" server ghcr.io
  assert_status 2
  assert_contains "$stderr" "--bogus"
  [ ! -e "$REG/$TEST_APP/server" ]
}

# ---------------------------------------------------------------------------
# registry:set: writing and unsetting

@test "(registry:set) sets an app property: message, verbatim content, 0600 file in a 0755 dir" {
  dr registry:set "$TEST_APP" server ghcr.io
  assert_status 0
  assert_stdout "=====> Setting server to ghcr.io"
  assert_stderr ""
  assert_file_content "$REG/$TEST_APP/server" "ghcr.io"
  assert_mode "$REG/$TEST_APP/server" 600
  assert_mode "$REG/$TEST_APP" 755
}

@test "(registry:set) the bare 'set' spelling behaves like registry:set" {
  dr set "$TEST_APP" image-repo my/repo
  assert_status 0
  assert_stdout "=====> Setting image-repo to my/repo"
  assert_stderr ""
  assert_file_content "$REG/$TEST_APP/image-repo" "my/repo"
}

@test "(registry:set) every valid property is accepted for an app" {
  local p
  for p in image-repo image-repo-template push-extra-tags push-on-release server; do
    dr registry:set "$TEST_APP" "$p" value-of-$p
    assert_status 0
    assert_stdout "=====> Setting $p to value-of-$p"
    assert_file_content "$REG/$TEST_APP/$p" "value-of-$p"
  done
}

@test "(registry:set) --global: the four global properties land in config/registry/--global" {
  local p v
  for p in image-repo-template push-extra-tags push-on-release server; do
    v=global-$p
    [ "$p" = push-on-release ] && v=true
    dr registry:set --global "$p" "$v"
    assert_status 0
    assert_stdout "=====> Setting $p to $v"
    assert_stderr ""
    assert_file_content "$GLOBAL/$p" "$v"
    assert_mode "$GLOBAL/$p" 600
  done
  assert_mode "$GLOBAL" 755
  [ ! -e "$REG/$TEST_APP/server" ]
}

@test "(registry:set) flags and positionals in any order (pflag)" {
  dr registry:set server ghcr.io --global
  assert_status 0
  assert_stdout "=====> Setting server to ghcr.io"
  assert_file_content "$GLOBAL/server" "ghcr.io"
  # with --global the first positional is the property, so an app name is one
  dr registry:set "$TEST_APP" --global server quay.io
  assert_fail 1 "Property cannot be specified globally"
  assert_file_content "$GLOBAL/server" "ghcr.io"
}

@test "(registry:set) extra positional arguments are ignored" {
  dr registry:set "$TEST_APP" image-repo first/repo second third
  assert_status 0
  assert_stdout "=====> Setting image-repo to first/repo"
  assert_file_content "$REG/$TEST_APP/image-repo" "first/repo"
}

@test "(registry:set) a value with spaces is stored verbatim" {
  dr registry:set "$TEST_APP" push-extra-tags "release, stable  edge"
  assert_status 0
  assert_stdout "=====> Setting push-extra-tags to release, stable  edge"
  assert_file_content "$REG/$TEST_APP/push-extra-tags" "release, stable  edge"
}

@test "(registry:set) a shorter value replaces a longer one completely" {
  dr_ok registry:set "$TEST_APP" image-repo a-rather-long/image-repo-name
  dr registry:set "$TEST_APP" image-repo x/y
  assert_status 0
  assert_file_content "$REG/$TEST_APP/image-repo" "x/y"
}

@test "(registry:set) file mode is 0600 even with umask 000" {
  umask 000
  dr registry:set "$TEST_APP" server ghcr.io
  assert_status 0
  assert_mode "$REG/$TEST_APP/server" 600
}

@test "(registry:set) creates a missing app property dir with mode 0755 even with umask 077" {
  mkdir "$DOKKU_ROOT/no-post-create"
  umask 077
  dr registry:set no-post-create server ghcr.io
  assert_status 0
  assert_mode "$REG/no-post-create" 755
  assert_mode "$REG/no-post-create/server" 600
  assert_file_content "$REG/no-post-create/server" "ghcr.io"
}

@test "(registry:set) no value unsets: message and file removed" {
  dr_ok registry:set "$TEST_APP" server ghcr.io
  dr registry:set "$TEST_APP" server
  assert_status 0
  assert_stdout "=====> Unsetting server"
  assert_stderr ""
  [ ! -e "$REG/$TEST_APP/server" ]
}

@test "(registry:set) an empty value unsets" {
  dr_ok registry:set "$TEST_APP" image-repo my/repo
  dr registry:set "$TEST_APP" image-repo ""
  assert_status 0
  assert_stdout "=====> Unsetting image-repo"
  [ ! -e "$REG/$TEST_APP/image-repo" ]
}

@test "(registry:set) unsetting a property that was never set is not an error" {
  dr registry:set "$TEST_APP" push-extra-tags
  assert_status 0
  assert_stdout "=====> Unsetting push-extra-tags"
  assert_stderr ""
  dr registry:set --global server
  assert_status 0
  assert_stdout "=====> Unsetting server"
  assert_stderr ""
}

@test "(registry:set) --global unset removes only the global file" {
  dr_ok registry:set --global server ghcr.io
  dr_ok registry:set "$TEST_APP" server quay.io
  dr registry:set --global server
  assert_status 0
  assert_stdout "=====> Unsetting server"
  [ ! -e "$GLOBAL/server" ]
  assert_file_content "$REG/$TEST_APP/server" "quay.io"
}

@test "(registry:set) DOKKU_QUIET_OUTPUT suppresses the =====> line" {
  DOKKU_QUIET_OUTPUT=1 dr registry:set "$TEST_APP" server ghcr.io
  assert_status 0
  assert_stdout ""
  assert_file_content "$REG/$TEST_APP/server" "ghcr.io"
}

# ---------------------------------------------------------------------------
# push-on-release values (Dokku accepts values other than true silently; we warn)

@test "(registry:set) push-on-release yes: stored as-is, with a warning naming true/false" {
  dr registry:set "$TEST_APP" push-on-release yes
  assert_status 0
  assert_stdout "=====> Setting push-on-release to yes"
  assert_file_content "$REG/$TEST_APP/push-on-release" "yes"
  [ -n "$stderr" ]
  [[ "$stderr" == " !     "* ]]
  assert_contains "$stderr" "push-on-release" stderr
  assert_contains "$stderr" "true" stderr
  assert_contains "$stderr" "false" stderr
  # the report shows what is stored, as Dokku does
  assert_info "$TEST_APP" --registry-computed-push-on-release yes
}

@test "(registry:set) --global push-on-release yes: stored, with the warning" {
  dr registry:set --global push-on-release yes
  assert_status 0
  assert_stdout "=====> Setting push-on-release to yes"
  assert_file_content "$GLOBAL/push-on-release" "yes"
  [[ "$stderr" == " !     "* ]]
  assert_contains "$stderr" "push-on-release" stderr
  assert_contains "$stderr" "true" stderr
  assert_contains "$stderr" "false" stderr
}

@test "(registry:set) push-on-release true / false / unset: no warning" {
  local v
  for v in true false; do
    dr registry:set "$TEST_APP" push-on-release "$v"
    assert_status 0
    assert_stdout "=====> Setting push-on-release to $v"
    assert_stderr ""
    dr registry:set --global push-on-release "$v"
    assert_status 0
    assert_stderr ""
  done
  dr registry:set "$TEST_APP" push-on-release
  assert_status 0
  assert_stdout "=====> Unsetting push-on-release"
  assert_stderr ""
}

# ---------------------------------------------------------------------------
# registry:report: stdout layout

@test "(registry:report) exact block for an app with nothing set" {
  rm -rf "${DOKKU_ROOT:?}/$TEST_APP"
  create_app node-js-app
  # Dokku's report block, with its trailing-space marker removed
  sed 's/·$//' >"$BATS_TEST_TMPDIR/expected" <<'EOF'
=====> node-js-app registry information
       Registry auth servers:                 ·
       Registry computed auth servers:        ·
       Registry computed image repo:          dokku/node-js-app
       Registry computed image repo template: ·
       Registry computed push extra tags:     ·
       Registry computed push on release:     false
       Registry computed server:              ·
       Registry global auth servers:          ·
       Registry global image repo template:   ·
       Registry global push extra tags:       ·
       Registry global push on release:       ·
       Registry global server:                ·
       Registry image repo:                   ·
       Registry image repo template:          ·
       Registry push extra tags:              ·
       Registry push on release:              ·
       Registry server:                       ·
       Registry tag version:                  ·
EOF
  "$DR_BIN" registry:report node-js-app >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr"
  diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/stdout"
  [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "(registry:report) the bare 'report' spelling behaves like registry:report" {
  "$DR_BIN" registry:report "$TEST_APP" >"$BATS_TEST_TMPDIR/a"
  dr report "$TEST_APP"
  assert_status 0
  assert_stdout "$(cat "$BATS_TEST_TMPDIR/a")"
  assert_eq "${#lines[@]}" 19 "line count"
}

@test "(registry:report) --format stdout is the default" {
  "$DR_BIN" registry:report "$TEST_APP" >"$BATS_TEST_TMPDIR/a"
  "$DR_BIN" registry:report "$TEST_APP" --format stdout >"$BATS_TEST_TMPDIR/b"
  cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "(registry:report) block with values: raw, global and computed columns" {
  dr_ok registry:set "$TEST_APP" image-repo my/repo
  dr_ok registry:set "$TEST_APP" image-repo-template 'app/{{ .AppName }}'
  dr_ok registry:set "$TEST_APP" server ghcr.io
  dr_ok registry:set "$TEST_APP" push-extra-tags latest,stable
  dr_ok registry:set --global push-on-release true
  dr_ok registry:set --global server docker.io
  dr_ok registry:set --global image-repo-template 'org/{{.AppName}}'
  dr_ok registry:set --global push-extra-tags edge
  write_prop "$TEST_APP" tag-version 12

  {
    echo "=====> $TEST_APP registry information"
    report_line "Registry auth servers" ""; echo
    report_line "Registry computed auth servers" ""; echo
    report_line "Registry computed image repo" "my/repo"; echo
    report_line "Registry computed image repo template" "app/{{ .AppName }}"; echo
    report_line "Registry computed push extra tags" "latest,stable"; echo
    report_line "Registry computed push on release" "true"; echo
    report_line "Registry computed server" "ghcr.io/"; echo
    report_line "Registry global auth servers" ""; echo
    report_line "Registry global image repo template" "org/{{.AppName}}"; echo
    report_line "Registry global push extra tags" "edge"; echo
    report_line "Registry global push on release" "true"; echo
    report_line "Registry global server" "docker.io"; echo
    report_line "Registry image repo" "my/repo"; echo
    report_line "Registry image repo template" "app/{{ .AppName }}"; echo
    report_line "Registry push extra tags" "latest,stable"; echo
    report_line "Registry push on release" ""; echo
    report_line "Registry server" "ghcr.io"; echo
    report_line "Registry tag version" "12"; echo
  } >"$BATS_TEST_TMPDIR/expected"
  "$DR_BIN" registry:report "$TEST_APP" >"$BATS_TEST_TMPDIR/stdout"
  diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/stdout"
}

@test "(registry:report) --global: exact 10-key block" {
  sed 's/·$//' >"$BATS_TEST_TMPDIR/expected" <<'EOF'
=====> --global registry information
       Registry computed auth servers:        ·
       Registry computed image repo template: ·
       Registry computed push extra tags:     ·
       Registry computed push on release:     false
       Registry computed server:              ·
       Registry global auth servers:          ·
       Registry global image repo template:   ·
       Registry global push extra tags:       ·
       Registry global push on release:       ·
       Registry global server:                ·
EOF
  "$DR_BIN" registry:report --global >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr"
  diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/stdout"
  [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "(registry:report) --global block with values" {
  dr_ok registry:set --global push-on-release true
  dr_ok registry:set --global server ghcr.io
  dr_ok registry:set --global image-repo-template 'org/{{ .AppName }}'
  dr_ok registry:set --global push-extra-tags latest
  {
    echo "=====> --global registry information"
    report_line "Registry computed auth servers" ""; echo
    report_line "Registry computed image repo template" "org/{{ .AppName }}"; echo
    report_line "Registry computed push extra tags" "latest"; echo
    report_line "Registry computed push on release" "true"; echo
    report_line "Registry computed server" "ghcr.io/"; echo
    report_line "Registry global auth servers" ""; echo
    report_line "Registry global image repo template" "org/{{ .AppName }}"; echo
    report_line "Registry global push extra tags" "latest"; echo
    report_line "Registry global push on release" "true"; echo
    report_line "Registry global server" "ghcr.io"; echo
  } >"$BATS_TEST_TMPDIR/expected"
  "$DR_BIN" registry:report --global >"$BATS_TEST_TMPDIR/stdout"
  diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/stdout"
}

@test "(registry:report) --global ignores an app argument, and works with no apps" {
  "$DR_BIN" registry:report --global >"$BATS_TEST_TMPDIR/a"
  dr registry:report "$TEST_APP" --global
  assert_status 0
  assert_stdout "$(cat "$BATS_TEST_TMPDIR/a")"
  dr registry:report --global "$TEST_APP"
  assert_status 0
  assert_stdout "$(cat "$BATS_TEST_TMPDIR/a")"
  rm -rf "${DOKKU_ROOT:?}/$TEST_APP"
  dr registry:report --global
  assert_status 0
  assert_stderr ""
  assert_eq "${lines[0]}" "=====> --global registry information" header
}

@test "(registry:report) no app: one block per app in byte order, skipping dot-dirs and files" {
  rm -rf "${DOKKU_ROOT:?}/$TEST_APP"
  create_app a1
  create_app zeta
  create_app a.b
  create_app a-b
  mkdir "$DOKKU_ROOT/.ssh" "$DOKKU_ROOT/.docker"
  touch "$DOKKU_ROOT/dokkurc" "$DOKKU_ROOT/ENV"
  dr registry:report
  assert_status 0
  assert_stderr ""
  assert_eq "${#lines[@]}" 76 "line count"
  assert_eq "$(grep '^=====>' <<<"$output")" "$(printf '=====> %s registry information\n' a-b a.b a1 zeta)" headers
  # each block is the same as the single-app report
  "$DR_BIN" registry:report a-b >"$BATS_TEST_TMPDIR/expected"
  "$DR_BIN" registry:report a.b >>"$BATS_TEST_TMPDIR/expected"
  "$DR_BIN" registry:report a1 >>"$BATS_TEST_TMPDIR/expected"
  "$DR_BIN" registry:report zeta >>"$BATS_TEST_TMPDIR/expected"
  "$DR_BIN" registry:report >"$BATS_TEST_TMPDIR/stdout"
  diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/stdout"
}

@test "(registry:report) no apps: warning on stderr, exit 0" {
  rm -rf "${DOKKU_ROOT:?}/$TEST_APP"
  dr registry:report
  assert_status 0
  assert_stdout ""
  assert_stderr " !     You haven't deployed any applications yet"
}

@test "(registry:report) only dot-dirs and files in DOKKU_ROOT count as no apps" {
  rm -rf "${DOKKU_ROOT:?}/$TEST_APP"
  mkdir "$DOKKU_ROOT/.ssh" "$DOKKU_ROOT/.docker"
  touch "$DOKKU_ROOT/dokkurc" "$DOKKU_ROOT/not-an-app"
  dr registry:report
  assert_status 0
  assert_stdout ""
  assert_stderr " !     You haven't deployed any applications yet"
  dr registry:report --format json
  assert_status 0
  assert_stdout ""
  assert_stderr " !     You haven't deployed any applications yet"
}

@test "(registry:report) missing app exits 20; a non-directory is not an app" {
  dr registry:report missing-app
  assert_fail 20 "App missing-app does not exist"
  touch "$DOKKU_ROOT/file-app"
  dr registry:report file-app
  assert_fail 20 "App file-app does not exist"
  dr registry:report missing-app --format json
  assert_fail 20 "App missing-app does not exist"
}

@test "(registry:report) invalid app name" {
  dr registry:report MyApp
  assert_fail 1 "$BAD_NAME_MSG"
}

@test "(registry:report) DOKKU_QUIET_OUTPUT suppresses the header" {
  DOKKU_QUIET_OUTPUT=1 dr registry:report "$TEST_APP"
  assert_status 0
  if grep -q '^=====>' <<<"$output"; then
    echo "header printed under DOKKU_QUIET_OUTPUT: $output" >&2
    return 1
  fi
}

# ---------------------------------------------------------------------------
# registry:report: info flags

@test "(registry:report) info flag prints the bare value" {
  dr_ok registry:set "$TEST_APP" server ghcr.io
  assert_info "$TEST_APP" --registry-server ghcr.io
  assert_info "$TEST_APP" --registry-computed-server ghcr.io/
  assert_info "$TEST_APP" --registry-computed-image-repo "dokku/$TEST_APP"
  assert_info "$TEST_APP" --registry-computed-push-on-release false
}

@test "(registry:report) info flag with an empty value prints exactly one newline" {
  "$DR_BIN" registry:report "$TEST_APP" --registry-image-repo >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr"
  printf '\n' | cmp - "$BATS_TEST_TMPDIR/stdout"
  [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "(registry:report) info flag with a value prints value and newline, nothing else" {
  dr_ok registry:set "$TEST_APP" image-repo my/repo
  "$DR_BIN" registry:report "$TEST_APP" --registry-image-repo >"$BATS_TEST_TMPDIR/stdout"
  printf 'my/repo\n' | cmp - "$BATS_TEST_TMPDIR/stdout"
}

@test "(registry:report) every listed app flag is accepted" {
  local f want
  for f in ${APP_FLAGS//,/}; do
    case $f in
      --registry-computed-image-repo) want="dokku/$TEST_APP" ;;
      --registry-computed-push-on-release) want=false ;;
      *) want="" ;;
    esac
    assert_info "$TEST_APP" "$f" "$want"
  done
}

@test "(registry:report) info flag before the app" {
  dr_ok registry:set "$TEST_APP" server quay.io
  assert_info --registry-server "$TEST_APP" quay.io
}

@test "(registry:report) unknown info flag: Invalid flag passed with the sorted app list" {
  dr registry:report "$TEST_APP" --registry-bogus
  assert_fail 1 "Invalid flag passed, valid flags: $APP_FLAGS"
  dr registry:report "$TEST_APP" --bogus
  assert_fail 1 "Invalid flag passed, valid flags: $APP_FLAGS"
}

@test "(registry:report) --global: unknown or app-only flag lists the 10 global flags" {
  dr registry:report --global --registry-image-repo
  assert_fail 1 "Invalid flag passed, valid flags: $GLOBAL_FLAGS"
  dr registry:report --global --registry-tag-version
  assert_fail 1 "Invalid flag passed, valid flags: $GLOBAL_FLAGS"
}

@test "(registry:report) --global info flags" {
  dr_ok registry:set --global server ghcr.io
  assert_info --global --registry-global-server ghcr.io
  assert_info --global --registry-computed-server ghcr.io/
  assert_info --global --registry-computed-push-on-release false
}

@test "(registry:report) info flag with no app: one value per app" {
  create_app another-app
  dr_ok registry:set another-app image-repo other/repo
  dr registry:report --registry-computed-image-repo
  assert_status 0
  assert_stderr ""
  assert_stdout "$(printf 'other/repo\ndokku/%s' "$TEST_APP")"
}

@test "(registry:report) two info flags: error naming the flags, exit 1 (pitfall fix)" {
  dr registry:report "$TEST_APP" --registry-server --registry-global-server
  assert_status 1
  assert_stdout ""
  [[ "$stderr" == " !     "* ]]
  assert_contains "$stderr" "--registry-server" stderr
  assert_contains "$stderr" "--registry-global-server" stderr
}

# ---------------------------------------------------------------------------
# registry:report: --format

@test "(registry:report) --format json for an empty app: exact compact line with stripped and legacy keys" {
  rm -rf "${DOKKU_ROOT:?}/$TEST_APP"
  create_app node-js-app
  local e='{"auth-servers":"","computed-auth-servers":"","computed-image-repo":"dokku/node-js-app","computed-image-repo-template":"","computed-push-extra-tags":"","computed-push-on-release":"false","computed-server":"","global-auth-servers":"","global-image-repo-template":"","global-push-extra-tags":"","global-push-on-release":"","global-server":"","image-repo":"","image-repo-template":"","push-extra-tags":"","push-on-release":"","registry-auth-servers":"","registry-computed-auth-servers":"","registry-computed-image-repo":"dokku/node-js-app","registry-computed-image-repo-template":"","registry-computed-push-extra-tags":"","registry-computed-push-on-release":"false","registry-computed-server":"","registry-global-auth-servers":"","registry-global-image-repo-template":"","registry-global-push-extra-tags":"","registry-global-push-on-release":"","registry-global-server":"","registry-image-repo":"","registry-image-repo-template":"","registry-push-extra-tags":"","registry-push-on-release":"","registry-server":"","registry-tag-version":"","server":"","tag-version":""}'
  "$DR_BIN" registry:report node-js-app --format json >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr"
  printf '%s\n' "$e" | diff -u - "$BATS_TEST_TMPDIR/stdout"
  [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "(registry:report) --global --format json: exact line with 20 keys" {
  local e='{"computed-auth-servers":"","computed-image-repo-template":"","computed-push-extra-tags":"","computed-push-on-release":"false","computed-server":"","global-auth-servers":"","global-image-repo-template":"","global-push-extra-tags":"","global-push-on-release":"","global-server":"","registry-computed-auth-servers":"","registry-computed-image-repo-template":"","registry-computed-push-extra-tags":"","registry-computed-push-on-release":"false","registry-computed-server":"","registry-global-auth-servers":"","registry-global-image-repo-template":"","registry-global-push-extra-tags":"","registry-global-push-on-release":"","registry-global-server":""}'
  "$DR_BIN" registry:report --global --format json >"$BATS_TEST_TMPDIR/stdout"
  printf '%s\n' "$e" | diff -u - "$BATS_TEST_TMPDIR/stdout"
}

@test "(registry:report) --format json escapes <, > and & like Go" {
  dr_ok registry:set "$TEST_APP" image-repo 'a<b>&c'
  dr registry:report "$TEST_APP" --format json
  assert_status 0
  assert_eq "${#lines[@]}" 1 "line count"
  assert_contains "$output" '"image-repo":"a\u003cb\u003e\u0026c"'
  assert_contains "$output" '"registry-image-repo":"a\u003cb\u003e\u0026c"'
  assert_contains "$output" '"computed-image-repo":"a\u003cb\u003e\u0026c"'
  assert_json "$TEST_APP" image-repo 'a<b>&c'
}

@test "(registry:report) --format json string encoding: quotes, backslashes, control chars, UTF-8" {
  dr_ok registry:set "$TEST_APP" push-extra-tags 'x"y\z'
  write_prop "$TEST_APP" image-repo $'my/repo\n'
  write_prop "$TEST_APP" server $'tab\there\x01'
  dr_ok registry:set "$TEST_APP" image-repo-template 'é/{{.AppName}}'
  dr registry:report "$TEST_APP" --format json
  assert_status 0
  assert_eq "${#lines[@]}" 1 "line count"
  assert_contains "$output" '"push-extra-tags":"x\"y\\z"'
  # raw value keeps its newline; computed is trimmed
  assert_contains "$output" '"image-repo":"my/repo\n"'
  assert_contains "$output" '"computed-image-repo":"my/repo"'
  assert_contains "$output" '"server":"tab\there\u0001"'
  assert_contains "$output" '"image-repo-template":"é/{{.AppName}}"'
  # valid JSON all the same
  jq -e . <<<"$output" >/dev/null
}

@test "(registry:report) --format json before the app, and for all apps (one line each)" {
  create_app second-app
  dr registry:report --format json "$TEST_APP"
  assert_status 0
  assert_eq "$(jq -r '."computed-image-repo"' <<<"$output")" "dokku/$TEST_APP"
  dr registry:report --format json
  assert_status 0
  assert_eq "${#lines[@]}" 2 "line count"
  assert_eq "$(jq -r '."registry-computed-image-repo"' <<<"${lines[0]}")" "dokku/$TEST_APP" "first app"
  assert_eq "$(jq -r '."registry-computed-image-repo"' <<<"${lines[1]}")" "dokku/second-app" "second app"
}

@test "(registry:report) --format yaml is rejected" {
  dr registry:report "$TEST_APP" --format yaml
  assert_fail 1 'Format must be "stdout" or "json": "yaml"'
}

@test "(registry:report) --format json with an info flag is rejected" {
  dr registry:report "$TEST_APP" --format json --registry-server
  assert_fail 1 "--format flag cannot be specified when specifying an info flag"
}

# ---------------------------------------------------------------------------
# Upstream registry.bats cases that need neither docker nor Docker Hub

@test "(registry:report) [upstream #8] image-repo raw vs computed vs global" {
  dr registry:set --global image-repo-template
  assert_status 0
  assert_json "$TEST_APP" registry-image-repo ""
  assert_json "$TEST_APP" registry-global-image-repo-template ""
  assert_json "$TEST_APP" registry-computed-image-repo "dokku/$TEST_APP"

  dr registry:set --global image-repo-template 'dokku/{{ APP }}'
  assert_status 0
  assert_json "$TEST_APP" registry-global-image-repo-template 'dokku/{{ APP }}'
  assert_json "$TEST_APP" registry-computed-image-repo "dokku/$TEST_APP"

  dr registry:set "$TEST_APP" image-repo "my/$TEST_APP"
  assert_status 0
  assert_json "$TEST_APP" registry-image-repo "my/$TEST_APP"
  assert_json "$TEST_APP" registry-computed-image-repo "my/$TEST_APP"

  dr registry:set "$TEST_APP" image-repo
  assert_status 0
  dr registry:set --global image-repo-template
  assert_status 0
}

@test "(registry:report) [upstream #9] image-repo-template raw vs computed vs global" {
  dr registry:set --global image-repo-template
  assert_status 0
  assert_json "$TEST_APP" registry-image-repo-template ""
  assert_json "$TEST_APP" registry-global-image-repo-template ""
  assert_json "$TEST_APP" registry-computed-image-repo-template ""

  dr registry:set --global image-repo-template 'global-prefix/{{ .AppName }}'
  assert_status 0
  assert_json "$TEST_APP" registry-image-repo-template ""
  assert_json "$TEST_APP" registry-global-image-repo-template 'global-prefix/{{ .AppName }}'
  assert_json "$TEST_APP" registry-computed-image-repo-template 'global-prefix/{{ .AppName }}'
  assert_json "$TEST_APP" registry-computed-image-repo "global-prefix/$TEST_APP"

  dr registry:set "$TEST_APP" image-repo-template 'app-prefix/{{ .AppName }}-prod'
  assert_status 0
  assert_json "$TEST_APP" registry-image-repo-template 'app-prefix/{{ .AppName }}-prod'
  assert_json "$TEST_APP" registry-global-image-repo-template 'global-prefix/{{ .AppName }}'
  assert_json "$TEST_APP" registry-computed-image-repo-template 'app-prefix/{{ .AppName }}-prod'
  assert_json "$TEST_APP" registry-computed-image-repo "app-prefix/$TEST_APP-prod"

  dr registry:set "$TEST_APP" image-repo-template
  assert_status 0
  assert_json "$TEST_APP" registry-image-repo-template ""
  assert_json "$TEST_APP" registry-computed-image-repo-template 'global-prefix/{{ .AppName }}'
  assert_json "$TEST_APP" registry-computed-image-repo "global-prefix/$TEST_APP"

  dr registry:set --global image-repo-template
  assert_status 0
}

@test "(registry:report) [upstream #10] push-on-release raw vs computed vs global" {
  dr registry:set --global push-on-release
  assert_status 0
  assert_json "$TEST_APP" registry-push-on-release ""
  assert_json "$TEST_APP" registry-global-push-on-release ""
  assert_json "$TEST_APP" registry-computed-push-on-release false

  dr registry:set --global push-on-release true
  assert_status 0
  assert_json "$TEST_APP" registry-global-push-on-release true
  assert_json "$TEST_APP" registry-computed-push-on-release true

  dr registry:set "$TEST_APP" push-on-release false
  assert_status 0
  assert_json "$TEST_APP" registry-push-on-release false
  assert_json "$TEST_APP" registry-computed-push-on-release false

  dr registry:set "$TEST_APP" push-on-release
  assert_status 0
  dr registry:set --global push-on-release
  assert_status 0
}

@test "(registry:report --global) [upstream #11] computed and global keys" {
  local p
  for p in push-on-release server image-repo-template push-extra-tags; do
    dr registry:set --global "$p"
    assert_status 0
  done
  assert_json --global registry-global-push-on-release ""
  assert_json --global registry-computed-push-on-release false
  assert_json --global registry-global-server ""
  assert_json --global registry-computed-server ""
  assert_json --global registry-global-image-repo-template ""
  assert_json --global registry-computed-image-repo-template ""
  assert_json --global registry-global-push-extra-tags ""
  assert_json --global registry-computed-push-extra-tags ""

  dr registry:set --global push-on-release true
  assert_status 0
  dr registry:set --global server ghcr.io
  assert_status 0
  dr registry:set --global image-repo-template 'dokku/{{ APP }}'
  assert_status 0
  dr registry:set --global push-extra-tags latest,stable
  assert_status 0
  assert_json --global registry-global-push-on-release true
  assert_json --global registry-computed-push-on-release true
  assert_json --global registry-global-server ghcr.io
  assert_json --global registry-computed-server ghcr.io/
  assert_json --global registry-global-image-repo-template 'dokku/{{ APP }}'
  assert_json --global registry-computed-image-repo-template 'dokku/{{ APP }}'
  assert_json --global registry-global-push-extra-tags latest,stable
  assert_json --global registry-computed-push-extra-tags latest,stable

  for p in push-on-release server image-repo-template push-extra-tags; do
    dr registry:set --global "$p"
    assert_status 0
  done
}

@test "(registry:report) [upstream #12] push-extra-tags raw vs computed vs global" {
  dr registry:set --global push-extra-tags
  assert_status 0
  assert_json "$TEST_APP" registry-push-extra-tags ""
  assert_json "$TEST_APP" registry-global-push-extra-tags ""
  assert_json "$TEST_APP" registry-computed-push-extra-tags ""

  dr registry:set --global push-extra-tags global-tag
  assert_status 0
  assert_json "$TEST_APP" registry-global-push-extra-tags global-tag
  assert_json "$TEST_APP" registry-computed-push-extra-tags global-tag

  dr registry:set "$TEST_APP" push-extra-tags release,stable
  assert_status 0
  assert_json "$TEST_APP" registry-push-extra-tags release,stable
  assert_json "$TEST_APP" registry-computed-push-extra-tags release,stable

  dr registry:set "$TEST_APP" push-extra-tags
  assert_status 0
  dr registry:set --global push-extra-tags
  assert_status 0
}

@test "(registry) [upstream #13] registry:set server" {
  dr registry:set --global server ghcr.io
  assert_status 0
  assert_info "$TEST_APP" --registry-server ""
  assert_info "$TEST_APP" --registry-global-server ghcr.io
  assert_info "$TEST_APP" --registry-computed-server ghcr.io/

  dr registry:set --global server docker.io
  assert_status 0
  assert_info "$TEST_APP" --registry-server ""
  assert_info "$TEST_APP" --registry-global-server docker.io
  assert_info "$TEST_APP" --registry-computed-server ""

  dr registry:set "$TEST_APP" server docker.io
  assert_status 0
  assert_info "$TEST_APP" --registry-computed-server ""
  assert_info "$TEST_APP" --registry-global-server docker.io
  assert_info "$TEST_APP" --registry-server docker.io

  dr registry:set "$TEST_APP" server ghcr.io
  assert_status 0
  assert_info "$TEST_APP" --registry-computed-server ghcr.io/
  assert_info "$TEST_APP" --registry-global-server docker.io
  assert_info "$TEST_APP" --registry-server ghcr.io
}

@test "(registry:report) [upstream #17] emits new stripped JSON keys alongside legacy" {
  local x json
  json=$("$DR_BIN" registry:report "$TEST_APP" --format json)
  for x in image-repo computed-image-repo push-on-release global-push-on-release computed-server; do
    assert_eq "$(jq -r --arg x "$x" 'has($x) and has("registry-" + $x)' <<<"$json")" true "has $x"
  done
  json=$("$DR_BIN" registry:report --global --format json)
  assert_eq "$(jq -r 'has("global-image-repo-template") and has("registry-global-image-repo-template")' <<<"$json")" true "global has global-image-repo-template"
}

# ---------------------------------------------------------------------------
# computed values

@test "(registry:report) computed server: normalisation table" {
  local -a cases=(
    'ghcr.io|ghcr.io/'
    'ghcr.io/|ghcr.io/'
    'docker.io|'
    'docker.io/|'
    'hub.docker.com|'
    'hub.docker.com/|'
    '123.dkr.ecr.us-east-1.amazonaws.com|123.dkr.ecr.us-east-1.amazonaws.com/'
    'docker.com|docker.com/'
    'quay.io/org|quay.io/org/'
    'ghcr.io//|ghcr.io//'
  )
  local c in want
  for c in "${cases[@]}"; do
    in=${c%%|*}
    want=${c#*|}
    dr_ok registry:set "$TEST_APP" server "$in"
    assert_info "$TEST_APP" --registry-computed-server "$want"
    assert_info "$TEST_APP" --registry-server "$in"
  done
}

@test "(registry:report) computed server: whitespace is trimmed before normalising" {
  write_prop "$TEST_APP" server $'  ghcr.io/ \n'
  assert_info "$TEST_APP" --registry-computed-server ghcr.io/
  write_prop "$TEST_APP" server $' docker.io\n'
  assert_info "$TEST_APP" --registry-computed-server ""
}

@test "(registry:report) computed server: app over global, global as fallback" {
  dr_ok registry:set --global server ghcr.io
  assert_info "$TEST_APP" --registry-computed-server ghcr.io/
  dr_ok registry:set "$TEST_APP" server docker.io
  assert_info "$TEST_APP" --registry-computed-server ""
  dr_ok registry:set "$TEST_APP" server quay.io
  assert_info "$TEST_APP" --registry-computed-server quay.io/
  dr_ok registry:set "$TEST_APP" server
  assert_info "$TEST_APP" --registry-computed-server ghcr.io/
  # the fallback happens on the raw value: a whitespace-only app value hides the global one
  write_prop "$TEST_APP" server '   '
  assert_info "$TEST_APP" --registry-computed-server ""
}

@test "(registry:report) computed image repo precedence: app, app template, global template, dokku/<app>" {
  assert_info "$TEST_APP" --registry-computed-image-repo "dokku/$TEST_APP"
  dr_ok registry:set --global image-repo-template 'global/{{ .AppName }}'
  assert_info "$TEST_APP" --registry-computed-image-repo "global/$TEST_APP"
  dr_ok registry:set "$TEST_APP" image-repo-template 'app/{{ .AppName }}'
  assert_info "$TEST_APP" --registry-computed-image-repo "app/$TEST_APP"
  dr_ok registry:set "$TEST_APP" image-repo explicit/repo
  assert_info "$TEST_APP" --registry-computed-image-repo explicit/repo
  dr_ok registry:set "$TEST_APP" image-repo
  assert_info "$TEST_APP" --registry-computed-image-repo "app/$TEST_APP"
  dr_ok registry:set "$TEST_APP" image-repo-template
  assert_info "$TEST_APP" --registry-computed-image-repo "global/$TEST_APP"
  dr_ok registry:set --global image-repo-template
  assert_info "$TEST_APP" --registry-computed-image-repo "dokku/$TEST_APP"
}

@test "(registry:report) image-repo-template whitespace variants inside {{ }}" {
  local t
  for t in 'x/{{.AppName}}' 'x/{{ .AppName }}' 'x/{{   .AppName}}' 'x/{{.AppName   }}'; do
    dr_ok registry:set "$TEST_APP" image-repo-template "$t"
    assert_info "$TEST_APP" --registry-computed-image-repo "x/$TEST_APP"
    dr_ok registry:set --global image-repo-template "$t"
    dr_ok registry:set "$TEST_APP" image-repo-template
    assert_info "$TEST_APP" --registry-computed-image-repo "x/$TEST_APP"
    dr_ok registry:set --global image-repo-template
  done
}

@test "(registry:report) image-repo-template: several actions and plain text" {
  dr_ok registry:set "$TEST_APP" image-repo-template 'org/{{ .AppName }}-{{.AppName}}'
  assert_info "$TEST_APP" --registry-computed-image-repo "org/$TEST_APP-$TEST_APP"
  dr_ok registry:set "$TEST_APP" image-repo-template 'static/repo'
  assert_info "$TEST_APP" --registry-computed-image-repo static/repo
}

@test "(registry:report) an unusable template falls back to dokku/<app>" {
  local t
  for t in 'dokku/{{ APP }}' 'x/{{ .AppName' 'x/{{ .Missing }}' 'x/{{ }}'; do
    dr_ok registry:set --global image-repo-template "$t"
    assert_info "$TEST_APP" --registry-computed-image-repo "dokku/$TEST_APP"
    assert_info "$TEST_APP" --registry-global-image-repo-template "$t"
    dr_ok registry:set "$TEST_APP" image-repo-template "$t"
    assert_info "$TEST_APP" --registry-computed-image-repo "dokku/$TEST_APP"
    assert_info "$TEST_APP" --registry-computed-image-repo-template "$t"
    dr_ok registry:set "$TEST_APP" image-repo-template
  done
}

@test "(registry:report) image-repo and templates: trimming" {
  # app image-repo is trimmed for the computed value, shown raw otherwise
  write_prop "$TEST_APP" image-repo $'  spaced/repo \n'
  assert_info "$TEST_APP" --registry-computed-image-repo spaced/repo
  assert_json "$TEST_APP" image-repo $'  spaced/repo '
  # whitespace-only app image-repo falls through
  write_prop "$TEST_APP" image-repo $' \n'
  assert_info "$TEST_APP" --registry-computed-image-repo "dokku/$TEST_APP"
  rm "$REG/$TEST_APP/image-repo"
  # the rendered template is trimmed
  write_prop --global image-repo-template $'  g/{{ .AppName }}  \n'
  assert_info "$TEST_APP" --registry-computed-image-repo "g/$TEST_APP"
  # the app template is trimmed; whitespace-only falls back to the global one
  write_prop "$TEST_APP" image-repo-template $'  a/{{ .AppName }}\n'
  assert_info "$TEST_APP" --registry-computed-image-repo-template 'a/{{ .AppName }}'
  assert_info "$TEST_APP" --registry-computed-image-repo "a/$TEST_APP"
  write_prop "$TEST_APP" image-repo-template '   '
  assert_info "$TEST_APP" --registry-computed-image-repo "g/$TEST_APP"
  # a template that renders to nothing falls back to dokku/<app>
  write_prop --global image-repo-template '   '
  assert_info "$TEST_APP" --registry-computed-image-repo "dokku/$TEST_APP"
}

@test "(registry:report) computed push-on-release: trimmed app, then global, then false" {
  assert_info "$TEST_APP" --registry-computed-push-on-release false
  dr_ok registry:set --global push-on-release true
  assert_info "$TEST_APP" --registry-computed-push-on-release true
  write_prop "$TEST_APP" push-on-release $' false \n'
  assert_info "$TEST_APP" --registry-computed-push-on-release false
  write_prop "$TEST_APP" push-on-release '  '
  assert_info "$TEST_APP" --registry-computed-push-on-release true
  dr_ok registry:set --global push-on-release
  assert_info "$TEST_APP" --registry-computed-push-on-release false
}

@test "(registry:report) computed push-extra-tags: trimmed app, then global, then empty" {
  assert_info "$TEST_APP" --registry-computed-push-extra-tags ""
  dr_ok registry:set --global push-extra-tags latest
  assert_info "$TEST_APP" --registry-computed-push-extra-tags latest
  write_prop "$TEST_APP" push-extra-tags $'  a,b \n'
  assert_info "$TEST_APP" --registry-computed-push-extra-tags a,b
  assert_json "$TEST_APP" push-extra-tags $'  a,b '
  # the report shows the string as stored: elements are not trimmed there
  dr_ok registry:set "$TEST_APP" push-extra-tags 'release, stable'
  assert_info "$TEST_APP" --registry-computed-push-extra-tags 'release, stable'
}

@test "(registry:report) tag-version is shown trimmed" {
  assert_info "$TEST_APP" --registry-tag-version ""
  write_prop "$TEST_APP" tag-version $'7\n'
  assert_info "$TEST_APP" --registry-tag-version 7
  assert_json "$TEST_APP" tag-version 7
  assert_json "$TEST_APP" registry-tag-version 7
}

@test "(registry:report) one app's settings do not leak into another" {
  create_app other
  dr_ok registry:set "$TEST_APP" server ghcr.io
  dr_ok registry:set "$TEST_APP" image-repo my/repo
  assert_info other --registry-computed-server ""
  assert_info other --registry-computed-image-repo dokku/other
}

# ---------------------------------------------------------------------------
# Dokku's app-name rules beyond the new regexp (common.VerifyAppName,
# UnfilteredDokkuApps; code reading)

@test "(registry:set/report) an app named under Dokku's old rule (underscore) is an app" {
  create_app old_app
  dr registry:set old_app server ghcr.io
  assert_status 0
  assert_stderr ""
  dr registry:report old_app --registry-computed-server
  assert_status 0
  assert_stdout "ghcr.io/"
  dr registry:set _old server ghcr.io
  assert_fail 1 "$BAD_NAME_MSG"
}

@test "(registry:report) no app: directories starting upper case are skipped, as Dokku does" {
  mkdir "$DOKKU_ROOT/Backup" "$DOKKU_ROOT/TLS"
  create_app web
  dr registry:report
  assert_status 0
  assert_stderr ""
  assert_eq "$(grep '^=====>' <<<"$output")" "$(printf '=====> %s registry information\n' "$TEST_APP" web)" headers
}
