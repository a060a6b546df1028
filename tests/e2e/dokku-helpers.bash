# shellcheck shell=bash
# Variables are shared with the .bats files and with bats itself ($output, $status):
# shellcheck disable=SC2034,SC2154
# Shared helpers for dokku-set-report.bats and dokku-hooks.bats (the Dokku
# `registry:*` commands of dokku-registry): load with `load dokku-helpers`.
#
# Every test gets its own DOKKU_ROOT and DOKKU_LIB_ROOT under BATS_TEST_TMPDIR;
# nothing here reads or writes /var/lib/dokku or /home/dokku.

DR_BUILD_DIR="${DR_BUILD_DIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}"
export DR_BUILD_DIR
PATH="$DR_BUILD_DIR:$PATH"
DR_BIN=dokku-registry
# the stand-ins for Dokku's `dokku` dispatcher and plugn (tests/lib/dokku-standin)
DR_STANDIN="$(cd "$BATS_TEST_DIRNAME/../lib/dokku-standin" && pwd)"
PATH="$DR_STANDIN/bin:$PATH"

# dr_setup: fresh Dokku roots; call from setup().
# Sets REG (the registry property root) and GLOBAL (its --global directory).
dr_setup() {
  if [ ! -x "$DR_BUILD_DIR/$DR_BIN" ]; then
    echo "# $DR_BUILD_DIR/$DR_BIN is not built (make -C $(dirname "$DR_BUILD_DIR") all)" >&2
    return 1
  fi
  DOKKU_ROOT=$(mktemp -d "$BATS_TEST_TMPDIR/dokku-root.XXXXXX") || return 1
  DOKKU_LIB_ROOT=$(mktemp -d "$BATS_TEST_TMPDIR/dokku-lib.XXXXXX") || return 1
  DOCKER_CONFIG="$DOKKU_ROOT/.docker"
  HOME="$DOKKU_ROOT"
  export DOKKU_ROOT DOKKU_LIB_ROOT DOCKER_CONFIG HOME
  unset DOKKU_QUIET_OUTPUT
  REG="$DOKKU_LIB_ROOT/config/registry"
  GLOBAL="$REG/--global"
  # what the plugin's `install` trigger leaves behind
  mkdir -p "$REG"
  # Dokku's enabled plugins as plugn sees them ($PLUGIN_PATH/enabled/*):
  # only the scheduler plugin here, which answers scheduler-detect
  PLUGIN_PATH="$DOKKU_LIB_ROOT/plugins"
  export PLUGIN_PATH
  unset PLUGIN_ENABLED_PATH PLUGIN_AVAILABLE_PATH DOKKU_APP_NAME
  dr_enable_standin scheduler
}

# dr_enable_standin NAME: enable the stand-in plugin tests/lib/dokku-standin/plugins/NAME
# the way Dokku's postinst enables a core plugin (available/NAME, then
# `plugn enable`: enabled/NAME -> available/NAME).
dr_enable_standin() {
  mkdir -p "$PLUGIN_PATH/available" "$PLUGIN_PATH/enabled" &&
    ln -sfn "$DR_STANDIN/plugins/$1" "$PLUGIN_PATH/available/$1" &&
    ln -sfn "$PLUGIN_PATH/available/$1" "$PLUGIN_PATH/enabled/$1"
}

# test_plugin NAME TRIGGER BODY: an enabled community plugin NAME whose
# TRIGGER is the bash script BODY (the plugins operators add next to Dokku's).
test_plugin() {
  local dir="$BATS_TEST_TMPDIR/test-plugins/$1"
  mkdir -p "$dir" "$PLUGIN_PATH/available" "$PLUGIN_PATH/enabled" || return 1
  printf '#!/usr/bin/env bash\n%s\n' "$3" >"$dir/$2" && chmod 755 "$dir/$2" || return 1
  ln -sfn "$dir" "$PLUGIN_PATH/available/$1" &&
    ln -sfn "$PLUGIN_PATH/available/$1" "$PLUGIN_PATH/enabled/$1"
}

# create_app NAME: what `dokku apps:create NAME` does for this plugin.
create_app() {
  mkdir "$DOKKU_ROOT/$1" || return 1
  "$DR_BIN" post-create "$1" || {
    echo "create_app: post-create $1 failed" >&2
    return 1
  }
}

# dr ARGS...: run the binary under bats `run`; stdout in $output/$lines,
# stderr in $stderr/$stderr_lines, exit code in $status.
# Not `run --separate-stderr`: bats 1.8.2 reads $stderr with a plain `read`,
# which strips the leading space of Dokku's " !     " prefix.
dr() {
  run _dr_stderr_to_file "$@"
  stderr=$(cat "$BATS_TEST_TMPDIR/dr.stderr")
  mapfile -t stderr_lines <"$BATS_TEST_TMPDIR/dr.stderr"
}
_dr_stderr_to_file() {
  "$DR_BIN" "$@" 2>"$BATS_TEST_TMPDIR/dr.stderr"
}

# dr_ok ARGS...: a set-up step that must succeed (stdout discarded).
dr_ok() {
  "$DR_BIN" "$@" >/dev/null || {
    echo "dr_ok: $DR_BIN $* failed" >&2
    return 1
  }
}

# write_prop APP|--global PROPERTY VALUE: put a raw value on disk (bypasses
# `set`, e.g. for whitespace, newlines or the internal tag-version).
write_prop() {
  mkdir -p "$REG/$1" && printf '%s' "$3" >"$REG/$1/$2" && chmod 600 "$REG/$1/$2"
}

assert_eq() { # ACTUAL EXPECTED [WHAT]
  if [ "$1" != "$2" ]; then
    printf '%s mismatch\n  expected: %q\n  actual:   %q\n' "${3:-value}" "$2" "$1" >&2
    return 1
  fi
}

assert_status() { # N
  assert_eq "$status" "$1" "exit status (stdout=$(printf %q "$output"), stderr=$(printf %q "${stderr-}"))"
}
assert_stdout() { assert_eq "$output" "$1" stdout; }
assert_stderr() { assert_eq "${stderr-}" "$1" stderr; }

# assert_contains HAYSTACK NEEDLE [WHAT]: fixed-string containment.
assert_contains() {
  case "$1" in
    *"$2"*) return 0 ;;
  esac
  printf '%s does not contain %q\n  actual: %q\n' "${3:-value}" "$2" "$1" >&2
  return 1
}

# assert_fail CODE MESSAGE: the last `dr` failed with exactly ` !     MESSAGE`
# on stderr and nothing on stdout.
assert_fail() {
  assert_status "$1" && assert_stdout "" && assert_stderr " !     $2"
}

# assert_file_content FILE VALUE: FILE holds exactly VALUE (no trailing newline).
assert_file_content() {
  [ -f "$1" ] || { echo "missing file $1" >&2; return 1; }
  if ! printf '%s' "$2" | cmp -s - "$1"; then
    printf 'content of %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$(od -c "$1")" >&2
    return 1
  fi
}

assert_mode() { # PATH OCTAL
  assert_eq "$(stat -c %a "$1")" "$2" "mode of $1"
}

# report_json APP|--global KEY: one key of `registry:report APP --format json`,
# as `jq -r` prints it. Fails (instead of printing "") when the report fails,
# is not a single JSON line, or lacks the key.
report_json() {
  local json
  json=$("$DR_BIN" registry:report "$1" --format json) || {
    echo "report_json: registry:report $1 --format json failed" >&2
    return 1
  }
  case "$json" in
    *$'\n'*) echo "report_json: more than one line: $json" >&2; return 1 ;;
  esac
  jq -er --arg k "$2" 'if has($k) then .[$k] else error("no key \($k)") end' <<<"$json"
}

# assert_json APP|--global KEY EXPECTED
assert_json() {
  local v
  v=$(report_json "$1" "$2") || return 1
  assert_eq "$v" "$3" "report $1 .\"$2\""
}

# assert_info APP|--global FLAG EXPECTED: `registry:report APP FLAG` prints
# exactly EXPECTED (bats strips the trailing newline), nothing on stderr.
assert_info() {
  dr registry:report "$1" "$2"
  assert_status 0 && assert_stderr "" && assert_eq "$output" "$3" "registry:report $1 $2"
}

# report_line LABEL VALUE: one line of the stdout report (value at column 47).
report_line() {
  printf '       %-39s%s' "$1:" "$2"
}

# ---------------------------------------------------------------------------
# A Dokku install for the `dokku` dispatcher stand-in (tests/lib/dokku-standin)

# dokku_layout: Dokku's plugin directories under $DOKKU_LIB_ROOT with its
# core registry plugin (a stand-in) in charge, as a package install leaves
# them, and the shim and registry-guard where the package puts them
# ($SHARE/dokku-plugin, $SHARE/dokku-plugin-guard). Sets CORE and SHARE.
dokku_layout() {
  CORE="$DOKKU_LIB_ROOT/core-plugins"
  SHARE="$BATS_TEST_TMPDIR/usr/share/dokku-registry"
  mkdir -p "$CORE/available" "$CORE/enabled" "$PLUGIN_PATH/available" "$PLUGIN_PATH/enabled" "$SHARE" &&
    cp -R "$DR_REPO_DIR/packaging/dokku-plugin" "$DR_REPO_DIR/packaging/dokku-plugin-guard" "$SHARE/" &&
    dokku_copyplugin
}
DR_REPO_DIR="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"

# dokku_copyplugin: what Dokku's source install does for its registry plugin
# (dokku/dokku Makefile, target copyplugin): the plugin copied into
# core-plugins/available, plugins/available/registry removed and linked to
# it again, dangling links deleted, `plugn enable` in both trees.
dokku_copyplugin() {
  rm -Rf "$CORE/available/registry" "$PLUGIN_PATH/available/registry" &&
    cp -R "$DR_STANDIN/plugins/core-registry" "$CORE/available/registry" &&
    ln -s "$CORE/available/registry" "$PLUGIN_PATH/available" &&
    find "$DOKKU_LIB_ROOT/" -xtype l -delete &&
    PLUGIN_PATH="$CORE" plugn enable registry &&
    plugn enable registry
}

# dokku_postinst: the "Enabling all core plugins" loop of Dokku's Debian
# postinst (dokku/dokku debian/postinst, setup-plugins), run by an apt
# upgrade: a core plugin is linked into plugins/available only when
# plugins/available/<name> is not a directory yet (a link to one counts).
dokku_postinst() {
  local plugin
  for plugin in $(find "$CORE/available" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'); do
    if [ ! -d "$PLUGIN_PATH/available/$plugin" ]; then
      ln -s "$CORE/available/$plugin" "$PLUGIN_PATH/available/$plugin"
      PLUGIN_PATH="$CORE" plugn enable "$plugin"
      plugn enable "$plugin"
    fi
  done
  find -L "$CORE" -type l -delete
  find -L "$PLUGIN_PATH" -type l -delete
}

# dokku_link_shim: the plugin step of `dokku-registry setup` (tested itself in
# setup.bats): plugins/available/registry -> the shim, registry-guard enabled.
dokku_link_shim() {
  ln -sfn "$SHARE/dokku-plugin" "$PLUGIN_PATH/available/registry" &&
    ln -sfn "$SHARE/dokku-plugin-guard" "$PLUGIN_PATH/available/registry-guard" &&
    ln -sfn "$PLUGIN_PATH/available/registry-guard" "$PLUGIN_PATH/enabled/registry-guard"
}
