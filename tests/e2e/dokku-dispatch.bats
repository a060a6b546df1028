#!/usr/bin/env bats
# dokku-registry inside Dokku: `dokku [--app APP] registry:<cmd>` through the
# stand-ins for Dokku's `dokku` dispatcher and plugn (tests/lib/dokku-standin,
# each rule cited there), with the plugin shim linked as `dokku-registry setup`
# links it, next to a stand-in of Dokku's core registry plugin in
# core-plugins. Everything else is real: dokku-registry, the helper, a
# private D-Bus with an unlocked gnome-keyring and docker-registry with
# htpasswd (alice, bob) on 127.0.0.1.
#
# Covered: --app for every command that takes an app (and only those, and
# only once); help, help --all and the completion cache list only routable
# commands in Dokku's two columns; the triggers the core plugin fires or asks
# (post-registry-login, user-auth-app, scheduler-detect); upgrades (apt,
# plugin:install, a source install that links the core plugin back) and what
# doctor says about them.

bats_require_minimum_version 1.5.0

load dokku-login-helpers

setup_file() {
  drl_setup_file
}

teardown_file() {
  drl_teardown_file
}

setup() {
  drl_setup || return 1
  dokku_layout || return 1
  dokku_link_shim || return 1
  create_app app1 && create_app app2
}

teardown() {
  drl_teardown
}

# dk ARGS...: `dokku ARGS...` through the dispatcher stand-in, stdin from
# /dev/null; stdout in $output, stderr in $stderr.
dk() {
  run --separate-stderr _drl_raw dokku "$@"
  _drl_fix_stderr
}

# dk_in INPUT ARGS...: the same with INPUT on stdin.
# The input goes through a file, not the environment (the triggers' view of
# the environment is under test).
dk_in() {
  (umask 077 && printf %s "$1" >"$BATS_TEST_TMPDIR/dk.in")
  shift
  run --separate-stderr _dk_raw_in "$@"
  _drl_fix_stderr
}
_dk_raw_in() {
  dokku "$@" <"$BATS_TEST_TMPDIR/dk.in" 2>"$BATS_TEST_TMPDIR/drl.stderr"
  local rc=$?
  cat "$BATS_TEST_TMPDIR/drl.stderr" >&2
  return "$rc"
}

# ---------------------------------------------------------------------------
# --app

@test "(--app) registry:login HOST USER PW makes a per-app login, no deprecation warning" {
  dk --app app1 registry:login "$R" alice "$PW_A"
  assert_status 0
  assert_stderr " !     Login Succeeded for app1"
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  [ ! -e "$GDIR/config.json" ]
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 0
  drr registry:auth-status --global "$R"
  assert_status 0
  # with --password-stdin
  dk_in "$PW_B" --app app2 registry:login --password-stdin "$R" bob
  assert_status 0
  assert_stderr " !     Login Succeeded for app2"
  assert_helper_creds "$(appdir app2)" bob "$PW_B"
  # --global stays global (the app in front makes no per-app form of it)
  dk registry:login --global "$R" bob "$PW_B"
  assert_status 0
  assert_helper_creds "$GDIR" bob "$PW_B"
}

@test "(--app) registry:report reports that app only; info flags too" {
  must registry:set app1 server one.example
  must registry:set app2 server two.example
  dk --app app1 registry:report
  assert_status 0
  assert_contains "$output" "=====> app1 registry information"
  [[ $output != *app2* ]] || { echo "$output"; false; }
  dk --app app1 registry:report --registry-server
  assert_status 0
  assert_stdout one.example
  dk --app app2 registry:report --format json
  assert_status 0
  assert_eq "$(jq -r '.server' <<<"$output")" two.example
  # without --app: every app
  dk registry:report
  assert_contains "$output" "=====> app1 registry information"
  assert_contains "$output" "=====> app2 registry information"
}

@test "(--app) registry:set server ghcr.io sets the app's property" {
  dk --app app1 registry:set server ghcr.io
  assert_status 0
  assert_file_content "$REG/app1/server" ghcr.io
  [ ! -e "$REG/--global/server" ]
  dk --app app1 registry:set push-on-release true
  assert_status 0
  assert_file_content "$REG/app1/push-on-release" true
  # clearing
  dk --app app1 registry:set server
  assert_status 0
  [ ! -e "$REG/app1/server" ]
}

@test "(--app) logout, auth-status and migrate act on that app" {
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  dk --app app1 registry:auth-status "$R" alice "$PW_A"
  assert_status 0
  dk --app app1 registry:auth-status "$R" bob "$PW_B"
  assert_status 2
  dk --app app1 registry:logout "$R"
  assert_status 0
  assert_helper_none "$(appdir app1)"
  assert_helper_creds "$GDIR" bob "$PW_B"
  # migrate: a plaintext login in app2's config dir moves into the keyring
  mkdir -p -m 0700 "$(appdir app2)"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(b64 "alice:$PW_A")" >"$(appdir app2)/config.json"
  dk --app app2 registry:migrate
  assert_status 0
  [ "$(jq -r '.auths[].auth // empty' "$(appdir app2)/config.json")" = "" ]
  assert_helper_creds "$(appdir app2)" alice "$PW_A"
}

@test "(--app) push, k8s:pull-secret and k8s:sync get the app" {
  login_app app1 alice "$PW_A"
  dk --app app1 registry:k8s:pull-secret
  assert_status 0
  assert_eq "$(jq -r '.metadata.name' <<<"$output")" dokku-registry-app1
  assert_eq "$(jq -r '.data[".dockerconfigjson"]' <<<"$output" | base64 -d | jq -r --arg r "$R" '.auths[$r].username')" alice
  # app1 is not on k3s: sync says so by name
  dk --app app1 registry:k8s:sync
  assert_status 0
  assert_contains "$output" "Skipping app1: its scheduler is docker-local, not k3s"
  # push: the app got there: its default image is what it looks for (there
  # is no Docker daemon here)
  dk --app app1 registry:push
  assert_status 1
  assert_contains "$stderr" "unable to inspect image dokku/app1:latest"
}

@test "(--app) commands that take no app run as without it" {
  dk --app app1 registry:helpers:report
  assert_status 0
  local with=$output
  dk registry:helpers:report
  assert_stdout "$with"
  dk --app app1 registry:doctor --format json
  jq -e '.checks | length > 0' <<<"$output" >/dev/null
}

@test "(--app) never twice: a shim that resolves into core-plugins gets the app from the dispatcher only" {
  # the shim installed under a core-plugins path: Dokku's dispatcher puts the
  # app in front itself (execute_dokku_cmd), the shim must not add it again
  mkdir -p "$BATS_TEST_TMPDIR/x/core-plugins"
  cp -R "$SHARE/dokku-plugin" "$BATS_TEST_TMPDIR/x/core-plugins/registry"
  ln -sfn "$BATS_TEST_TMPDIR/x/core-plugins/registry" "$PLUGIN_PATH/available/registry"
  dk --app app1 registry:set server ghcr.io
  assert_status 0
  assert_file_content "$REG/app1/server" ghcr.io
  dk --app app1 registry:report --registry-server
  assert_stdout ghcr.io
  # and a command that takes no app gets the dispatcher's app taken off
  dk --app app1 registry:helpers:report
  assert_status 0
}

@test "(--app) the core plugin gets the app from the dispatcher, as Dokku does it (the stand-in itself)" {
  ln -sfn "$CORE/available/registry" "$PLUGIN_PATH/available/registry"
  dk --app app1 registry:set server x
  assert_stdout "$(printf '%s\n' "core registry plugin: set" registry:set app1 server x)"
}

# ---------------------------------------------------------------------------
# help and completion

@test "(help) registry:help lists exactly the commands that have a subcommands/ file" {
  dk registry:help
  assert_status 0
  assert_eq "${lines[0]}" "Usage: dokku registry[:COMMAND]"
  local listed files
  listed=$(grep -o '^    registry:[^ ]*' <<<"$output" | sed 's/^    registry://' | sort)
  files=$(ls "$PLUGIN_PATH/enabled/registry/subcommands" | sort)
  assert_eq "$listed" "$files" "commands in registry:help"
  [[ $output != *registry:setup* && $output != *registry:push-image* ]]
  # `dokku registry` too
  dk registry
  assert_contains "$output" "registry:login"
  # what is not routed is not a dokku command, as Dokku says it
  dk registry:setup
  assert_status 1
  assert_contains "$stderr" '`registry:setup` is not a dokku command.'
}

@test "(help) help --all: every registry line in two columns, the whole description, each routable" {
  dk help --all
  assert_status 0
  local rows n=0 cmd desc line
  rows=$(dokku-registry help --plugin-dir "$PLUGIN_PATH/enabled/registry" --list)
  while IFS= read -r row; do
    cmd=${row%%, *}
    cmd=${cmd#    }
    desc=${row#*, }
    line=$(grep -F -- "    $cmd  " <<<"$output") || { echo "no line for $cmd in: $output"; return 1; }
    # column -s, split a description with a comma into a third column
    [[ $line =~ ^\ \ \ \ "$cmd"\ +"$desc"$ ]] || { echo "stray column: $line"; return 1; }
    [ -x "$PLUGIN_PATH/enabled/registry/subcommands/${cmd%% *}" ] ||
      [ -x "$PLUGIN_PATH/enabled/registry/subcommands/$(cut -d' ' -f1 <<<"${cmd#registry:}")" ] ||
      { echo "$cmd is listed but has no subcommands/ file"; return 1; }
    n=$((n + 1))
  done <<<"$rows"
  assert_eq "$n" "$(ls "$PLUGIN_PATH/enabled/registry/subcommands" | wc -l)" "registry lines"
  # under "Community plugin commands": the shim is not under core-plugins
  assert_contains "$(sed -n '/^Community plugin commands:/,$p' <<<"$output")" "registry:login"
  # the bash-completion cache Dokku builds from it (plugin_prime_bash_completion)
  local cache
  cache=$(dokku --quiet help --all | awk '/^    /{ print $1 }' | grep '^registry' | sort)
  assert_eq "$cache" "$(ls "$PLUGIN_PATH/enabled/registry/subcommands" | sed 's/^/registry:/' | sort)" "completion cache"
}

@test "(help) bash completion: the registry: spelling offers exactly the commands Dokku routes" {
  run bash -c '
    source "$1"
    COMP_WORDS=(dokku-registry registry :); COMP_CWORD=2
    COMP_LINE="dokku-registry registry:"; COMP_POINT=${#COMP_LINE}
    _dokku_registry dokku-registry "" :
    printf "registry:%s\n" "${COMPREPLY[@]}"' bash "$DR_REPO_DIR/packaging/completion/dokku-registry"
  assert_status 0
  assert_eq "$(sort <<<"$output")" \
    "$( (echo registry:help; ls "$PLUGIN_PATH/enabled/registry/subcommands" | sed 's/^/registry:/') | sort)" \
    "registry: completions"
}

@test "(help) plain help: one registry line; the core stand-in is listed under Commands" {
  dk help
  assert_status 0
  assert_eq "$(grep -c '^    registry ' <<<"$output")" 1 "registry lines"
  [[ $output != *registry:* ]] || { echo "$output"; false; }
  ln -sfn "$CORE/available/registry" "$PLUGIN_PATH/available/registry"
  dk help
  assert_contains "$(sed -n '/^Commands:/,/^Community/p' <<<"$output")" "    registry "
}

# ---------------------------------------------------------------------------
# triggers

@test "(triggers) post-registry-login SERVER USER after each login, never the password" {
  # the test's own copies of the passwords stay out of the environment
  export -n PW_A PW_B DR_REGISTRY_PASS
  test_plugin notify post-registry-login \
    "{ printf 'args:%s\\n' \"\$*\"; env; } >>'$BATS_TEST_TMPDIR/notified'"
  dk --app app1 registry:login "$R" alice "$PW_A"
  assert_status 0
  dk_in "$PW_B" registry:login --global --password-stdin "$R" bob
  assert_status 0
  assert_eq "$(grep '^args:' "$BATS_TEST_TMPDIR/notified")" "args:$R alice"$'\n'"args:$R bob"
  run ! grep -e "$PW_A" -e "$PW_B" -e DOCKER_REGISTRY_PASS "$BATS_TEST_TMPDIR/notified"
  assert_stdout ""
  # a failed login notifies nobody
  : >"$BATS_TEST_TMPDIR/notified"
  dk --app app1 registry:login "$R" alice wrong-password
  assert_status 1
  [ ! -s "$BATS_TEST_TMPDIR/notified" ]
  # a failing trigger fails the command, as in Dokku, after the login is kept
  test_plugin notify post-registry-login "exit 3"
  dk --app app2 registry:login "$R" alice "$PW_A"
  assert_status 1
  assert_contains "$stderr" "Dokku's post-registry-login trigger failed (plugn trigger post-registry-login exited with 3)"
  assert_helper_creds "$(appdir app2)" alice "$PW_A"
}

@test "(triggers) registry:report and k8s:sync --all list the apps user-auth-app allows" {
  create_app app3
  # 20_events answers every trigger with nothing (it only logs): no filter
  test_plugin 20_events user-auth-app "exit 0"
  dk registry:report
  assert_contains "$output" "app3 registry information"
  # an access-control plugin: SSH_USER, SSH_NAME, then the apps
  test_plugin acl user-auth-app \
    "echo \"\$1 \$2\" >'$BATS_TEST_TMPDIR/acl'; shift 2; for a in \"\$@\"; do [ \"\$a\" != app2 ] && echo \"\$a\"; done; true"
  SSH_USER=dokku SSH_NAME=carol dk registry:report
  assert_status 0
  assert_contains "$output" "app1 registry information"
  assert_contains "$output" "app3 registry information"
  [[ $output != *"app2 registry"* ]] || { echo "$output"; false; }
  assert_eq "$(cat "$BATS_TEST_TMPDIR/acl")" "dokku carol"
  SSH_USER=dokku SSH_NAME=carol dk registry:k8s:sync --all
  assert_status 0
  assert_contains "$output" "Skipping app1"
  [[ $output != *app2* ]] || { echo "$output"; false; }
  # nothing allowed: Dokku's words for no apps
  test_plugin acl user-auth-app "true"
  dk registry:report
  assert_status 0
  assert_stderr " !     You haven't deployed any applications yet"
}

@test "(triggers) the scheduler is what scheduler-detect answers, not what property files say" {
  mkdir -p "$DOKKU_LIB_ROOT/config/scheduler/app1"
  printf k3s >"$DOKKU_LIB_ROOT/config/scheduler/app1/selected"
  # a scheduler plugin that answers otherwise
  rm "$PLUGIN_PATH/enabled/scheduler"
  test_plugin scheduler scheduler-detect 'echo nomad'
  dk registry:k8s:sync app1
  assert_status 0
  assert_contains "$output" "Skipping app1: its scheduler is nomad, not k3s"
  # outside Dokku's dispatcher (a systemd unit, a cron job) PLUGIN_PATH is not
  # in the environment: plugn is handed the plugin directory found from
  # DOKKU_LIB_ROOT, and the same answer comes back
  run env -u PLUGIN_PATH dokku-registry k8s:sync app1
  assert_status 0
  assert_contains "$output" "Skipping app1: its scheduler is nomad, not k3s"
  # no plugn on PATH: a clear error, no guess
  PATH="$DR_BUILD_DIR:/usr/bin:/bin" run --separate-stderr dokku-registry k8s:sync app1
  assert_status 1
  assert_contains "$stderr" "plugn is not on PATH"
  # no Dokku at all
  PLUGIN_PATH="$BATS_TEST_TMPDIR/nowhere" run --separate-stderr dokku-registry k8s:sync app1
  assert_status 1
  assert_contains "$stderr" "no Dokku here ($BATS_TEST_TMPDIR/nowhere/enabled is missing"
}

# ---------------------------------------------------------------------------
# upgrades

@test "(upgrade) apt upgrade and plugin:install keep the shim in charge" {
  dokku_postinst
  [ "$(readlink "$PLUGIN_PATH/available/registry")" = "$SHARE/dokku-plugin" ]
  # `dokku plugin:install` runs every enabled plugin's install trigger
  # (plugins/plugin/subcommands/install: plugn trigger install)
  run plugn trigger install
  assert_status 0
  [ "$(readlink "$PLUGIN_PATH/available/registry")" = "$SHARE/dokku-plugin" ]
  [ -d "$REG" ]
  dk --app app1 registry:set server ghcr.io
  assert_file_content "$REG/app1/server" ghcr.io
  drr registry:doctor
  assert_contains "$output" "ok    plugin       $PLUGIN_PATH/available/registry points at the dokku-registry shim"
}

@test "(upgrade) a source install links the core plugin back: doctor names it and the fix; plugin:install puts the shim back" {
  dokku_copyplugin
  [ "$(readlink "$PLUGIN_PATH/available/registry")" = "$CORE/available/registry" ]
  # registry-guard survived (only core plugins are copied)
  [ -L "$PLUGIN_PATH/enabled/registry-guard" ]
  # a login made now goes through Dokku's own plugin: plaintext
  dk --app app1 registry:login "$R" alice "$PW_A"
  assert_contains "$output" "core registry plugin: login"
  drr registry:doctor
  assert_status 1
  assert_contains "$output" "FAIL  plugin       Dokku's own registry plugin is back: $PLUGIN_PATH/available/registry -> $CORE/available/registry"
  assert_contains "$output" "; fix: sudo dokku-registry setup"
  assert_contains "$output" "FAIL  config       $(appdir app1)/config.json holds 1 plaintext credential(s); fix: dokku-registry migrate app1"
  # `dokku plugin:install`: registry-guard's install trigger relinks the shim
  run plugn trigger install
  assert_status 0
  assert_contains "$output" "registry-guard: $PLUGIN_PATH/available/registry points at the dokku-registry shim"
  [ "$(readlink -f "$PLUGIN_PATH/available/registry")" = "$(readlink -f "$SHARE/dokku-plugin")" ]
  dk registry:migrate app1
  assert_status 0
  drr registry:doctor
  assert_contains "$output" "ok    plugin"
  [[ $output != *FAIL* ]] || { echo "$output"; false; }
  # a second run changes nothing
  run plugn trigger install
  assert_status 0
  [[ $output != *registry-guard* ]] || { echo "$output"; false; }
}

@test "(upgrade) without registry-guard, the core plugin in charge is a choice, not a failure" {
  rm "$PLUGIN_PATH/enabled/registry-guard"
  ln -sfn "$CORE/available/registry" "$PLUGIN_PATH/available/registry"
  drr registry:doctor
  assert_contains "$output" "skip  plugin       Dokku's own registry plugin answers"
  [[ $output != *"FAIL  plugin"* ]] || { echo "$output"; false; }
  # the shim without the guard: a warning naming the fix
  dokku_link_shim
  rm "$PLUGIN_PATH/enabled/registry-guard"
  drr registry:doctor
  assert_contains "$output" "warn  plugin       $PLUGIN_PATH/available/registry points at the dokku-registry shim, but registry-guard is not enabled"
}
